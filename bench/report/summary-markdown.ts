/**
 * summary.md: a short Markdown summary to paste into a pull request — the KPI table, the headline
 * comparisons, and where the files are. Every value from a result file goes through escapeMarkdown.
 */
import { intervalMethodText, type Comparison, type QueryTypeComparison } from '../analysis/compare.ts';
import type { RunResult } from '../formats/run-result.ts';
import type { ValidationFile } from '../formats/validation-file.ts';
import { escapeMarkdown as md } from '../output/escape.ts';
import { markdownCode as code, markdownTable as table } from '../output/markdown.ts';
import { change, changeInterval, queryLabel } from '../output/format.ts';
import { kpiTally, VERDICT_TEXT, type KpiRow } from './kpi-table.ts';
import { frontPageMarkdown, verdictOfFile } from './section-front.ts';
import { VERDICT_WORDS } from '../analysis/verdict.ts';

export interface SummaryInput {
  readonly title: string;
  readonly result: RunResult | null;
  readonly validation: ValidationFile | null;
  readonly kpiRows: readonly KpiRow[];
  /** The run folder as the reader should find it (relative to the repository when inside it). */
  readonly folder: string;
  /** Files of the report and of the run, relative to the folder. */
  readonly files: readonly string[];
}

export function kpiTableMarkdown(rows: readonly KpiRow[]): string[] {
  if (!rows.length) return ['No KPI targets in this run.'];
  return table(
    ['Metric', 'Scope', 'Target', 'Achieved', 'Result'],
    rows.map((r) => [md(r.metric), md(r.scope ?? (r.source === 'validation' ? 'validator' : '')), md(r.target ?? '—'), md(r.achieved), VERDICT_TEXT[r.verdict]]),
  );
}

const cmpCell = (m: QueryTypeComparison['metrics'][keyof QueryTypeComparison['metrics']] | undefined): string => (m ? `${change(m.change)} ${changeInterval(m)}` : '—');

/** Headline rows: overall and all operations, then each query type folded away. */
export function comparisonMarkdown(c: Comparison): string[] {
  const header = ['query type', 'p50 change [CI]', 'p99 change [CI]', 'throughput change [CI]', 'p99 verdict'];
  const row = (q: QueryTypeComparison): string[] => [md(q.queryType === 'overall' ? 'overall (geometric mean)' : queryLabel(q.queryType)), cmpCell(q.metrics.p50), cmpCell(q.metrics.p99), cmpCell(q.metrics.throughput), md(q.metrics.p99?.verdict ?? '—')];
  const all = c.byQueryType.find((q) => q.queryType === '*');
  const perType = c.byQueryType.filter((q) => q.queryType !== '*');
  return [
    `**${md(c.optimized)} vs ${md(c.baseline)}** (change = ${md(c.optimized)}/${md(c.baseline)} − 1; negative latency = faster; ${md(intervalMethodText(c))}):`,
    '',
    ...table(header, [c.overall, ...(all ? [all] : [])].map(row)),
    '',
    '<details><summary>Per query type</summary>',
    '',
    ...table(header, perType.map(row)),
    '',
    '</details>',
  ];
}

export function summaryMarkdown(input: SummaryInput): string {
  const r = input.result;
  const v = input.validation;
  const out: string[] = [`## ${md(input.title)}`, ''];
  const facts: string[] = [];
  if (r) {
    facts.push(`run **${md(r.status)}**${r.statusReason ? ` (${md(r.statusReason)})` : ''}`);
    facts.push(`scenario ${code(r.scenario.name)}`);
    facts.push(`scale ${md(r.dataset.scale)}, seed ${md(r.dataset.seed)}`);
    const m = r.metadata;
    if (m?.git?.commit) facts.push(`commit ${md(m.git.commit.slice(0, 12))}${m.git.dirty ? ' (dirty)' : ''}`);
    if (m?.versions?.postgres) facts.push(md(m.versions.postgres.replace(/ on .*$/, '')));
    if (m?.versions?.postgis) facts.push(`PostGIS ${md(m.versions.postgis)}`);
    if (m?.machine) facts.push(`${md(m.machine.cpus)} CPUs`);
  }
  if (v) facts.push(`${md(v.roadmapName)}: **${md(VERDICT_WORDS[verdictOfFile(v)])}**`);
  if (v) out.push(...frontPageMarkdown(v));
  out.push(facts.join(' · '), '');
  out.push(`### KPIs (${kpiTally(input.kpiRows)})`, '', ...kpiTableMarkdown(input.kpiRows), '');
  const comparisons = (r?.comparisons ?? []) as RunResult['comparisons'];
  if (comparisons.length) {
    out.push('### Headline comparisons', '');
    for (const c of comparisons) {
      if ('unavailable' in c) out.push(`**${md(c.optimized)} vs ${md(c.baseline)}**: comparison unavailable — ${md(c.unavailable)}`, '');
      else out.push(...comparisonMarkdown(c), '');
    }
  }
  const warnings = r?.warnings ?? [];
  if (warnings.length) out.push('### Warnings', '', ...warnings.map((w) => `- ${md(w)}`), '');
  out.push('### Files', '', `In ${code(input.folder)}:`, '', ...input.files.map((f) => `- ${code(f)}`), '');
  return out.join('\n');
}
