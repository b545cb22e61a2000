import { productionVerdict, decideOnInterval, type KpiInterval, type Outcome, type ProductionVerdict } from '../analysis/decision.ts';
import { judge, parseKpiTarget, formatBesideTarget } from '../analysis/kpi.ts';
import type { TargetSpec } from './targets.ts';
import type { CheckRecord } from '../formats/validation-file.ts';
import { checksVerdict, OUTCOME_MARK, outcomeOf } from '../analysis/verdict.ts';

export { allTargetsHold, checksVerdict, OUTCOME_MARK, outcomeOf, VERDICT_WORDS } from '../analysis/verdict.ts';

export type { KpiInterval, Outcome };

/**
 * One line of a validator's KPI table (the roadmap's "Métrica | Target | Achieved | ✓"): the
 * target comes from configuration, the achieved value from a measurement in this run — or the
 * line says why it was not measured. Never an invented value. Its shape is validation.json's
 * (formats/validation-file.ts): what a validator builds is what the file records.
 */
export type Check = CheckRecord;

/** A target as a string (grammar) or as a targets-file entry. */
export type TargetInput = string | TargetSpec;

const specOf = (t: TargetInput): { target: string; required?: boolean; targetKey?: string } =>
  typeof t === 'string' ? { target: t } : { target: t.target, required: t.required, targetKey: t.key };


/** A check against a KPI target on a single measured value (no interval: sizes, counts, shares). */
export function targetCheck(metric: string, target: TargetInput, value: number | null | undefined, evidence?: unknown, note?: string): Check {
  const spec = specOf(target);
  const t = parseKpiTarget(spec.target);
  const verdict = judge(t, value ?? undefined);
  const outcome: Outcome = verdict.pass === true ? 'pass' : verdict.pass === false ? 'fail' : 'not-measurable';
  return {
    metric,
    ...spec,
    value: verdict.achieved,
    achieved: verdict.achieved === null ? 'not measured' : formatBesideTarget(verdict.achieved, t),
    pass: verdict.pass,
    outcome,
    ...(note ? { note } : {}),
    ...(evidence !== undefined ? { evidence } : {}),
  };
}

/**
 * A comparative KPI judged on its interval: pass only when the whole interval clears the target,
 * fail when the whole interval misses it, otherwise inconclusive (with the repetitions that would
 * likely decide it). Without an interval (one repetition) a measured estimate is inconclusive.
 */
export function intervalCheck(metric: string, target: TargetInput, estimate: number | null | undefined, interval: KpiInterval | null, options: { evidence?: unknown; note?: string; repetitionsToDecide?: number | null } = {}): Check {
  const spec = specOf(target);
  const t = parseKpiTarget(spec.target);
  const base = { metric, ...spec, ...(options.evidence !== undefined ? { evidence: options.evidence } : {}) };
  if (estimate === null || estimate === undefined || !Number.isFinite(estimate)) {
    return { ...base, value: null, achieved: 'not measured', pass: null, outcome: 'not-measurable', ...(options.note ? { note: options.note } : {}) };
  }
  const outcome = interval ? decideOnInterval(t, interval.low, interval.high) : 'inconclusive';
  const shown = interval
    ? `${formatBesideTarget(estimate, t)} [${formatBesideTarget(interval.low, t)}, ${formatBesideTarget(interval.high, t)}]`
    : `${formatBesideTarget(estimate, t)} (no interval)`;
  const decide = outcome === 'inconclusive'
    ? interval ? (options.repetitionsToDecide ? `interval straddles the target; about ${options.repetitionsToDecide} repetitions would likely decide it at the observed spread` : 'interval straddles the target; the observed spread gives no estimate of the repetitions needed')
      : 'one repetition: no interval; run at least 2 (--repeat)'
    : undefined;
  const note = [options.note, decide].filter(Boolean).join('; ');
  return {
    ...base,
    value: estimate,
    achieved: shown,
    pass: outcome === 'pass' ? true : outcome === 'fail' ? false : null,
    outcome,
    ...(interval ? { interval } : {}),
    ...(outcome === 'inconclusive' ? { repetitionsToDecide: options.repetitionsToDecide ?? null } : {}),
    ...(note ? { note } : {}),
  };
}

/** A yes/no checklist item ("Rollback tested"): passes only when `ok` is true. */
export function booleanCheck(metric: string, ok: boolean, achieved: string, evidence?: unknown): Check {
  return { metric, target: 'yes', value: ok ? 1 : 0, achieved, pass: ok, outcome: ok ? 'pass' : 'fail', ...(evidence !== undefined ? { evidence } : {}) };
}

/** A reported figure without a target (e.g. cache hit ratio before/after). */
export function infoCheck(metric: string, achieved: string, evidence?: unknown): Check {
  return { metric, target: null, value: null, achieved, pass: null, outcome: 'info', ...(evidence !== undefined ? { evidence } : {}) };
}

/** A roadmap claim PostgreSQL cannot show: listed, with the reason, never given a value. Required unless the targets file says not. */
export function notMeasurable(metric: string, claim: TargetInput, reason: string): Check {
  return { metric, ...specOf(claim), value: null, achieved: 'not measurable', pass: null, outcome: 'not-measurable', note: reason };
}



/** The roadmap-style table, one row per check. */
export function formatChecks(title: string, checks: readonly Check[]): string {
  const rows = [['Métrica', 'Target', 'Achieved', '']];
  for (const c of checks) rows.push([c.metric, c.target ?? '—', c.achieved, OUTCOME_MARK[outcomeOf(c)] + (c.required === false ? ' (optional)' : '')]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ')} |`;
  const out = [title, line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)];
  for (const c of checks) if (c.note) out.push(`  ${c.metric}: ${c.note}`);
  for (const c of checks) {
    const perType = (c.evidence as { perType?: Array<{ queryType: string; share: number; change: number | null }> } | undefined)?.perType;
    if (Array.isArray(perType)) out.push(`  ${c.metric} by type (share of the mix: change): ${perType.map((t) => `${t.queryType} ${(100 * t.share).toFixed(0)}%: ${t.change === null ? 'n/a' : `${t.change >= 0 ? '+' : ''}${(100 * t.change).toFixed(1)}%`}`).join(', ')}`);
  }
  out.push('  ✓ whole interval clears the target · ✗ whole interval misses it · ? inconclusive (interval straddles it) · n/a not measured');
  return out.join('\n');
}

