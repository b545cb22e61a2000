/** Human formatting of metric values and changes for the nightly outputs. Pure. */
import type { MetricUnit } from './metrics.ts';

const sig = (x: number, digits = 3): string => String(Number(x.toPrecision(digits)));

/** A value in its unit: µs shown as ms, bytes as kB/MB/GB, fractions as %. */
export function formatValue(value: number | null, unit: MetricUnit): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'µs':
      return value >= 1e6 ? `${sig(value / 1e6)} s` : `${sig(value / 1e3)} ms`;
    case 'ops/s':
      return `${sig(value)} ops/s`;
    case 'bytes':
      if (value >= 2 ** 30) return `${sig(value / 2 ** 30)} GiB`;
      if (value >= 2 ** 20) return `${sig(value / 2 ** 20)} MiB`;
      if (value >= 2 ** 10) return `${sig(value / 2 ** 10)} KiB`;
      return `${value} B`;
    case 'fraction':
      return `${sig(value * 100)}%`;
    default:
      return sig(value, 4);
  }
}

/** A relative change as a signed percentage. */
export function formatChange(change: number | null): string {
  if (change === null || Number.isNaN(change)) return '—';
  if (!Number.isFinite(change)) return change > 0 ? '+∞' : '−∞';
  return `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)}%`;
}

/** A metric id made readable: `opt1/Q3/p99` → `opt1 · Q3 · p99`, `*` → `all`. */
export function metricLabel(id: string): string {
  return id.split('/').map((p) => (p === '*' ? 'all' : p)).join(' · ');
}
