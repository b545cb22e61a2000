/** Units in types: a number of microseconds is a Micros, so it cannot be mixed up with milliseconds. */

/** A duration or instant in microseconds. May be fractional; histograms round it. */
export type Micros = number & { readonly __unit: 'µs' };

/** Brands a plain number that is already in microseconds. */
export const asMicros = (value: number): Micros => value as Micros;

/** Converts milliseconds (e.g. `performance.now()`) to microseconds. */
export const microsFromMillis = (ms: number): Micros => (ms * 1_000) as Micros;

/** Converts nanoseconds (e.g. `process.hrtime.bigint()`) to microseconds. */
export const microsFromNanos = (ns: number | bigint): Micros =>
  (typeof ns === 'bigint' ? Number(ns) / 1_000 : ns / 1_000) as Micros;

/** Converts microseconds to milliseconds, for display only. */
export const microsToMillis = (us: Micros): number => us / 1_000;

/** The unit a metric value is stored in (latencies in µs, sizes in bytes, shares as fractions). */
export type ValueUnit = 'µs' | 'ops/s' | 'bytes' | 'fraction' | 'none';
