/**
 * The front page of a validation report: the verdict (Production Ready yes / no / inconclusive),
 * the few KPI lines that decide it, and the forest plot — readable in a minute; the long checklist
 * follows. The same lead for summary.md. Pure; every value escaped.
 */
import { checksVerdict, outcomeOf, VERDICT_WORDS } from '../analysis/verdict.ts';
import type { CheckRecord as Check } from '../formats/validation-file.ts';
import type { ValidationFile } from '../formats/validation-file.ts';
import type { ProductionVerdict } from '../analysis/decision.ts';
import { escapeMarkdown as md, html, type SafeHtml } from '../output/escape.ts';
import { FOREST_PLOT_FILE } from './forest-plot.ts';
import type { WorkloadTypeRow } from '../analysis/workload-cost.ts';

export { FOREST_PLOT_FILE };

type VerdictKind = ProductionVerdict['verdict'];

export const VERDICT_CLASS: Readonly<Record<VerdictKind, string>> = { yes: 'good', no: 'bad', inconclusive: 'open' };
const HEADLINE: Readonly<Record<VerdictKind, string>> = { yes: 'Production Ready: YES', no: 'Production Ready: NO', inconclusive: 'Production Ready: INCONCLUSIVE' };

/** The verdict of a validation file: recorded, or recomputed from its checks (files written before verdicts). */
export function verdictOfFile(v: Pick<ValidationFile, 'checks' | 'verdict'>): VerdictKind {
  return v.verdict ?? checksVerdict(v.checks).verdict;
}

/** The lines that decide: every comparative KPI (with an interval) and every line that keeps the verdict from yes. */
export function decidingChecks(checks: readonly Check[]): Check[] {
  return checks.filter((c) => {
    if (/Production Ready/.test(c.metric)) return false;
    const o = outcomeOf(c);
    return c.interval !== undefined || o === 'fail' || o === 'inconclusive' || (o === 'not-measurable' && c.required !== false);
  });
}

const MARK = { pass: '✓', fail: '✗', inconclusive: '?', info: '·', 'not-measurable': 'n/a' } as const;

/** A workload-weighted KPI's per-type rows (evidence.perType of workloadCheck), or null. */
export function perTypeRows(c: Check): WorkloadTypeRow[] | null {
  const rows = (c.evidence as { perType?: unknown } | undefined)?.perType;
  return Array.isArray(rows) ? (rows as WorkloadTypeRow[]) : null;
}

const msText = (us: number | null): string => (us === null ? 'n/a' : `${(us / 1000).toFixed(3)} ms`);
const pctText = (x: number | null, sign = true): string => (x === null ? 'n/a' : `${sign && x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`);

/** Per-type table lines: query type, share of the mix, A mean, B mean, change. */
export function perTypeCells(rows: readonly WorkloadTypeRow[]): string[][] {
  return rows.map((r) => [r.queryType, pctText(r.share, false), msText(r.baselineMeanUs), msText(r.optimizedMeanUs), pctText(r.change)]);
}
const PER_TYPE_HEADER = ['query type', 'share of the mix', 'baseline mean', 'optimized mean', 'change'];

interface Figure {
  readonly file: string;
}

/** The HTML front section. `forest` is the rendered forest plot, drawn by `figure`. */
export function frontPageHtml<F extends Figure>(v: ValidationFile, forest: F | null, figure: (f: F) => SafeHtml): SafeHtml {
  const verdict = verdictOfFile(v);
  const reasons = v.verdictReasons ?? checksVerdict(v.checks).reasons;
  const lines = decidingChecks(v.checks);
  return html`<section id="verdict"><h2 class="${VERDICT_CLASS[verdict]}">${HEADLINE[verdict]}</h2>
<p>${v.roadmapName}: ${VERDICT_WORDS[verdict]}. ✓ = the whole 95% interval clears the target, ✗ = it misses it, ? = it straddles it (inconclusive: not Production Ready).</p>
${reasons.length ? html`<ul class="compact">${reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${lines.length ? html`<table class="kpi" id="deciding"><thead><tr><th></th><th>KPI</th><th>Target</th><th>Achieved [95% interval]</th><th>Repetitions to decide</th></tr></thead><tbody>
${lines.map((c) => html`<tr class="verdict-${outcomeOf(c)}"><td class="verdict">${MARK[outcomeOf(c)]}</td><td>${c.metric}</td><td class="target">${c.target ?? '—'}</td><td class="achieved">${c.achieved}</td><td>${c.repetitionsToDecide ? String(c.repetitionsToDecide) : outcomeOf(c) === 'inconclusive' ? 'not estimable' : ''}</td></tr>\n`)}
</tbody></table>` : ''}
${forest ? figure(forest) : ''}
${lines.filter((c) => perTypeRows(c)).map((c) => html`<h3>${c.metric}: by query type</h3><table class="num"><thead><tr>${PER_TYPE_HEADER.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${perTypeCells(perTypeRows(c)!).map((cells) => html`<tr>${cells.map((x) => html`<td>${x}</td>`)}</tr>
`)}</tbody></table>`)}
</section>`;
}

/** The Markdown lead of summary.md. */
export function frontPageMarkdown(v: ValidationFile): string[] {
  const verdict = verdictOfFile(v);
  const reasons = v.verdictReasons ?? checksVerdict(v.checks).reasons;
  const lines = decidingChecks(v.checks);
  const out = [`### ${HEADLINE[verdict]}`, '', `${md(v.roadmapName)}: ${md(VERDICT_WORDS[verdict])}. ✓ whole 95% interval clears the target · ✗ misses it · ? straddles it (inconclusive).`, ''];
  if (reasons.length) out.push(...reasons.map((r) => `- ${md(r)}`), '');
  if (lines.length) {
    out.push('| | KPI | Target | Achieved [95% interval] | Repetitions to decide |', '|---|---|---|---|---|');
    for (const c of lines) out.push(`| ${MARK[outcomeOf(c)]} | ${md(c.metric)} | ${md(c.target ?? '—')} | ${md(c.achieved)} | ${c.repetitionsToDecide ? c.repetitionsToDecide : outcomeOf(c) === 'inconclusive' ? 'not estimable' : ''} |`);
    out.push('');
  }
  if (v.checks.some((c) => c.interval)) out.push(`![KPI intervals against their targets](charts/${FOREST_PLOT_FILE})`, '');
  for (const c of lines) {
    const rows = perTypeRows(c);
    if (!rows) continue;
    out.push(`**${md(c.metric)}: by query type**`, '', `| ${PER_TYPE_HEADER.join(' | ')} |`, `|${PER_TYPE_HEADER.map(() => '---').join('|')}|`, ...perTypeCells(rows).map((r) => `| ${r.map(md).join(' | ')} |`), '');
  }
  return out;
}
