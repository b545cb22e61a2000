/**
 * The three-outcome decision on a capacity interval: the shared rule of bench/analysis/decision.ts
 * (✓ only when the whole interval clears the target, ✗ when it misses it, otherwise inconclusive),
 * plus what a capacity range can hold that a KPI interval cannot: an open end (±Infinity, handled
 * by the shared rule) or no range at all (NaN), which decides nothing. Pure.
 */
import { decideOnInterval } from '../analysis/decision.ts';
import type { KpiOp } from '../analysis/kpi.ts';

export type Decision = 'pass' | 'fail' | 'inconclusive';

/** lo ≤ hi; either may be ±Infinity (an open end). NaN anywhere → inconclusive. */
export function decideInterval(lo: number, hi: number, op: KpiOp, target: number): Decision {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return 'inconclusive';
  return decideOnInterval({ op, value: target }, lo, hi);
}
