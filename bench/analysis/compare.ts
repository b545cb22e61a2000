/**
 * Baseline-vs-optimized comparison with confidence intervals over repetitions.
 *
 * Repetitions are the unit of replication. Within one run (`pairing: 'paired'`, the default) A and
 * B of repetition r ran back to back, so drift between repetitions hits both: the interval is a
 * paired Student t on ln(B_r / A_r) (paired.ts), and change = exp(mean ln ratio) − 1. Two separate
 * runs (`geobench compare`, the nightly) have no such pairing: `pairing: 'independent'` resamples
 * each variant's repetitions independently (percentile bootstrap), reusing the same resample for
 * every query type and metric. Either way the result is a pure function of (rows, options).
 */
import seedrandom from 'seedrandom';
import { pairedRatio } from './paired.ts';
import type { Micros } from '../metrics/histogram.ts';
import { ALL_QUERY_TYPES } from '../metrics/timeline.ts';
import type { ComparisonRecord, MetricChangeRecord, QueryTypeComparisonRecord, RepetitionSummaryRecord } from '../formats/run-records.ts';

/** Metrics compared, in output order. */
export const COMPARE_METRICS = ['p50', 'p95', 'p99', 'mean', 'throughput'] as const;
/** One compared metric. */
export type CompareMetric = (typeof COMPARE_METRICS)[number];

/** Which direction is an improvement. */
export const BETTER_WHEN: Readonly<Record<CompareMetric, 'lower' | 'higher'>> = {
  p50: 'lower',
  p95: 'lower',
  p99: 'lower',
  mean: 'lower',
  throughput: 'higher',
};

/** Summary of one (variant, repetition, query type): latencies µs, throughput ops/s; `*` = all types (formats/run-records.ts). */
export type RepetitionSummary = RepetitionSummaryRecord;

/** Options of {@link compareVariants}. */
export interface CompareOptions {
  baseline: string;
  optimized: string;
  /** PRNG seed (alea); the same seed and rows always give the same intervals. */
  seed: string;
  /** Bootstrap resamples; default 2000. */
  resamples?: number;
  /** Two-sided confidence level in (0, 1); default 0.95. */
  confidence?: number;
  /** 'paired' (default): repetitions of one run, A_r and B_r paired. 'independent': two separate runs. */
  pairing?: 'paired' | 'independent';
}

/**
 * The comparison's shapes are the result file's (formats/run-records.ts): change = optimized/baseline
 * − 1 (negative latency change = faster), an interval of it (paired t or percentile bootstrap; equal
 * to the change when `ciAvailable` is false), and 'better'/'worse' only when the whole interval is on
 * one side of 0. `overall` is the geometric mean over the real query types (each weighs the same).
 */
export type MetricChange = MetricChangeRecord;
export type QueryTypeComparison = QueryTypeComparisonRecord;
export type Comparison = ComparisonRecord;

/** How a comparison's intervals were made, in words (result files before pairing carry no method: bootstrap). */
export function intervalMethodText(c: Pick<Comparison, 'confidence' | 'resamples' | 'seed' | 'method'>): string {
  const level = `${Math.round(c.confidence * 100)}%`;
  return c.method === 'paired-t'
    ? `${level} paired Student t interval on ln(optimized/baseline) per repetition (A and B of a repetition ran back to back)`
    : `${level} percentile-bootstrap interval over repetitions (${c.resamples} resamples, seed ${c.seed})`;
}

/** optimized/baseline − 1; null when baseline is 0 or either value is not finite. */
export function relativeChange(baseline: number, optimized: number): number | null {
  if (!Number.isFinite(baseline) || !Number.isFinite(optimized) || baseline === 0) return null;
  return optimized / baseline - 1;
}

/** Linear-interpolated quantile (type 7) of an ascending array; q in [0, 1]. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty sample');
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Compares two variants per query type and overall.
 * @throws if a variant is missing, a (variant, repetition, query type) row is
 *   duplicated, or a repetition lacks a query type the others have (resampling
 *   whole repetitions needs every query type in every repetition).
 */
export function compareVariants(rows: readonly RepetitionSummary[], options: CompareOptions): Comparison {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be in (0, 1), got ${confidence}`);
  if (options.baseline === options.optimized) throw new Error(`baseline and optimized are the same variant "${options.baseline}"`);

  const paired = (options.pairing ?? 'paired') === 'paired';
  // Paired: a repetition where a query type completed nothing has no ratio and is left out of that
  // type's interval. The bootstrap resamples whole repetitions and needs every row.
  const base = tableOf(rows, options.baseline, paired);
  const opt = tableOf(rows, options.optimized, paired);
  const queryTypes = [...new Set([...base.queryTypes, ...opt.queryTypes])].sort(byQueryType);
  for (const t of [base, opt]) {
    for (const q of queryTypes) {
      if (!t.queryTypes.includes(q)) throw new Error(`variant "${t.variant}" has no rows for query type "${q}"`);
    }
  }
  const realTypes = queryTypes.filter((q) => q !== ALL_QUERY_TYPES);
  if (paired) return pairedComparison(base, opt, queryTypes, realTypes, options.seed, confidence);

  // The point estimate uses every repetition once; bootstrap draws reuse the same code path.
  const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const point = estimate(base, opt, all(base.reps.length), all(opt.reps.length), queryTypes, realTypes);

  const ciAvailable = base.reps.length >= 2 && opt.reps.length >= 2;
  const draws = new Map<string, number[]>(); // `${queryType}\0${metric}` → bootstrap changes
  if (ciAvailable) {
    const rng = seedrandom.alea(options.seed);
    const pick = (n: number): number[] => Array.from({ length: n }, () => Math.floor(rng() * n));
    for (let b = 0; b < resamples; b++) {
      const e = estimate(base, opt, pick(base.reps.length), pick(opt.reps.length), queryTypes, realTypes);
      for (const [k, v] of e) {
        // A resample can only be undefined through a zero/NaN input; it carries no information.
        if (v.change === null) continue;
        const list = draws.get(k);
        if (list) list.push(v.change);
        else draws.set(k, [v.change]);
      }
    }
  }

  const alpha = 1 - confidence;
  const build = (queryType: string, key: string): QueryTypeComparison => {
    const metrics = {} as Record<CompareMetric, MetricChange>;
    for (const metric of COMPARE_METRICS) {
      const p = point.get(`${key}\0${metric}`)!;
      const sample = draws.get(`${key}\0${metric}`)?.sort((x, y) => x - y);
      const hasCi = ciAvailable && p.change !== null && sample !== undefined;
      const ciLow = hasCi ? quantileSorted(sample, alpha / 2) : p.change;
      const ciHigh = hasCi ? quantileSorted(sample, 1 - alpha / 2) : p.change;
      metrics[metric] = {
        metric,
        betterWhen: BETTER_WHEN[metric],
        baseline: p.baseline,
        optimized: p.optimized,
        change: p.change,
        ciLow,
        ciHigh,
        ciAvailable: hasCi,
        verdict: hasCi ? verdictOf(BETTER_WHEN[metric], ciLow!, ciHigh!) : 'inconclusive',
      };
    }
    return { queryType, repetitions: { baseline: base.reps.length, optimized: opt.reps.length }, metrics };
  };

  return {
    baseline: options.baseline,
    optimized: options.optimized,
    seed: options.seed,
    resamples,
    confidence,
    method: 'independent-bootstrap',
    byQueryType: queryTypes.map((q) => build(q, q)),
    overall: build('overall', OVERALL_KEY),
  };
}

const OVERALL_KEY = '\0overall';

/**
 * Paired comparison: per query type and metric, the repetitions both variants ran; per repetition
 * the ratio B_r/A_r; change = exp(mean ln ratio) − 1 with a Student t interval on the log ratios.
 * Overall: per repetition the geometric mean over the real query types of B_r/A_r.
 */
function pairedComparison(base: VariantTable, opt: VariantTable, queryTypes: readonly string[], realTypes: readonly string[], seed: string, confidence: number): Comparison {
  const reps = base.reps.filter((r) => opt.reps.includes(r));
  const at = (t: VariantTable, q: string, m: CompareMetric, rep: number): number => t.values.get(q)![m][t.reps.indexOf(rep)]!;
  // Means over the repetitions that measured something (a gap is NaN).
  const mean = (xs: readonly number[]): number => {
    const ok = xs.filter(Number.isFinite);
    return ok.length ? ok.reduce((s, v) => s + v, 0) / ok.length : Number.NaN;
  };
  const geo = (xs: readonly number[]): number => (xs.every((x) => x > 0) ? Math.exp(mean(xs.map(Math.log))) : Number.NaN);
  const logRatio = (a: number, b: number): number | null => (a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b) ? Math.log(b / a) : null);

  const change = (metric: CompareMetric, baseline: number, optimized: number, logs: ReadonlyArray<number | null>): MetricChange => {
    // Repetitions without a ratio (a value missing, zero or NaN) carry no information: left out.
    const p = pairedRatio(logs.filter((l): l is number => l !== null), confidence);
    const hasCi = p !== null && p.ratioLow !== null;
    const c = p ? p.ratio - 1 : null;
    const ciLow = hasCi ? p.ratioLow! - 1 : c;
    const ciHigh = hasCi ? p.ratioHigh! - 1 : c;
    return { metric, betterWhen: BETTER_WHEN[metric], baseline, optimized, change: c, ciLow, ciHigh, ciAvailable: hasCi, verdict: hasCi ? verdictOf(BETTER_WHEN[metric], ciLow!, ciHigh!) : 'inconclusive' };
  };

  const row = (q: string): QueryTypeComparison => {
    const metrics = {} as Record<CompareMetric, MetricChange>;
    for (const m of COMPARE_METRICS) {
      metrics[m] = change(m, mean(base.values.get(q)![m]), mean(opt.values.get(q)![m]), reps.map((r) => logRatio(at(base, q, m, r), at(opt, q, m, r))));
    }
    return { queryType: q, repetitions: { baseline: base.reps.length, optimized: opt.reps.length }, metrics };
  };

  const overallMetrics = {} as Record<CompareMetric, MetricChange>;
  for (const m of COMPARE_METRICS) {
    const baseline = realTypes.length ? geo(realTypes.map((q) => mean(base.values.get(q)![m]))) : Number.NaN;
    const optimized = realTypes.length ? geo(realTypes.map((q) => mean(opt.values.get(q)![m]))) : Number.NaN;
    const logs = realTypes.length ? reps.map((r) => {
      const ls = realTypes.map((q) => logRatio(at(base, q, m, r), at(opt, q, m, r)));
      return ls.every((l) => l !== null) ? mean(ls as number[]) : null;
    }) : [null];
    overallMetrics[m] = change(m, baseline, optimized, logs);
  }
  return {
    baseline: base.variant,
    optimized: opt.variant,
    seed,
    resamples: 0,
    confidence,
    method: 'paired-t',
    byQueryType: queryTypes.map(row),
    overall: { queryType: 'overall', repetitions: { baseline: base.reps.length, optimized: opt.reps.length }, metrics: overallMetrics },
  };
}

interface VariantTable {
  variant: string;
  /** Sorted repetition numbers. */
  reps: number[];
  queryTypes: string[];
  /** queryType → metric → value per repetition (index into reps). */
  values: Map<string, Record<CompareMetric, number[]>>;
}

function tableOf(rows: readonly RepetitionSummary[], variant: string, gapsAllowed = false): VariantTable {
  const mine = rows.filter((r) => r.variant === variant);
  if (mine.length === 0) throw new Error(`no rows for variant "${variant}"`);
  const reps = [...new Set(mine.map((r) => r.repetition))].sort((a, b) => a - b);
  const queryTypes = [...new Set(mine.map((r) => r.queryType))];
  const seen = new Map<string, RepetitionSummary>();
  for (const r of mine) {
    const k = `${r.repetition}\0${r.queryType}`;
    if (seen.has(k)) throw new Error(`duplicate row for variant "${variant}" repetition ${r.repetition} query type "${r.queryType}"`);
    seen.set(k, r);
  }
  const values = new Map<string, Record<CompareMetric, number[]>>();
  for (const q of queryTypes) {
    const perMetric = Object.fromEntries(COMPARE_METRICS.map((m) => [m, [] as number[]])) as Record<CompareMetric, number[]>;
    for (const rep of reps) {
      const row = seen.get(`${rep}\0${q}`);
      if (!row && !gapsAllowed) throw new Error(`variant "${variant}" repetition ${rep} has no row for query type "${q}"`);
      for (const m of COMPARE_METRICS) perMetric[m].push(row ? row[m] : Number.NaN);
    }
    values.set(q, perMetric);
  }
  return { variant, reps, queryTypes, values };
}

interface Estimate {
  baseline: number;
  optimized: number;
  change: number | null;
}

/** Per (query type | overall, metric) estimates for one choice of repetition indices. */
function estimate(
  base: VariantTable,
  opt: VariantTable,
  baseIdx: readonly number[],
  optIdx: readonly number[],
  queryTypes: readonly string[],
  realTypes: readonly string[],
): Map<string, Estimate> {
  const out = new Map<string, Estimate>();
  for (const metric of COMPARE_METRICS) {
    let logBase = 0;
    let logOpt = 0;
    let overallDefined = realTypes.length > 0;
    for (const q of queryTypes) {
      const b = meanAt(base.values.get(q)![metric], baseIdx);
      const o = meanAt(opt.values.get(q)![metric], optIdx);
      const change = relativeChange(b, o);
      out.set(`${q}\0${metric}`, { baseline: b, optimized: o, change });
      if (q === ALL_QUERY_TYPES) continue;
      if (change === null || b <= 0 || o <= 0) overallDefined = false;
      else {
        logBase += Math.log(b);
        logOpt += Math.log(o);
      }
    }
    const n = realTypes.length;
    out.set(`${OVERALL_KEY}\0${metric}`, overallDefined
      ? { baseline: Math.exp(logBase / n), optimized: Math.exp(logOpt / n), change: Math.exp((logOpt - logBase) / n) - 1 }
      : { baseline: Number.NaN, optimized: Number.NaN, change: null });
  }
  return out;
}

function meanAt(values: readonly number[], idx: readonly number[]): number {
  let sum = 0;
  for (const i of idx) sum += values[i]!;
  return sum / idx.length;
}

function verdictOf(betterWhen: 'lower' | 'higher', low: number, high: number): MetricChange['verdict'] {
  if (low > 0) return betterWhen === 'higher' ? 'better' : 'worse';
  if (high < 0) return betterWhen === 'lower' ? 'better' : 'worse';
  return 'inconclusive';
}

function byQueryType(a: string, b: string): number {
  const agg = Number(a === ALL_QUERY_TYPES) - Number(b === ALL_QUERY_TYPES);
  return agg || (a < b ? -1 : a > b ? 1 : 0);
}
