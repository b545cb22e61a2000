/**
 * Verdicts on intervals, and the Production Ready verdict over a KPI table. A comparative KPI
 * passes only when its whole interval clears the target, fails only when its whole interval misses
 * it, and is otherwise inconclusive — with the repetitions that would likely decide it. Pure.
 */
import type { KpiTarget } from './kpi.ts';
import { repetitionsToDecide, type PairedRatio } from './paired.ts';

/** Outcome of one KPI line. */
export type { KpiInterval, Outcome } from '../formats/validation-file.ts';
import type { KpiInterval, Outcome } from '../formats/validation-file.ts';

const holds = (x: number, op: KpiTarget['op'], t: number): boolean => (op === '<' ? x < t : op === '<=' ? x <= t : op === '>' ? x > t : x >= t);

/** pass when every value of [low, high] meets the target, fail when none does, else inconclusive. */
export function decideOnInterval(target: Pick<KpiTarget, 'op' | 'value'>, low: number, high: number): 'pass' | 'fail' | 'inconclusive' {
  if (!(low <= high)) throw new Error(`interval [${low}, ${high}] is empty or not a number`);
  const lowHolds = holds(low, target.op, target.value);
  const highHolds = holds(high, target.op, target.value);
  if (lowHolds && highHolds) return 'pass';
  if (!lowHolds && !highHolds) return 'fail';
  return 'inconclusive';
}

/** A reduction KPI (1 − B/A, e.g. "overhead_reduction >= 36.6%") from a paired ratio. */
export interface ReductionKpi {
  /** 1 − geometric mean of B_r/A_r; null without data. */
  readonly estimate: number | null;
  readonly interval: KpiInterval | null;
  /** Repetitions that would likely decide the target at the observed mean and SD (null: not estimable). */
  readonly repetitionsToDecide: number | null;
}

export const PAIRED_METHOD = 'paired Student t on ln(B_r/A_r) over repetitions (A and B of one repetition ran back to back)';

/** Reduction = 1 − ratio; a higher ratio is a smaller reduction, so the interval's ends swap. */
export function reductionKpi(paired: PairedRatio | null, target: Pick<KpiTarget, 'op' | 'value'>, method = PAIRED_METHOD): ReductionKpi {
  if (!paired) return { estimate: null, interval: null, repetitionsToDecide: null };
  const estimate = 1 - paired.ratio;
  const interval = paired.ratioLow === null || paired.ratioHigh === null
    ? null
    : { low: 1 - paired.ratioHigh, high: 1 - paired.ratioLow, confidence: paired.confidence, method, n: paired.n };
  // The target on the reduction is a boundary on the log ratio: reduction T ⇔ ln(1 − T).
  const boundary = target.value < 1 ? Math.log(1 - target.value) : null;
  const distance = boundary === null ? 0 : paired.meanLog - boundary;
  return { estimate, interval, repetitionsToDecide: repetitionsToDecide(paired.sdLog, distance, paired.confidence) };
}

/** What the Production Ready verdict needs of a KPI line. */
export interface VerdictLine {
  readonly metric: string;
  readonly outcome: Outcome;
  /** Default true: a KPI the roadmap requires. */
  readonly required?: boolean;
  readonly note?: string;
}

export interface ProductionVerdict {
  readonly verdict: 'yes' | 'no' | 'inconclusive';
  /** Why it is not yes: one line per blocking KPI. */
  readonly reasons: readonly string[];
}

/**
 * yes only when every required KPI passes. A failed KPI (required or not: a checklist item that
 * was measured and missed is never waved through) or a required KPI that cannot be measured → no;
 * otherwise an inconclusive one → inconclusive. Informational lines and optional unmeasurable
 * claims do not count.
 */
export function productionVerdict(lines: readonly VerdictLine[]): ProductionVerdict {
  const required = (l: VerdictLine): boolean => l.required !== false;
  const failed = lines.filter((l) => l.outcome === 'fail').map((l) => `${l.metric}: failed`);
  const blocked = lines.filter((l) => l.outcome === 'not-measurable' && required(l)).map((l) => `${l.metric}: required but not measured${l.note ? ` (${l.note})` : ''}`);
  const open = lines.filter((l) => l.outcome === 'inconclusive' && required(l)).map((l) => `${l.metric}: inconclusive`);
  if (failed.length || blocked.length) return { verdict: 'no', reasons: [...failed, ...blocked, ...open] };
  if (open.length) return { verdict: 'inconclusive', reasons: open };
  return { verdict: 'yes', reasons: [] };
}
