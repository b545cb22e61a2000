/**
 * The one number/unit formatting module of every output (run/validate report, nightly and compare
 * pages, JUnit, charts). A missing value (null, undefined, NaN — e.g. a percentile of an empty
 * histogram, stored as null in JSON) prints as an em dash, never as 0.
 */

export const MISSING = '—';

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** µs → milliseconds with 3 significant digits at least (0.0123, 1.23, 123). */
export function ms(us: unknown): string {
  if (!finite(us)) return MISSING;
  const v = us / 1000;
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return Number(v.toPrecision(3)).toString();
}

/** A count with thousands separators. */
export function count(n: unknown): string {
  return finite(n) ? Math.round(n).toLocaleString('en-US') : MISSING;
}

/** Operations per second. */
export function rate(x: unknown): string {
  if (!finite(x)) return MISSING;
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(3)).toString();
}

/** A fraction as a percentage (0.0123 → "1.23%"). */
export function percent(x: unknown): string {
  if (!finite(x)) return MISSING;
  return `${Number((x * 100).toPrecision(3))}%`;
}

/** A relative change with its sign (0.123 → "+12.3%"; from a zero baseline: "+∞"). */
export function change(x: unknown): string {
  if (typeof x !== 'number' || Number.isNaN(x)) return MISSING;
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : '−∞';
  const p = x * 100;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)}%`;
}

/** A confidence interval of a relative change, or why there is none. */
export function changeInterval(m: { ciLow: number | null; ciHigh: number | null; ciAvailable: boolean }): string {
  if (!m.ciAvailable) return 'no CI (1 repetition)';
  return `[${change(m.ciLow)}, ${change(m.ciHigh)}]`;
}

/** Bytes in binary units (1536 → "1.5 KiB"). */
export function bytes(n: unknown): string {
  if (!finite(n)) return MISSING;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${Number(v.toPrecision(3))} ${units[u]}`;
}

export type { ValueUnit } from '../core/units.ts';
import type { ValueUnit } from '../core/units.ts';

const sig = (x: number, digits = 3): string => String(Number(x.toPrecision(digits)));

/** A value in its unit for a reader: µs as ms (or s from 1 s on), bytes in binary units, fractions as %. */
export function valueInUnit(value: number | null, unit: ValueUnit): string {
  if (value === null || !Number.isFinite(value)) return MISSING;
  switch (unit) {
    case 'µs':
      return value >= 1e6 ? `${sig(value / 1e6)} s` : `${sig(value / 1e3)} ms`;
    case 'ops/s':
      return `${sig(value)} ops/s`;
    case 'bytes':
      return bytes(value);
    case 'fraction':
      return `${sig(value * 100)}%`;
    default:
      return sig(value, 4);
  }
}

/** The display name of a query type (`*` is the all-operations aggregate). */
export const queryLabel = (q: string): string => (q === '*' ? 'all operations' : q);

/** Sorts query types with the `*` aggregate last. */
export const byQueryType = (a: string, b: string): number => (a === '*' ? 1 : b === '*' ? -1 : a.localeCompare(b));
