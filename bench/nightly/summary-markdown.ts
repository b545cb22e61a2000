/**
 * The Markdown summary of a nightly (or compare) report: verdict, one table row per entry, then per
 * entry the notices, regressions, plan diffs, KPIs and improvements. Every value is escaped.
 */
import { escapeMarkdown } from '../output/escape.ts';
import { markdownFence } from '../output/markdown.ts';
import { change as formatChange, valueInUnit as formatValue } from '../output/format.ts';
import { metricLabel } from './metrics.ts';
import { outcomeOf, type EntryJudgement, type NightlyReport } from './judgement.ts';
import type { MetricVerdict } from './detector.ts';

const e = escapeMarkdown;

export function verdictLine(report: NightlyReport): string {
  const o = outcomeOf(report);
  const parts = [
    `${o.regressions} regression${o.regressions === 1 ? '' : 's'}`,
    `${o.planChanges} plan change${o.planChanges === 1 ? '' : 's'}${report.planChange === 'warn' && o.planChanges ? ' (warn only)' : ''}`,
    `${o.kpiFailures} KPI${o.kpiFailures === 1 ? '' : 's'} not met${report.kpi === 'warn' && o.kpiFailures ? ' (warning, kpi: warn)' : ''}`,
  ];
  if (o.broken) parts.push(`${o.broken} entr${o.broken === 1 ? 'y' : 'ies'} incomplete or failed`);
  if (o.suspects) parts.push(`${o.suspects} suspect (machine-wide slowdown, not failing)`);
  if (o.improvements) parts.push(`${o.improvements} improvement${o.improvements === 1 ? '' : 's'}`);
  return `${verdictWord(o.exitCode)}: ${parts.join(', ')}; ${o.judged} metrics judged, ${o.notJudged} not judged`;
}

/** PASS (exit 0), FAIL (1: a regression), BROKEN (3: the run itself is incomplete or errored). */
export function verdictWord(exitCode: number): string {
  return exitCode === 0 ? 'PASS' : exitCode === 3 ? 'BROKEN RUN' : 'FAIL';
}

/** A KPI line's result word: a miss is FAIL under kpi = fail, a warning under kpi = warn. */
export function kpiResultWord(pass: boolean | null, gate: 'fail' | 'warn'): string {
  return pass === true ? 'pass' : pass === false ? (gate === 'fail' ? 'FAIL' : 'not met (warning)') : '·';
}

function metricRow(m: MetricVerdict): string {
  const ci = m.ci ? ` [${formatChange(m.ci.low)}, ${formatChange(m.ci.high)}]` : '';
  return `| ${e(metricLabel(m.metric.id))} | ${e(formatValue(m.baseline, m.metric.unit))} | ${e(formatValue(m.metric.value, m.metric.unit))} | ${e(formatChange(m.change) + ci)} | ${e(m.reason)} |`;
}

function entrySection(entry: EntryJudgement, report: NightlyReport): string[] {
  const out = [`## ${e(entry.entry)} (${e(entry.kind)} ${e(entry.name)})`, ''];
  out.push(`run ${e(entry.runId)}, status **${e(entry.status)}**${entry.statusReason ? `: ${e(entry.statusReason)}` : ''}, ${entry.seconds.toFixed(0)} s`);
  if (entry.key) out.push('', `series: ${e(entry.key.scenario)}, scale ${entry.key.scale}, seed ${entry.key.seed}, machine ${e(entry.key.fingerprint)}, ${e(entry.key.configText)}`);
  out.push('', `${report.kind === 'compare' ? 'compared with' : 'history'}: ${entry.historyRuns.length ? entry.historyRuns.map(e).join(', ') : 'none'}`);
  if (entry.notices.length) out.push('', ...entry.notices.map((n) => `- ${e(n)}`));
  const regressions = entry.metrics.filter((m) => m.status === 'regression');
  const improvements = entry.metrics.filter((m) => m.status === 'improvement');
  const suspects = entry.metrics.filter((m) => m.status === 'suspect');
  const header = ['| metric | history | this run | change | rule |', '|---|---|---|---|---|'];
  if (report.kind === 'compare') header[0] = '| metric | run A | run B | change | rule |';
  if (regressions.length) out.push('', '### Regressions', '', ...header, ...regressions.map(metricRow));
  if (suspects.length) out.push('', '### Suspect: machine-wide slowdown (not failing)', '', ...header, ...suspects.map(metricRow));
  const shifts = entry.changePoints ?? [];
  if (shifts.length && report.kind === 'nightly') {
    out.push('', '### Change points (level shifts over the trend; informational)', '', '| metric | first run after the shift | commit | before → after | change |', '|---|---|---|---|---|');
    for (const c of shifts) out.push(`| ${e(metricLabel(c.metricId))} | ${e(c.runId)} | ${e(c.commit ? c.commit.slice(0, 12) : '—')} | ${e(`${formatValue(c.before, c.unit)} → ${formatValue(c.after, c.unit)}`)} | ${e(formatChange(c.change))} |`);
  }
  const changed = entry.plans.filter((p) => p.status === 'changed');
  if (changed.length) {
    out.push('', `### Plan changes${report.planChange === 'warn' ? ' (reported, not failing)' : ''}`);
    for (const p of changed) {
      out.push('', `#### ${e(p.variant)} · ${e(p.queryType)} — ${e(p.reason)}`, '', markdownFence(p.diff.join('\n'), 'diff'));
    }
  }
  const plansSeen = entry.plans.filter((p) => p.status === 'unchanged' && p.diff.length > 0);
  if (plansSeen.length) out.push('', `${plansSeen.length} plan(s) differ from the last run but match one the history has seen: ${plansSeen.map((p) => e(`${p.variant}/${p.queryType}`)).join(', ')}`);
  if (entry.kpis.length) {
    out.push('', `### KPIs and checks${report.kpi === 'warn' ? ' (kpi: warn — a target not met is reported, it does not fail the night)' : ''}`, '', '| KPI | target | achieved | result |', '|---|---|---|---|');
    for (const k of entry.kpis) out.push(`| ${e(k.label)} | ${e(k.target ?? '—')} | ${e(k.achieved)} | ${k.pass === false ? `**${kpiResultWord(k.pass, report.kpi)}**` : kpiResultWord(k.pass, report.kpi)} |`);
  }
  if (improvements.length) out.push('', '### Improvements', '', ...header, ...improvements.map(metricRow));
  const counts = new Map<string, number>();
  for (const m of entry.metrics) counts.set(m.status, (counts.get(m.status) ?? 0) + 1);
  out.push('', `metrics: ${[...counts].map(([s, c]) => `${c} ${s}`).join(', ') || 'none'}; plans: ${entry.plans.length} (${changed.length} changed)`);
  return out;
}

export function renderMarkdown(report: NightlyReport): string {
  const o = outcomeOf(report);
  const out = [
    `# geobench ${report.kind} ${e(report.runId)} — ${verdictWord(o.exitCode)}`,
    '',
    e(verdictLine(report)),
    '',
    `${e(report.title)}; ${e(report.startedAt)} → ${e(report.finishedAt)}${report.machine ? `; machine ${e(report.machine)}` : ''}${report.commit ? `; commit ${e(report.commit)}` : ''}${report.configFile ? `; config ${e(report.configFile)}` : ''}`,
    '',
    '| entry | status | regressions | plan changes | KPIs not met | judged | history runs |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const en of report.entries) {
    const reg = en.metrics.filter((m) => m.status === 'regression').length;
    const judged = en.metrics.filter((m) => ['ok', 'regression', 'improvement', 'suspect'].includes(m.status)).length;
    out.push(`| ${e(en.entry)} | ${e(en.status)} | ${reg} | ${en.plans.filter((p) => p.status === 'changed').length} | ${en.kpis.filter((k) => k.pass === false).length} | ${judged}/${en.metrics.length} | ${en.historyRuns.length} |`);
  }
  for (const en of report.entries) out.push('', ...entrySection(en, report));
  const d = report.detector;
  out.push('', '---', '', `Rule: ${report.kind === 'compare'
    ? 'a latency/throughput change is a regression when its 95% bootstrap interval (over repetitions) lies on the worse side and the change exceeds the minimum effect'
    : `lookback ${d.lookback} good comparable runs (${d.minHistory} needed), one-sided prediction interval at α = ${d.alpha} in log space`}; minimum effect p50 ${pct(d.minEffect.p50)}, p99 ${pct(d.minEffect.p99)}, throughput ${pct(d.minEffect.throughput)}, sizes ${pct(d.minEffect.size)}, KPI values ${pct(d.minEffect.kpi)}. See docs/nightly.md.`);
  return `${out.join('\n')}\n`;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
