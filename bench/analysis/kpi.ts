/**
 * KPI targets as data: parsed from short strings, judged against measured
 * values. An unmeasured KPI is reported as "not measured" (`pass: null`),
 * never as a pass or a fail.
 *
 * Grammar (whitespace allowed between tokens, metric is case-insensitive):
 *
 * ```text
 * target := metric op number [unit]
 * metric := [a-z][a-z0-9_.]*          e.g. p50, p99, p99.9, mean, throughput, error_rate
 * op     := "<=" | ">=" | "<" | ">"
 * number := ["-"] digits ["." digits]  decimal; negative only for *_change metrics
 * unit   := "us" | "µs" | "ms" | "s" | "min"      time    → value in µs
 *         | "%"                                    percent → value as a fraction (35% → 0.35)
 *         | "ops/s"                                rate    → value in ops/s
 * ```
 *
 * Metric families constrain the unit, so ambiguous targets are rejected:
 * latencies (`pNN`, `mean`, `min`, `max`, `stddev`, `*_latency`, `*_time`)
 * need a time unit; `throughput` / `*_throughput` take `ops/s` or no unit;
 * `*_rate`, `*_reduction`, `*_pct`, `*_percent`, `*_share` and `*_change` need `%`
 * (only `*_change`, a relative change, may be negative: `p99_change < -20%`).
 * Other metrics accept any unit or none.
 *
 * Measured values passed to {@link judge} are in the canonical unit: µs for
 * time, a fraction for percent, ops/s for rates.
 */

/** Comparison operator of a target. */
export type KpiOp = '<' | '<=' | '>' | '>=';

/** Canonical unit of a target's value. */
export type KpiUnit = 'µs' | 'fraction' | 'ops/s' | 'none';

/** A parsed KPI target. */
export interface KpiTarget {
  /** The string it was parsed from, trimmed. */
  source: string;
  /** Lower-cased metric name. */
  metric: string;
  op: KpiOp;
  /** Threshold in the canonical `unit`. */
  value: number;
  unit: KpiUnit;
  /** Unit as written ('' if none); used to print measured values the same way. */
  displayUnit: string;
}

/** Outcome of judging one target. */
export interface KpiVerdict {
  target: KpiTarget;
  /** Measured value in the canonical unit; null when not measured. */
  achieved: number | null;
  /** null = not measured. */
  pass: boolean | null;
  /** One line for reports, e.g. `p99 < 350ms: 212.4ms (pass)`. */
  text: string;
}

const TARGET = /^\s*([A-Za-z][A-Za-z0-9_.]*)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(us|µs|μs|ms|s|min|%|ops\/s)?\s*$/;

type Family = 'latency' | 'throughput' | 'percent' | 'change' | 'other';

function familyOf(metric: string): Family {
  if (/^p\d+(\.\d+)?$/.test(metric) || ['mean', 'min', 'max', 'stddev'].includes(metric) || /_(latency|time)$/.test(metric)) return 'latency';
  if (metric === 'throughput' || metric.endsWith('_throughput')) return 'throughput';
  if (/_(rate|reduction|pct|percent|share)$/.test(metric)) return 'percent';
  if (metric.endsWith('_change')) return 'change';
  return 'other';
}

/** Scales a decimal string by 10^exp via the parser, so "0.7%" is exactly 0.007 (0.7 / 100 is not). */
const shift = (digits: string, exp: number): number => Number(`${digits}e${exp}`);

/**
 * Parses one KPI target string (see the module grammar).
 * @throws Error quoting the string and saying what is wrong.
 */
export function parseKpiTarget(text: string): KpiTarget {
  const fail = (why: string): never => {
    throw new Error(`invalid KPI target "${text}": ${why}`);
  };
  const m = TARGET.exec(text);
  if (!m) {
    return fail('expected "<metric> <op> <number>[unit]" with op one of < <= > >= and unit one of us, µs, ms, s, min, %, ops/s (e.g. "p99 < 350ms")');
  }
  const metric = m[1]!.toLowerCase();
  const op = m[2] as KpiOp;
  const digits = m[3]!;
  const written = m[4] ?? '';
  const family = familyOf(metric);
  const isTime = ['us', 'µs', 'μs', 'ms', 's', 'min'].includes(written);

  if (family === 'latency' && !isTime) fail(`latency metric "${metric}" needs a time unit (us, ms, s, min)`);
  if (family === 'throughput' && written !== '' && written !== 'ops/s') fail(`throughput is in ops/s, not "${written}"`);
  if ((family === 'percent' || family === 'change') && written !== '%') fail(`"${metric}" is a percentage and needs a % unit`);
  if (digits.startsWith('-') && family !== 'change') fail('only relative changes (*_change, e.g. "p99_change < -20%") can have a negative target');

  let value: number;
  let unit: KpiUnit;
  switch (written) {
    case 'us':
    case 'µs':
    case 'μs':
      [value, unit] = [Number(digits), 'µs'];
      break;
    case 'ms':
      [value, unit] = [shift(digits, 3), 'µs'];
      break;
    case 's':
      [value, unit] = [shift(digits, 6), 'µs'];
      break;
    case 'min':
      [value, unit] = [shift(digits, 6) * 60, 'µs'];
      break;
    case '%':
      [value, unit] = [shift(digits, -2), 'fraction'];
      break;
    case 'ops/s':
      [value, unit] = [Number(digits), 'ops/s'];
      break;
    default:
      [value, unit] = [Number(digits), family === 'throughput' ? 'ops/s' : 'none'];
  }
  return { source: text.trim(), metric, op, value, unit, displayUnit: written === 'μs' ? 'µs' : written };
}

/** Parses a list of targets; the error names the first bad string and its position. */
export function parseKpiTargets(texts: readonly string[]): KpiTarget[] {
  return texts.map((t, i) => {
    try {
      return parseKpiTarget(t);
    } catch (err) {
      throw new Error(`KPI target #${i + 1}: ${(err as Error).message}`);
    }
  });
}

/**
 * Judges a target against a measured value (canonical unit). `undefined` or
 * NaN (e.g. a percentile of an empty histogram) means not measured → `pass: null`.
 * Comparison is exact; no tolerance is applied at the boundary.
 */
export function judge(target: KpiTarget, measured: number | undefined): KpiVerdict {
  if (measured === undefined || Number.isNaN(measured)) {
    return { target, achieved: null, pass: null, text: `${target.source}: not measured` };
  }
  const pass = compare(measured, target.op, target.value);
  const text = `${target.source}: ${formatInUnit(measured, target)} (${pass ? 'pass' : 'FAIL'})`;
  return { target, achieved: measured, pass, text };
}

/** `value` (canonical unit) in the target's written unit, rounded to `significant` digits after the conversion. */
export function formatInUnit(value: number, target: Pick<KpiTarget, 'unit' | 'displayUnit'>, significant = 12): string {
  switch (target.displayUnit) {
    case 'ms':
      return `${fmt(value / 1e3, significant)}ms`;
    case 's':
      return `${fmt(value / 1e6, significant)}s`;
    case 'min':
      return `${fmt(value / 6e7, significant)}min`;
    case '%':
      return `${fmt(value * 100, significant)}%`;
    case '':
      return fmt(value, significant);
    default:
      return `${fmt(value, significant)}${target.displayUnit}`;
  }
}

/** A canonical-unit value as a number in the target's written unit (µs → ms, fraction → %). */
function inDisplayUnit(value: number, displayUnit: string): number {
  switch (displayUnit) {
    case 'ms':
      return value / 1e3;
    case 's':
      return value / 1e6;
    case 'min':
      return value / 6e7;
    case '%':
      return value * 100;
    default:
      return value;
  }
}

/**
 * `value` in the target's unit with as few significant digits as tell the truth (at least
 * `significant`): more digits are added until the printed number lies on the same side of the
 * threshold as the measured one — 0.36596 against "≥ 36.6%" prints "36.596%", never "36.6%" next to ✗.
 */
export function formatBesideTarget(value: number, target: Pick<KpiTarget, 'unit' | 'displayUnit' | 'value'>, significant = 4): string {
  if (!Number.isFinite(value)) return formatInUnit(value, target, significant);
  const x = inDisplayUnit(value, target.displayUnit);
  // The threshold as written (12 digits drop conversion noise: 0.366 × 100 = 36.6).
  const t = Number(inDisplayUnit(target.value, target.displayUnit).toPrecision(12));
  const side = (v: number): number => Math.sign(v - t);
  const truth = side(Number(x.toPrecision(15)));
  for (let d = significant; d <= 15; d++) {
    if (side(Number(x.toPrecision(d))) === truth) return formatInUnit(value, target, d);
  }
  return formatInUnit(value, target, 17);
}

function compare(measured: number, op: KpiOp, threshold: number): boolean {
  switch (op) {
    case '<':
      return measured < threshold;
    case '<=':
      return measured <= threshold;
    case '>':
      return measured > threshold;
    case '>=':
      return measured >= threshold;
  }
}

/**
 * 12 significant digits: drops unit-conversion float noise (0.51000000000000001)
 * but never rounds a failing 1.499999 s up to a passing-looking "1.5s".
 */
function fmt(x: number, significant = 12): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(significant)));
}
