import type { PlanRow } from './signoff-plan.ts';

/** One part of a run (a validator), its planned time against the time it took. */
export interface PlanAccuracyRow {
  readonly part: string;
  readonly estimatedSec: number;
  readonly measuredSec: number;
  /** (estimated − measured) / measured; null when nothing was measured. */
  readonly error: number | null;
}

/**
 * The plan's estimate per part (its rows summed; a step without a figure counts 0, as in the
 * plan's totals) against each part's measured wall time, in the plan's order, plus the whole.
 * Parts reused by a resumed sign-off (not measured in this run) are left out.
 */
export function planAccuracy(rows: readonly PlanRow[], measuredSec: Readonly<Record<string, number>>): PlanAccuracyRow[] {
  const estimated = new Map<string, number>();
  for (const r of rows) estimated.set(r.part, (estimated.get(r.part) ?? 0) + (r.seconds ?? 0));
  const out: PlanAccuracyRow[] = [];
  for (const [part, est] of estimated) {
    const measured = measuredSec[part];
    if (measured === undefined) continue;
    out.push({ part, estimatedSec: est, measuredSec: measured, error: measured > 0 ? (est - measured) / measured : null });
  }
  if (out.length > 1) {
    const est = out.reduce((a, r) => a + r.estimatedSec, 0);
    const measured = out.reduce((a, r) => a + r.measuredSec, 0);
    out.push({ part: 'total', estimatedSec: est, measuredSec: measured, error: measured > 0 ? (est - measured) / measured : null });
  }
  return out;
}

export function formatPlanAccuracy(rows: readonly PlanAccuracyRow[]): string {
  const pct = (e: number | null): string => (e === null ? 'n/a' : `${e >= 0 ? '+' : ''}${(100 * e).toFixed(0)}%`);
  return ['plan vs measured (wall time per part):', ...rows.map((r) => `  ${r.part.padEnd(10)} estimated ${r.estimatedSec.toFixed(0).padStart(6)} s, took ${r.measuredSec.toFixed(0).padStart(6)} s (${pct(r.error)})`)].join('\n');
}
