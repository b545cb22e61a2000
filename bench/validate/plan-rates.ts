/**
 * The rates the sign-off plan estimates from: a step's measurements on this machine
 * (GEOBENCH_HOME/step-rates.json, bench/core/step-rates.ts) or, for a step never measured here, the
 * figure published in the docs, each with where it came from. Pure.
 *
 * Which measurement: the one taken at the row count nearest the planned one (by ratio; a published
 * full-scale figure competes with the local ones, and a local one wins a tie), the median of the
 * measurements at that row count; then scaled linearly to the planned rows.
 */
import { ROWS_AT_SCALE_1 } from '../dataset/model.ts';
import type { StepMeasurement, StepRates } from '../core/step-rates.ts';

/** A published figure: the step's seconds or bytes at `rows`. */
export interface PublishedFigure {
  readonly rows: number;
  readonly seconds?: number;
  readonly bytes?: number;
  readonly source: string;
}

const FULL = ROWS_AT_SCALE_1;
const BENCH = 'docs/benchmarks.md, 2026-11-26';
const GiB = 2 ** 30;

/**
 * docs/benchmarks.md "Full scale" (12.4M rows, this 2-core machine): COPY at 166,615 rows/s, then
 * indexes + VACUUM ANALYZE 39 s; verify 84 s; each migration's apply time. Sizes after OPT5:
 * geometrias 3.6 GB and the views 3.35 GB; the states before OPT3 have no views (the table alone is
 * taken for them). The import copy from docs/benchmarks.md "Import" (INSERT … SELECT, scale 0.1),
 * a concurrent refresh of vw_geometrias_search from docs/validators.md (opt45 at scale 0.1).
 */
export const PUBLISHED: Readonly<Record<string, PublishedFigure>> = {
  'generate.copy': { rows: FULL, seconds: FULL / 166_615, source: BENCH },
  'generate.indexes': { rows: FULL, seconds: 39, source: BENCH },
  verify: { rows: FULL, seconds: 84, source: BENCH },
  'migrate.up.OPT1': { rows: FULL, seconds: 72.5, source: BENCH },
  'migrate.up.OPT2': { rows: FULL, seconds: 124.8, source: BENCH },
  'migrate.up.OPT3': { rows: FULL, seconds: 91.7, source: BENCH },
  'migrate.up.OPT4': { rows: FULL, seconds: 0.2, source: BENCH },
  'migrate.up.OPT5': { rows: FULL, seconds: 6.3, source: BENCH },
  'size.baseline': { rows: FULL, bytes: 3.6 * GiB, source: `${BENCH} (the table after OPT5, no views yet)` },
  'size.OPT1': { rows: FULL, bytes: 3.6 * GiB, source: `${BENCH} (the table after OPT5, no views yet)` },
  'size.OPT2': { rows: FULL, bytes: 3.6 * GiB, source: `${BENCH} (the table after OPT5, no views yet)` },
  'size.OPT3': { rows: FULL, bytes: 6.95 * GiB, source: `${BENCH} (table + views after OPT5)` },
  'size.OPT4': { rows: FULL, bytes: 6.95 * GiB, source: `${BENCH} (table + views after OPT5)` },
  'size.OPT5': { rows: FULL, bytes: 6.95 * GiB, source: BENCH },
  'clone.copy': { rows: 1_240_000, seconds: 1_240_000 / 163_620, source: 'docs/benchmarks.md "Import", 2026-12-07 (INSERT … SELECT)' },
  'refresh.search-view': { rows: 1_240_000, seconds: 17.8, source: 'docs/validators.md, opt45 at scale 0.1 (vw_geometrias_search refresh)' },
};

/** An estimate of one step at the planned rows, with its source; `null` value = no figure at all. */
export interface RateEstimate {
  readonly value: number | null;
  readonly source: string;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const scaleWord = (rows: number): string => `scale ${Number((rows / FULL).toPrecision(3))}`;

/**
 * Seconds (field 'seconds') or bytes (field 'bytes') of step `key` at `rows` dataset rows, from the
 * measurements here or the published figure, scaled linearly by rows.
 */
export function estimateStep(rates: StepRates, key: string, field: 'seconds' | 'bytes', rows: number, published: Readonly<Record<string, PublishedFigure>> = PUBLISHED): RateEstimate {
  const local = (rates[key] ?? []).filter((m): m is StepMeasurement & Record<typeof field, number> => m[field] !== undefined);
  const fig = published[key];
  const distance = (r: number): number => Math.abs(Math.log(r / rows));
  const nearestLocal = local.length ? local.reduce((best, m) => (distance(m.rows) < distance(best.rows) ? m : best)).rows : null;
  const useLocal = nearestLocal !== null && (fig?.[field] === undefined || distance(nearestLocal) <= distance(fig.rows));
  if (useLocal) {
    const at = local.filter((m) => m.rows === nearestLocal);
    const newest = at.map((m) => m.at).sort().pop()!.slice(0, 10);
    return { value: median(at.map((m) => m[field])) * (rows / nearestLocal), source: `measured here ${newest} (${scaleWord(nearestLocal)}${at.length > 1 ? `, median of ${at.length}` : ''})` };
  }
  if (fig && fig[field] !== undefined) return { value: fig[field]! * (rows / fig.rows), source: `${fig.source} (${scaleWord(fig.rows)})` };
  return { value: null, source: 'never measured here, no published figure' };
}
