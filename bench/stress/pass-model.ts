/**
 * The pass probability of a variant as a function of the offered rate, estimated from every step
 * observed so far. More load never makes a step more likely to pass, so the estimate is the
 * monotone (non-increasing in rate) least-squares fit of the pass shares per rate: isotonic
 * regression by pool-adjacent-violators, each rate weighted by its number of steps. A pass above a
 * fail (noise at the knee) is pooled with it instead of reopening the search, and every observation
 * at a rate counts, not a majority vote. Pure.
 */

export interface RateTally {
  readonly rate: number;
  readonly passes: number;
  readonly fails: number;
}

export interface FittedRate extends RateTally {
  /** Fitted pass probability at this rate, non-increasing in rate. */
  readonly p: number;
}

/** Pool-adjacent-violators over tallies sorted by ascending rate. */
export function fitPassProbability(tallies: readonly RateTally[]): FittedRate[] {
  const blocks: Array<{ passes: number; total: number; size: number }> = [];
  for (const t of tallies) {
    blocks.push({ passes: t.passes, total: t.passes + t.fails, size: 1 });
    // Merge while the block on the left passes less often than the one on the right (a violation).
    while (blocks.length >= 2) {
      const right = blocks[blocks.length - 1]!;
      const left = blocks[blocks.length - 2]!;
      if (left.passes * right.total >= right.passes * left.total) break;
      blocks.splice(blocks.length - 2, 2, { passes: left.passes + right.passes, total: left.total + right.total, size: left.size + right.size });
    }
  }
  const fitted: FittedRate[] = [];
  let i = 0;
  for (const b of blocks) {
    for (let k = 0; k < b.size; k++, i++) fitted.push({ ...tallies[i]!, p: b.total > 0 ? b.passes / b.total : 0 });
  }
  return fitted;
}

/** Shares at which a rate counts as a sure pass / a sure fail for the capacity interval. */
export const SURE_PASS = 0.8;
export const SURE_FAIL = 0.2;

/**
 * The capacity interval from the fit: low = the highest rate that surely passes (p ≥ 0.8, and at
 * or below it nothing surely fails), high = the lowest rate above it that surely fails (p ≤ 0.2).
 * Rates in between pass sometimes: that noise is the width of the interval. Either end is
 * undefined when no observed rate qualifies.
 */
export function noiseInterval(fit: readonly FittedRate[]): { low: number | undefined; high: number | undefined } {
  const high = fit.find((f) => f.p <= SURE_FAIL)?.rate;
  const below = fit.filter((f) => f.p >= SURE_PASS && (high === undefined || f.rate < high));
  return { low: below.at(-1)?.rate, high };
}
