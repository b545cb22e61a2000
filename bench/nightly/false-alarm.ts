/**
 * Measures the detector's false-alarm rate on a history of runs of identical code (docs/nightly.md):
 * every stored complete run of a series is judged against the others (leave-one-out: the `lookback`
 * runs nearest in time), against the runs before it only (sequential: what the nightly would have
 * said) and against the runs after it (reverse: time run backwards, so a machine that got quieter
 * becomes one that got busier). Every alarm on identical code is a false alarm.
 *
 *   node --import tsx bench/nightly/false-alarm.ts --history <dir> [--config nightly.json] [--lookback N] [--alpha a] [--min-history n] [--no-machine-guard] [--json]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadNightlyConfig } from './config.ts';
import { DEFAULT_DETECTOR, judgeRun, type DetectorOptions, type MetricVerdict } from './detector.ts';
import type { HistoryRunRecord } from './history-index.ts';
import { readHistory } from './history-store.ts';
import { metricsOf, plansOf, type EntryRunData } from './judgement.ts';
import { judgePlans } from './plans.ts';
import { readStoredRun } from './history-folder-store.ts';

export interface ReplayRow {
  readonly series: string;
  readonly mode: 'leave-one-out' | 'sequential' | 'reverse';
  readonly runId: string;
  readonly history: number;
  readonly judged: number;
  readonly regressions: readonly string[];
  readonly improvements: readonly string[];
  readonly suspects: readonly string[];
  readonly planChanges: readonly string[];
  /** The judged metric nearest to alarming on the worse side: z / zCritical and its change. */
  readonly closest: { readonly id: string; readonly ratio: number; readonly change: number | null } | null;
}

interface Loaded {
  readonly record: HistoryRunRecord;
  readonly data: EntryRunData;
}

const judgedStatus = (v: MetricVerdict): boolean => v.status === 'ok' || v.status === 'regression' || v.status === 'improvement' || v.status === 'suspect';

function closestToAlarm(verdicts: readonly MetricVerdict[]): ReplayRow['closest'] {
  let best: ReplayRow['closest'] = null;
  for (const v of verdicts) {
    if (!judgedStatus(v) || v.z === null || v.zCritical === null || !Number.isFinite(v.z)) continue;
    const ratio = ((v.metric.betterWhen === 'lower' ? 1 : -1) * v.z) / v.zCritical;
    if (!best || ratio > best.ratio) best = { id: v.metric.id, ratio, change: v.change };
  }
  return best;
}

/** Judges `current` against `others` (most relevant first). Pure given the loaded data. */
export function replayOne(series: string, mode: ReplayRow['mode'], current: Loaded, others: readonly Loaded[], o: DetectorOptions): ReplayRow {
  const verdicts = judgeRun(metricsOf(current.data), others.map((x) => metricsOf(x.data)), o);
  const plans = judgePlans(plansOf(current.data), others.map((x) => ({ runId: x.record.nightlyRunId, plans: plansOf(x.data) })));
  return {
    series,
    mode,
    runId: current.record.nightlyRunId,
    history: others.length,
    judged: verdicts.filter(judgedStatus).length,
    regressions: verdicts.filter((v) => v.status === 'regression').map((v) => `${v.metric.id} (${v.reason})`),
    improvements: verdicts.filter((v) => v.status === 'improvement').map((v) => `${v.metric.id} (${v.reason})`),
    suspects: verdicts.filter((v) => v.status === 'suspect').map((v) => `${v.metric.id} (${v.reason})`),
    planChanges: plans.filter((p) => p.status === 'changed').map((p) => `${p.variant}/${p.queryType}`),
    closest: closestToAlarm(verdicts),
  };
}

/** Replays every series of a history with at least minHistory + 1 complete runs. */
export function replayHistory(historyDir: string, o: DetectorOptions): ReplayRow[] {
  const index = readHistory(historyDir);
  const rows: ReplayRow[] = [];
  for (const [id, s] of Object.entries(index.series)) {
    const runs = s.runs
      .filter((r) => r.status === 'complete')
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      .map((record) => ({ record, data: readStoredRun(historyDir, record) }))
      .filter((x): x is Loaded => x.data !== null);
    if (runs.length < o.minHistory + 1) continue;
    runs.forEach((current, i) => {
      const nearest = runs
        .filter((_, j) => j !== i)
        .map((x, j) => ({ x, d: Math.abs((j >= i ? j + 1 : j) - i), later: j >= i }))
        .sort((a, b) => a.d - b.d || Number(a.later) - Number(b.later))
        .slice(0, o.lookback)
        .map((y) => y.x);
      rows.push(replayOne(id, 'leave-one-out', current, nearest, o));
      const before = runs.slice(0, i).reverse().slice(0, o.lookback);
      if (before.length >= o.minHistory) rows.push(replayOne(id, 'sequential', current, before, o));
      // Time run backwards: each run against the runs after it — a change of machine regime seen
      // from the other side (a quiet history, then a busy night).
      const after = runs.slice(i + 1).slice(0, o.lookback);
      if (after.length >= o.minHistory) rows.push(replayOne(id, 'reverse', current, after, o));
    });
  }
  return rows;
}

export function summarizeReplay(rows: readonly ReplayRow[]): string[] {
  const out: string[] = [];
  for (const mode of ['leave-one-out', 'sequential', 'reverse'] as const) {
    const mine = rows.filter((r) => r.mode === mode);
    if (!mine.length) continue;
    const judged = mine.reduce((s, r) => s + r.judged, 0);
    const alarms = mine.reduce((s, r) => s + r.regressions.length, 0);
    const plans = mine.reduce((s, r) => s + r.planChanges.length, 0);
    const improvements = mine.reduce((s, r) => s + r.improvements.length, 0);
    const suspects = mine.reduce((s, r) => s + r.suspects.length, 0);
    const guarded = mine.filter((r) => r.suspects.length > 0).length;
    const nights = mine.filter((r) => r.regressions.length + r.planChanges.length > 0).length;
    const closest = mine.map((r) => r.closest).filter((c): c is NonNullable<ReplayRow['closest']> => c !== null).sort((a, b) => b.ratio - a.ratio)[0];
    const margin = closest ? `; closest to an alarm: ${closest.id} at ${(100 * closest.ratio).toFixed(0)}% of the critical z (change ${closest.change === null ? '—' : `${(100 * closest.change).toFixed(1)}%`})` : '';
    out.push(`${mode}: ${mine.length} judged runs, ${judged} metric judgements, ${alarms} regression alarm(s) (${((100 * alarms) / Math.max(1, judged)).toFixed(2)}% per metric), ${plans} plan-change alarm(s), ${improvements} improvement flag(s), ${suspects} suspect(s) in ${guarded} machine-wide slowdown night(s); nights with any alarm: ${nights}/${mine.length}${margin}`);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { history: { type: 'string' }, config: { type: 'string' }, lookback: { type: 'string' }, alpha: { type: 'string' }, 'min-history': { type: 'string' }, 'no-machine-guard': { type: 'boolean' }, json: { type: 'boolean' } } });
  if (!values.history) {
    process.stderr.write('usage: node --import tsx bench/nightly/false-alarm.ts --history <dir> [--config nightly.json] [--lookback N] [--alpha a] [--min-history n] [--no-machine-guard] [--json]\n');
    process.exit(2);
  }
  let o: DetectorOptions = values.config ? (await loadNightlyConfig(values.config)).detector : DEFAULT_DETECTOR;
  if (values.lookback) o = { ...o, lookback: Number(values.lookback) };
  if (values.alpha) o = { ...o, alpha: Number(values.alpha) };
  if (values['min-history']) o = { ...o, minHistory: Number(values['min-history']) };
  if (values['no-machine-guard']) o = { ...o, machineGuard: 0 };
  const rows = replayHistory(path.resolve(values.history), o);
  if (values.json) {
    console.log(JSON.stringify({ detector: o, rows, summary: summarizeReplay(rows) }, null, 2));
    return;
  }
  for (const r of rows) {
    const c = r.closest ? `; closest ${r.closest.id} ${(100 * r.closest.ratio).toFixed(0)}% of z crit` : '';
    console.log(`${r.mode.padEnd(13)} ${r.runId} vs ${r.history} runs: ${r.judged} judged, ${r.regressions.length} regression(s), ${r.planChanges.length} plan change(s), ${r.improvements.length} improvement(s), ${r.suspects.length} suspect(s)${c}`);
    for (const x of r.regressions) console.log(`    regression ${x}`);
    for (const x of r.planChanges) console.log(`    plan change ${x}`);
    for (const x of r.improvements) console.log(`    improvement ${x}`);
  }
  console.log(summarizeReplay(rows).join('\n'));
}

if (process.argv[1]?.endsWith("false-alarm.ts")) await main();
