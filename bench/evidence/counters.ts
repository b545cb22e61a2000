/**
 * Counter arithmetic shared by the statistics snapshots: PostgreSQL's cumulative counters only
 * grow, so a measurement window is the difference of two snapshots.
 */

/** pg returns bigint and numeric columns as strings; these counters stay far below 2^53, so Number is exact. */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** hit / (hit + read), or null when nothing was read at all (no ratio to speak of). */
export function hitRatio(hit: number, read: number): number | null {
  return hit + read === 0 ? null : hit / (hit + read);
}

/** Field-by-field `after − before` of two records of the same counters. */
export function subtractCounters<T extends { readonly [K in keyof T]: number }>(after: T, before: T): T {
  const out = {} as { [K in keyof T]: number };
  for (const key of Object.keys(after) as (keyof T)[]) out[key] = after[key] - before[key];
  return out as T;
}

/** True when any counter went down: the statistics were reset (or entries evicted) in between. */
export function anyDecreased<T extends { readonly [K in keyof T]: number }>(after: T, before: T): boolean {
  return (Object.keys(after) as (keyof T)[]).some((key) => after[key] < before[key]);
}

/** Field-by-field `a + b` of two records of the same counters. */
export function addCounters<T extends { readonly [K in keyof T]: number }>(a: T, b: T): T {
  const out = {} as { [K in keyof T]: number };
  for (const key of Object.keys(a) as (keyof T)[]) out[key] = a[key] + b[key];
  return out as T;
}
