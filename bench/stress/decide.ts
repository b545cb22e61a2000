/**
 * The three-outcome decision on an interval (issue 11's rule): ✓ only when the whole interval
 * clears the target, ✗ when the whole interval misses it, otherwise inconclusive. Pure.
 * Stand-in for the shared decision function of bench/analysis/ (branch `verdicts`); same semantics.
 */
import type { KpiOp } from '../analysis/kpi.ts';

export type Decision = 'pass' | 'fail' | 'inconclusive';

const clears = (x: number, op: KpiOp, target: number): boolean =>
  op === '>=' ? x >= target : op === '>' ? x > target : op === '<=' ? x <= target : x < target;

/** lo ≤ hi; either may be ±Infinity (an open end). NaN anywhere → inconclusive. */
export function decideInterval(lo: number, hi: number, op: KpiOp, target: number): Decision {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return 'inconclusive';
  const loClears = clears(lo, op, target);
  const hiClears = clears(hi, op, target);
  if (loClears && hiClears) return 'pass';
  if (!loClears && !hiClears) return 'fail';
  return 'inconclusive';
}
