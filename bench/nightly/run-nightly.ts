/**
 * `geobench nightly`: run every configured entry through the load engine (or a validator), judge
 * it against its comparable history, store it in the history, and write the nightly outputs
 * (nightly.html, summary.md, junit.xml, nightly.json) to the output folder.
 *
 * The command reads (and validates) the history before anything runs, so a corrupt history fails in
 * seconds, not after the measurements. Each entry is judged against the index as it is then (another
 * nightly may have written meanwhile) and stored right after (one atomic append in either store), so
 * a night that dies half-way keeps the entries it finished. An interrupted entry is not stored.
 */
import path from 'node:path';
import type { DbTarget } from '../db/target.ts';
import { planRun } from '../load/plan.ts';
import { executeRun } from '../load/run.ts';
import { machineFacts } from '../result-file/metadata.ts';
import { readResult } from '../result-file/result-file.ts';
import { loadScenario } from '../scenario/load.ts';
import { VALIDATORS } from '../validate/registry.ts';
import { loadTargets } from '../validate/targets.ts';
import { VALIDATE_DEFAULTS } from '../validate/defaults.ts';
import { writeValidation } from '../validate/report-file.ts';
import type { NightlyConfig, NightlyEntry, ScenarioEntryConfig, ValidateEntryConfig } from './config.ts';
import type { DetectorOptions } from './detector.ts';
import { selectComparable, type HistoryIndex, type HistoryRunRecord } from './history-index.ts';
import type { HistoryStore } from './store.ts';
import { entryAlarms, errorEntry, judgeEntry, outcomeOf, type EntryJudgement, type EntryRunData, type NightlyReport, type Outcome } from './judgement.ts';
import { writeReportFiles, type ReportFiles } from './outputs.ts';
import { renderMarkdown } from './summary-markdown.ts';
import { seriesKeyOf, validatorKey, type SeriesKey } from './series-key.ts';
import { makeDirs } from '../core/output-dir.ts';

export interface NightlyRunOptions {
  readonly config: NightlyConfig;
  readonly history: HistoryStore;
  readonly outDir: string;
  readonly runId: string;
  /** Overrides every entry's dataset scale. */
  readonly scale?: number | undefined;
  readonly lookback?: number | undefined;
  readonly server: DbTarget;
  readonly sqlDir: string;
  readonly geobenchVersion: string;
  readonly loadWorkers: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly progress: (line: string) => void;
}

export interface NightlyRunOutcome {
  readonly report: NightlyReport;
  readonly outcome: Outcome;
  readonly files: ReportFiles;
  readonly interrupted: boolean;
}

/** How many stored runs of a series are read for charts (the judged history is ≤ lookback of them). */
const TREND_RUNS = 30;

interface EntryRun {
  readonly data: EntryRunData;
  readonly key: SeriesKey;
  readonly startedAt: string;
  readonly runId: string;
}

async function runScenarioEntry(entry: ScenarioEntryConfig, dir: string, o: NightlyRunOptions): Promise<EntryRun> {
  const scenario = await loadScenario(entry.name);
  const ov = entry.overrides;
  const plan = planRun(scenario, {
    durationSec: ov.durationSec, warmupSec: ov.warmupSec, connections: ov.connections, rate: ov.rate,
    repetitions: ov.repetitions, scale: o.scale ?? ov.scale, variants: ov.variants, workers: ov.workers,
  });
  const runId = `${o.runId}-${entry.id}`;
  o.log(`nightly ${entry.id}: scenario ${plan.scenario} at scale ${plan.dataset.scale}, ${plan.segments.length} segments of ${plan.warmupSec}+${plan.durationSec} s`);
  const { result } = await executeRun({
    plan, server: o.server, runId, outDir: dir, sqlDir: o.sqlDir, geobenchVersion: o.geobenchVersion,
    log: o.log, progress: o.progress, signal: o.signal, loadWorkers: o.loadWorkers,
  });
  return { data: { result, checks: null }, key: seriesKeyOf(result), startedAt: result.startedAt, runId };
}

async function runValidateEntry(entry: ValidateEntryConfig, dir: string, o: NightlyRunOptions): Promise<EntryRun> {
  const validator = VALIDATORS[entry.name];
  if (!validator) throw new Error(`unknown validator '${entry.name}' (known: ${Object.keys(VALIDATORS).join(', ')})`);
  const ov = entry.overrides;
  const d = VALIDATE_DEFAULTS;
  const settings = { scale: o.scale ?? ov.scale ?? d.scale, seed: ov.seed ?? d.seed, durationSec: ov.durationSec ?? d.durationSec, warmupSec: ov.warmupSec ?? d.warmupSec, repetitions: ov.repetitions ?? d.repetitions, connections: ov.connections ?? d.connections };
  const runId = `${o.runId}-${entry.id}`;
  const startedAt = new Date().toISOString();
  o.log(`nightly ${entry.id}: validate ${entry.name} at scale ${settings.scale}`);
  const outcome = await validator.run({
    server: o.server, ...settings, runId, outDir: dir, sqlDir: o.sqlDir, geobenchVersion: o.geobenchVersion,
    loadWorkers: o.loadWorkers, signal: o.signal, log: o.log, progress: o.progress, targets: loadTargets(),
  });
  writeValidation(dir, validator, runId, startedAt, { scale: settings.scale, seed: settings.seed }, outcome);
  const result = outcome.runResult ? readResult(path.join(dir, outcome.runResult)) : null;
  const key = validatorKey(entry.name, result?.metadata?.machine.fingerprint ?? machineFacts().fingerprint, settings.scale, settings.seed, {
    duration: settings.durationSec, warmup: settings.warmupSec, repetitions: settings.repetitions, connections: settings.connections,
  });
  return { data: { result, checks: outcome.checks }, key, startedAt, runId };
}

/** Judges an entry run against the history in `index` (reading the stored runs it needs from the store). */
export async function judgeAgainstHistory(index: HistoryIndex, history: HistoryStore, entry: { id: string; kind: 'scenario' | 'validate'; name: string }, run: EntryRun, detector: DetectorOptions, seconds: number, excludeNightly?: string): Promise<EntryJudgement> {
  const comparable = selectComparable(index, run.key, entry.id, detector.lookback, excludeNightly);
  const wanted: HistoryRunRecord[] = [...new Map([...comparable.baseline, ...comparable.all.slice(0, TREND_RUNS)].map((r) => [r.nightlyRunId, r])).values()];
  const stored = new Map<string, EntryRunData>();
  for (const r of wanted) {
    const data = await history.readRun(r);
    if (data) stored.set(r.nightlyRunId, data);
  }
  return judgeEntry({ entry: entry.id, kind: entry.kind, name: entry.name, runId: run.runId, startedAt: run.startedAt, key: run.key, current: run.data, comparable, stored, options: detector, seconds });
}

export async function runNightly(o: NightlyRunOptions): Promise<NightlyRunOutcome> {
  const detector: DetectorOptions = { ...o.config.detector, ...(o.lookback !== undefined ? { lookback: o.lookback } : {}) };
  const startedAt = new Date().toISOString();
  const entries: EntryJudgement[] = [];
  let commit: string | null = null;
  let interrupted = false;
  makeDirs(o.outDir);
  for (const entry of o.config.entries) {
    if (o.signal.aborted) {
      interrupted = true;
      break;
    }
    const dir = path.join(o.outDir, entry.id);
    const t0 = performance.now();
    let run: EntryRun;
    try {
      run = entry.kind === 'scenario' ? await runScenarioEntry(entry, dir, o) : await runValidateEntry(entry, dir, o);
    } catch (err) {
      if (o.signal.aborted) {
        interrupted = true;
        break;
      }
      const message = (err as Error).message;
      o.log(`nightly ${entry.id}: failed: ${message.split('\n')[0]}`);
      entries.push(errorEntry(entry.id, entry.kind, entry.name, `${o.runId}-${entry.id}`, message, (performance.now() - t0) / 1000));
      continue;
    }
    const seconds = (performance.now() - t0) / 1000;
    commit ??= run.data.result?.metadata?.git.commit ?? null;
    // Read now, not at the start: another nightly may have stored runs of this series meanwhile.
    const judgement = await judgeAgainstHistory(await o.history.readIndex(), o.history, entry, run, detector, seconds);
    entries.push(judgement);
    if (o.signal.aborted) {
      interrupted = true;
      o.log(`nightly ${entry.id}: interrupted; not stored in the history`);
      break;
    }
    await storeInHistory(o, entry, run, judgement);
  }
  const report: NightlyReport = {
    kind: 'nightly',
    title: o.config.description ?? `nightly ${path.relative(process.cwd(), o.config.file) || o.config.file}`,
    runId: o.runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineLine(entries),
    commit,
    configFile: o.config.file,
    planChange: o.config.planChange,
    kpi: o.config.kpi,
    detector,
    entries,
  };
  const files = writeReportFiles(o.outDir, report, 'nightly');
  if (entries.some((e) => e.status !== 'error')) await o.history.saveSummary(o.runId, renderMarkdown(report));
  return { report, outcome: outcomeOf(report), files, interrupted };
}

async function storeInHistory(o: NightlyRunOptions, entry: NightlyEntry, run: EntryRun, judgement: EntryJudgement): Promise<void> {
  const alarms = entryAlarms(judgement, o.config.planChange);
  const record: HistoryRunRecord = {
    nightlyRunId: o.runId,
    entry: entry.id,
    kind: entry.kind,
    dir: `${o.runId}/${entry.id}`,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    status: judgement.status,
    verdict: alarms.length ? 'regression' : 'ok',
    alarms,
    kpiFailures: judgement.kpis.filter((k) => k.pass === false).length,
    accepted: false,
    commit: run.data.result?.metadata?.git.commit ?? null,
  };
  await o.history.storeRun(path.join(o.outDir, entry.id), run.key, record);
  o.log(`nightly ${entry.id}: stored in ${o.history.kind === 'folder' ? path.join(o.history.display, record.dir) : `${o.history.display} as ${record.nightlyRunId}/${record.entry}`} (${alarms.length ? `${alarms.length} alarm(s)` : 'no alarm'})`);
}

function machineLine(entries: readonly EntryJudgement[]): string | null {
  const fp = entries.find((e) => e.key)?.key?.fingerprint;
  const m = machineFacts();
  return `${m.cpuModel}, ${m.cpus} cpus, ${Math.round(m.memoryBytes / 2 ** 30)} GiB${fp ? ` (fingerprint ${fp})` : ''}`;
}
