import { judge, parseKpiTarget, formatInUnit } from '../analysis/kpi.ts';

/**
 * One line of a validator's KPI table (the roadmap's "Métrica | Target | Achieved | ✓"): the
 * target comes from configuration, the achieved value from a measurement in this run — or the
 * line says why it was not measured. Never an invented value.
 */
export interface Check {
  /** Roadmap wording, e.g. "Storage Reduction". */
  readonly metric: string;
  /** The target as written (`storage_reduction > 35%`), or null for an informational line. */
  readonly target: string | null;
  /** Measured value in the target's canonical unit (µs, fraction, ops/s), or null. */
  readonly value: number | null;
  /** Human-readable achieved value. */
  readonly achieved: string;
  /** true/false against the target; null when informational or not measured. */
  readonly pass: boolean | null;
  /** Why a value is missing (not measurable on PostgreSQL, a step failed …). */
  readonly note?: string;
  /** Raw measurements behind the value (sizes, timings…), kept in the result file. */
  readonly evidence?: unknown;
}

/** A check against a KPI target string, judged by the shared KPI grammar. */
export function targetCheck(metric: string, target: string, value: number | null | undefined, evidence?: unknown, note?: string): Check {
  const t = parseKpiTarget(target);
  const verdict = judge(t, value ?? undefined);
  return {
    metric,
    target,
    value: verdict.achieved,
    achieved: verdict.achieved === null ? 'not measured' : formatInUnit(verdict.achieved, t, 4),
    pass: verdict.pass,
    ...(note ? { note } : {}),
    ...(evidence !== undefined ? { evidence } : {}),
  };
}

/** A yes/no checklist item ("Rollback tested"): passes only when `ok` is true. */
export function booleanCheck(metric: string, ok: boolean, achieved: string, evidence?: unknown): Check {
  return { metric, target: 'yes', value: ok ? 1 : 0, achieved, pass: ok, ...(evidence !== undefined ? { evidence } : {}) };
}

/** A reported figure without a target (e.g. cache hit ratio before/after). */
export function infoCheck(metric: string, achieved: string, evidence?: unknown): Check {
  return { metric, target: null, value: null, achieved, pass: null, ...(evidence !== undefined ? { evidence } : {}) };
}

/** A roadmap claim PostgreSQL cannot show: listed, with the reason, never given a value. */
export function notMeasurable(metric: string, claim: string, reason: string): Check {
  return { metric, target: claim, value: null, achieved: 'not measurable', pass: null, note: reason };
}

/** Every target held (informational and not-measurable lines do not count; a failed or unmeasured target does). */
export function allTargetsHold(checks: readonly Check[]): boolean {
  return checks.every((c) => c.target === null || c.achieved === 'not measurable' || c.pass === true);
}

/** The roadmap-style table, one row per check. */
export function formatChecks(title: string, checks: readonly Check[]): string {
  const rows = [['Métrica', 'Target', 'Achieved', '']];
  for (const c of checks) rows.push([c.metric, c.target ?? '—', c.achieved, c.pass === true ? '✓' : c.pass === false ? '✗' : c.achieved === 'not measurable' ? 'n/a' : '·']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ')} |`;
  const out = [title, line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)];
  for (const c of checks) if (c.note) out.push(`  ${c.metric}: ${c.note}`);
  return out.join('\n');
}
