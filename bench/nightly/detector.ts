/**
 * Regression detection for one run against the last comparable good runs ("the history"). Pure.
 *
 * Timing metrics (latency, throughput, KPI values) — a lookback prediction interval:
 *
 *   1. transform t(v) = ln v (ratios are what matters and latency noise is multiplicative);
 *      KPI fractions and values that can be 0 or negative stay as they are;
 *   2. over the history's per-run values h₁…hₙ (n ≥ minHistory, at most `lookback` runs):
 *      μ = mean t(h), s = sample standard deviation, σ = max(s, noise floor);
 *   3. z = (t(x) − μ) / (σ·√(1 + 1/n)) — the current value's distance in units of the spread
 *      a *new* run has around the history mean;
 *   4. regression when z is on the worse side beyond the one-sided Student-t quantile
 *      t(1 − α, n − 1) (the prediction interval: a handful of history runs gives a wide interval,
 *      so 3 runs need |z| > 22.3 at α = 0.001, 10 runs |z| > 4.3) AND the relative change
 *      x / e^μ − 1 is at least the minimum effect of the metric (10 % by default). Improvements
 *      are reported by the same rule in the better direction and never fail a run.
 *   5. percentiles of too few operations are not judged (p50 needs 10, p99 100 operations);
 *   6. machine guard: the variants of a run are measured interleaved, so a busier machine slows
 *      all of them. When at least half of the judged latency/throughput metrics of EVERY variant
 *      (≥ 2 variants) are worse by their minimum effect, the night is a machine-wide slowdown: its
 *      timing regressions it explains become `suspect` (reported, not failing): those whose query
 *      type and statistic moved at least a third as far (log terms) in every other variant — the
 *      interleaved variants are each other's control; see {@link machineSlowdown}. A regression of
 *      one schema during a busy night still fails: the other variants do not share it.
 *
 * Sizes — nearly deterministic for the same data and schema, so no z: a size grew when it is larger
 * than every history value, more than `minEffect.size` (5 %) above the history median and at least
 * `sizeFloorBytes` (64 KiB) above it. The floor is measured: a materialized view refreshed every night
 * in a reused schema grows a page (8 KiB) at a time from bloat, 9 % of a 88 KiB view (docs/nightly.md).
 *
 * Fewer than `minHistory` history values → "not enough history", never a verdict.
 */
import studentTQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { MetricFamily, MetricPoint } from './metrics.ts';
export type { DetectorOptions, MetricStatus, MetricVerdict } from '../formats/nightly-judgement.ts';
import type { DetectorOptions, MetricStatus, MetricVerdict } from '../formats/nightly-judgement.ts';

export const DEFAULT_DETECTOR: DetectorOptions = {
  lookback: 10,
  minHistory: 3,
  alpha: 0.001,
  minEffect: { p50: 0.1, p99: 0.2, throughput: 0.1, size: 0.05, kpi: 0.1 },
  noiseFloor: 0.03,
  sizeFloorBytes: 65_536,
  fractionFloor: 0.005,
  fractionMinEffect: 0.01,
  minCount: { p50: 10, p99: 100 },
  machineGuard: 0.5,
  machineGuardFactor: 3,
};

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

/** The minimum relative effect of a metric. */
export function minEffectOf(metric: MetricPoint, o: DetectorOptions): number {
  if (metric.family === 'latency') return metric.stat === 'p99' ? o.minEffect.p99 : o.minEffect.p50;
  if (metric.family === 'throughput') return o.minEffect.throughput;
  if (metric.family === 'size') return o.minEffect.size;
  return o.minEffect.kpi;
}

/**
 * Judges one metric. `history` holds the metric's value in each history run, most recent first
 * (null where a run did not measure it); only the first `lookback` measured values are used.
 */
export function judgeMetric(current: MetricPoint, history: readonly (number | null)[], o: DetectorOptions = DEFAULT_DETECTOR): MetricVerdict {
  const h = history.filter((v): v is number => v !== null && Number.isFinite(v)).slice(0, o.lookback);
  const n = h.length;
  const none = { n, baseline: null, change: null, z: null, zCritical: null };
  const x = current.value;
  if (x === null) return { metric: current, status: 'not-measured', ...none, reason: 'not measured in this run' };
  if (n < o.minHistory) {
    return { metric: current, status: 'not-enough-history', ...none, reason: `not enough history: ${n} comparable run${n === 1 ? '' : 's'}, ${o.minHistory} needed` };
  }
  if (current.family === 'latency') {
    const need = current.stat === 'p99' ? o.minCount.p99 : o.minCount.p50;
    if ((current.count ?? 0) < need) {
      return { metric: current, status: 'too-few-samples', ...none, reason: `${current.count ?? 0} operations, a ${current.stat} needs ${need} to be judged` };
    }
  }
  if (current.family === 'size') return judgeSize(current, x, h, o);
  const logScale = current.unit !== 'fraction' && current.unit !== 'none' && h.every((v) => v > 0);
  return logScale ? judgeLog(current, x, h, o) : judgeLinear(current, x, h, o);
}

function verdict(current: MetricPoint, worse: boolean, better: boolean, base: Omit<MetricVerdict, 'metric' | 'status' | 'reason'>, why: string): MetricVerdict {
  const status: MetricStatus = worse ? 'regression' : better ? 'improvement' : 'ok';
  return { metric: current, status, ...base, reason: why };
}

function judgeLog(current: MetricPoint, x: number, h: readonly number[], o: DetectorOptions): MetricVerdict {
  const n = h.length;
  const logs = h.map(Math.log);
  const mu = mean(logs);
  const baseline = Math.exp(mu);
  const zCritical = studentTQuantile(1 - o.alpha, n - 1);
  const minEffect = minEffectOf(current, o);
  const sign = current.betterWhen === 'lower' ? 1 : -1;
  if (x <= 0) {
    // e.g. a query type that completed nothing: throughput fell to 0.
    const worse = current.betterWhen === 'higher';
    return verdict(current, worse, !worse, { n, baseline, change: -1, z: -Infinity, zCritical }, `fell to ${x} from ${fmt(baseline)} (history of ${n})`);
  }
  const sigma = Math.max(sd(logs), o.noiseFloor);
  const spread = sigma * Math.sqrt(1 + 1 / n);
  const z = (Math.log(x) - mu) / spread;
  const change = x / baseline - 1;
  const alarmAt = sign > 0 ? Math.max(Math.exp(mu + zCritical * spread), baseline * (1 + minEffect)) : Math.min(Math.exp(mu - zCritical * spread), baseline * (1 - minEffect));
  const beyond = Math.abs(z) >= zCritical;
  const big = Math.abs(change) >= minEffect;
  const worse = sign * z > 0 && beyond && big;
  const better = sign * z < 0 && beyond && big;
  const why = `${pct(change)} vs geometric mean of ${n} run${n === 1 ? '' : 's'}; z = ${z.toFixed(1)} (${beyond ? 'beyond' : 'within'} ±${zCritical.toFixed(1)}), min effect ${(100 * minEffect).toFixed(0)}% ${big ? 'exceeded' : 'not reached'}`;
  return verdict(current, worse, better, { n, baseline, change, z, zCritical, alarmAt }, why);
}

function judgeLinear(current: MetricPoint, x: number, h: readonly number[], o: DetectorOptions): MetricVerdict {
  const n = h.length;
  const mu = mean(h);
  const fraction = current.unit === 'fraction';
  const floor = Math.max(fraction ? o.fractionFloor : 0, o.noiseFloor * Math.abs(mu));
  const sigma = Math.max(sd(h), floor);
  const zCritical = studentTQuantile(1 - o.alpha, n - 1);
  const diff = x - mu;
  const spread = sigma * Math.sqrt(1 + 1 / n);
  const z = spread > 0 ? diff / spread : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  const minEffect = minEffectOf(current, o);
  const needed = Math.max(fraction ? o.fractionMinEffect : 0, minEffect * Math.abs(mu));
  const change = mu !== 0 ? diff / Math.abs(mu) : null;
  const sign = current.betterWhen === 'lower' ? 1 : -1;
  const beyond = Math.abs(z) >= zCritical;
  const big = Math.abs(diff) >= needed && diff !== 0;
  const alarmAt = mu + sign * Math.max(zCritical * spread, needed);
  const worse = sign * z > 0 && beyond && big;
  const better = sign * z < 0 && beyond && big;
  const why = `${fmt(x)} vs mean ${fmt(mu)} of ${n} run${n === 1 ? '' : 's'}; z = ${Number.isFinite(z) ? z.toFixed(1) : String(z)} (${beyond ? 'beyond' : 'within'} ±${zCritical.toFixed(1)}), min effect ${fmt(needed)} ${big ? 'exceeded' : 'not reached'}`;
  return verdict(current, worse, better, { n, baseline: mu, change, z, zCritical, alarmAt }, why);
}

function judgeSize(current: MetricPoint, x: number, h: readonly number[], o: DetectorOptions): MetricVerdict {
  const n = h.length;
  const baseline = median(h);
  const change = baseline > 0 ? x / baseline - 1 : null;
  const max = Math.max(...h);
  const min = Math.min(...h);
  const floor = o.sizeFloorBytes ?? 0;
  const grew = x > max && change !== null && change >= o.minEffect.size && x - baseline >= floor;
  const shrank = x < min && change !== null && -change >= o.minEffect.size && baseline - x >= floor;
  const why = change === null
    ? `${fmt(x)} bytes, history median ${fmt(baseline)}`
    : `${pct(change)} vs median of ${n} run${n === 1 ? '' : 's'} (history ${fmt(min)}…${fmt(max)} bytes), threshold ${(100 * o.minEffect.size).toFixed(0)}% and ${fmt(floor)} bytes`;
  const alarmAt = Math.max(max, baseline * (1 + o.minEffect.size), baseline + floor);
  return verdict(current, grew, shrank, { n, baseline, change, z: null, zCritical: null, alarmAt }, why);
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString());

/** Latency and throughput of a variant's query types (not KPIs, not sizes). */
const isTiming = (m: MetricPoint): boolean => (m.family === 'latency' || m.family === 'throughput') && !m.id.startsWith('kpi/') && !m.id.startsWith('check/');
const variantOf = (m: MetricPoint): string => m.id.split('/')[0]!;
/** Timings, and KPI values measured in time or rate (they move with the machine too). */
const movesWithMachine = (m: MetricPoint): boolean => isTiming(m) || (m.family === 'kpi' && (m.unit === 'µs' || m.unit === 'ops/s'));

const JUDGED: ReadonlySet<MetricStatus> = new Set(['ok', 'regression', 'improvement', 'suspect']);

/** A machine-wide slowdown: per variant, the share of its judged timing metrics that got worse. */
export interface MachineSlowdown {
  readonly worseShare: Readonly<Record<string, number>>;
  /** The slowdown every variant shares: the smallest per-variant median worse-direction log change. */
  readonly shift: number;
}

/** Worse-direction log change of a judged verdict (positive = worse), or null. */
function worseLog(v: MetricVerdict): number | null {
  if (v.change === null || v.change <= -1) return null;
  const l = Math.log1p(v.change);
  return v.metric.betterWhen === 'lower' ? l : -l;
}

/**
 * Whether a night looks like a busier machine rather than a schema regression: ≥ 2 variants, each
 * with ≥ 5 judged latency/throughput metrics, and in every variant at least `o.machineGuard` of
 * them worse than the history by their minimum effect. Null otherwise.
 */
export function machineSlowdown(verdicts: readonly MetricVerdict[], o: DetectorOptions): MachineSlowdown | null {
  if (!(o.machineGuard > 0 && o.machineGuard < 1)) return null;
  const perVariant = new Map<string, { judged: number; worse: number; logs: number[] }>();
  for (const v of verdicts) {
    if (!isTiming(v.metric) || !JUDGED.has(v.status) || v.change === null) continue;
    const c = perVariant.get(variantOf(v.metric)) ?? { judged: 0, worse: 0, logs: [] };
    c.judged++;
    const worse = v.metric.betterWhen === 'lower' ? v.change >= minEffectOf(v.metric, o) : -v.change >= minEffectOf(v.metric, o);
    if (worse) c.worse++;
    const l = worseLog(v);
    c.logs.push(l ?? Infinity);
    perVariant.set(variantOf(v.metric), c);
  }
  const counted = [...perVariant].filter(([, c]) => c.judged >= 5);
  if (counted.length < 2 || counted.length !== perVariant.size) return null;
  if (!counted.every(([, c]) => c.worse / c.judged >= o.machineGuard)) return null;
  const shift = Math.min(...counted.map(([, c]) => median(c.logs)));
  return { worseShare: Object.fromEntries(counted.map(([v, c]) => [v, c.worse / c.judged])), shift };
}

/**
 * A run's metrics and the history runs' metrics (most recent first) → one verdict per current
 * metric, and the machine-wide slowdown when the guard saw one (its timing regressions are then
 * `suspect`).
 */
export function judgeRunDetailed(current: readonly MetricPoint[], history: ReadonlyArray<readonly MetricPoint[]>, o: DetectorOptions = DEFAULT_DETECTOR): { verdicts: MetricVerdict[]; slowdown: MachineSlowdown | null } {
  const byRun = history.map((metrics) => new Map(metrics.map((m) => [m.id, m.value])));
  return applyMachineGuard(current.map((m) => judgeMetric(m, byRun.map((r) => r.get(m.id) ?? null), o)), o);
}

/** The machine guard over a set of verdicts (a night's, or `compare`'s): see {@link machineSlowdown}. */
export function applyMachineGuard(verdicts: readonly MetricVerdict[], o: DetectorOptions): { verdicts: MetricVerdict[]; slowdown: MachineSlowdown | null } {
  const slowdown = machineSlowdown(verdicts, o);
  if (!slowdown) return { verdicts: [...verdicts], slowdown };
  const shares = Object.entries(slowdown.worseShare).map(([v, s]) => `${Math.round(100 * s)}% of ${v}'s`).join(' and ');
  const slow = `machine-wide slowdown of ${pct(Math.expm1(slowdown.shift))} (${shares} timings worse)`;
  const k = o.machineGuardFactor;
  const byId = new Map(verdicts.map((v) => [v.metric.id, v]));
  return {
    slowdown,
    verdicts: verdicts.map((v) => {
      if (v.status !== 'regression' || !movesWithMachine(v.metric)) return v;
      const l = worseLog(v);
      if (l === null) return v;
      // The control of variant/query/stat is the same query and stat in the other variants, measured
      // interleaved on the same machine: if they all moved at least 1/k as far, the machine explains it.
      const [variant, ...rest] = v.metric.id.split('/');
      const controls = isTiming(v.metric)
        ? Object.keys(slowdown.worseShare).filter((u) => u !== variant).map((u) => byId.get([u, ...rest].join('/'))).filter((c): c is MetricVerdict => c !== undefined && JUDGED.has(c.status))
        : [];
      const explained = controls.length > 0 ? controls.every((c) => (worseLog(c) ?? -Infinity) >= l / k) : l <= k * slowdown.shift;
      const how = controls.length > 0 ? `the same ${rest.join('/')} moved alike in ${controls.map((c) => `${variantOf(c.metric)} (${pct(c.change ?? 0)})`).join(', ')}` : `within ${k}× the slowdown`;
      if (explained) return { ...v, status: 'suspect' as const, reason: `suspect, ${slow}; ${how}: ${v.reason}` };
      return { ...v, reason: `${v.reason}; not explained by the ${slow}` };
    }),
  };
}

/** {@link judgeRunDetailed} without the slowdown. */
export function judgeRun(current: readonly MetricPoint[], history: ReadonlyArray<readonly MetricPoint[]>, o: DetectorOptions = DEFAULT_DETECTOR): MetricVerdict[] {
  return judgeRunDetailed(current, history, o).verdicts;
}

/** Families a regression can come from, for summaries. */
export const FAMILY_WORDS: Readonly<Record<MetricFamily, string>> = { latency: 'slower', throughput: 'less throughput', size: 'bigger', kpi: 'KPI value worse' };
