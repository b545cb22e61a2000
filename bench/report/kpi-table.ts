/**
 * The KPI table: the run's KPI verdicts (result.json `kpis[]`) and the validator's checks
 * (validation.json `checks[]`) as one list of rows with target and achieved side by side. A value
 * that was not measured is shown as "not measured" — never as a number.
 */
import { formatBesideTarget, parseKpiTarget } from '../analysis/kpi.ts';
import type { KpiRecord } from '../formats/run-result.ts';
import { outcomeOf } from '../analysis/verdict.ts';
import type { CheckRecord as Check } from '../formats/validation-file.ts';
import { html, type SafeHtml } from '../output/escape.ts';

export const NOT_MEASURED = 'not measured';
const NOT_MEASURABLE = 'not measurable';

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'not measured' | 'not measurable' | 'info';

export interface KpiRow {
  /** `run` (result.json kpis) or `validation` (validation.json checks). */
  readonly source: 'run' | 'validation';
  readonly metric: string;
  /** Variant and scope of a run KPI ("opt1 · Q3"); null for a validator check. */
  readonly scope: string | null;
  /** The target as written; null for an informational line. */
  readonly target: string | null;
  readonly achieved: string;
  readonly verdict: Verdict;
  readonly note: string | null;
}

/** Formats a run KPI's achieved value (canonical unit) the way its target is written. */
export function formatAchieved(k: Pick<KpiRecord, 'target' | 'achieved'>): string {
  if (k.achieved === null || k.achieved === undefined || !Number.isFinite(k.achieved)) return NOT_MEASURED;
  try {
    return formatBesideTarget(k.achieved, parseKpiTarget(k.target));
  } catch {
    return String(Number(k.achieved.toPrecision(4)));
  }
}

/** Rows of a run's KPIs. */
export function kpiRowsFromRun(kpis: readonly KpiRecord[]): KpiRow[] {
  return kpis.map((k) => {
    const achieved = formatAchieved(k);
    const verdict: Verdict = achieved === NOT_MEASURED ? 'not measured' : k.pass === true ? 'pass' : k.pass === false ? 'fail' : 'not measured';
    return { source: 'run', metric: k.label || k.target, scope: `${k.variant} · ${k.scope === 'all' || k.scope === '*' ? 'all operations' : k.scope}`, target: k.target, achieved, verdict, note: null };
  });
}

/** Rows of a validator's checks. A check with a target but no value is "not measured" whatever its text says. */
export function kpiRowsFromChecks(checks: readonly Check[]): KpiRow[] {
  return checks.map((c) => {
    const measurable = c.achieved !== NOT_MEASURABLE;
    const unmeasured = c.target !== null && measurable && (c.value === null || c.value === undefined);
    const achieved = !measurable ? NOT_MEASURABLE : unmeasured ? NOT_MEASURED : c.achieved;
    const outcome = outcomeOf(c);
    const verdict: Verdict = !measurable
      ? 'not measurable'
      : c.target === null
        ? 'info'
        : unmeasured
          ? 'not measured'
          : outcome === 'pass' || outcome === 'fail' || outcome === 'inconclusive'
            ? outcome
            : 'not measured';
    const optional = c.required === false ? 'optional: does not block Production Ready' : null;
    const note = [c.note, optional].filter(Boolean).join('; ') || null;
    return { source: 'validation', metric: c.metric, scope: null, target: c.target, achieved, verdict, note };
  });
}

export const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  pass: '✓ pass',
  fail: '✗ FAIL',
  inconclusive: '? inconclusive',
  'not measured': 'not measured',
  'not measurable': 'n/a',
  info: 'info',
};

/** The KPI table as HTML. */
export function kpiTableHtml(rows: readonly KpiRow[]): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">No KPI targets in this run.</p>`;
  const body = rows.map(
    (r) => html`<tr class="verdict-${r.verdict.replace(' ', '-')}">
  <td>${r.metric}${r.note ? html`<div class="note">${r.note}</div>` : ''}</td>
  <td>${r.scope ?? (r.source === 'validation' ? 'validator' : '')}</td>
  <td class="target">${r.target ?? '—'}</td>
  <td class="achieved">${r.achieved}</td>
  <td class="verdict">${VERDICT_TEXT[r.verdict]}</td>
</tr>`,
  );
  return html`<table class="kpi" id="kpi-table">
<thead><tr><th>Metric</th><th>Scope</th><th>Target</th><th>Achieved</th><th>Result</th></tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

/** One-line tally, e.g. "3 pass, 1 fail, 1 not measured". */
export function kpiTally(rows: readonly KpiRow[]): string {
  const n = (v: Verdict): number => rows.filter((r) => r.verdict === v).length;
  const parts = [`${n('pass')} pass`, `${n('fail')} fail`];
  if (n('inconclusive')) parts.push(`${n('inconclusive')} inconclusive`);
  if (n('not measured')) parts.push(`${n('not measured')} not measured`);
  if (n('not measurable')) parts.push(`${n('not measurable')} not measurable`);
  return parts.join(', ');
}
