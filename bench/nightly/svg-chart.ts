/**
 * A small inline-SVG trend chart of one metric: the history's per-run values (filled = used as
 * history, hollow = left out), the current run highlighted, the history center and the alarm
 * line. Self-contained markup (no script, no external font); every text is escaped. Pure.
 *
 * Kept as SVG instead of the report's chart.js PNGs by measurement (issue 16): the page draws one chart
 * per watched metric (~100 for the smoke mix); 100 such charts took 2.4 s as PNG (24 ms, 17.7 KiB
 * base64 each) against 43 ms as SVG (2.7 KiB each) on the 2-core test machine.
 */
import { escapeHtml } from '../output/escape.ts';
import { valueInUnit as formatValue, type ValueUnit } from '../output/format.ts';
import type { TrendPoint } from './judgement.ts';

export interface TrendChartInput {
  readonly title: string;
  readonly unit: ValueUnit;
  readonly points: readonly TrendPoint[];
  readonly status: string;
  readonly baseline: number | null;
  readonly alarmAt: number | null;
  /** Change points: index into points of the first run after a level shift, and its tooltip. */
  readonly shifts?: readonly { readonly index: number; readonly label: string }[];
  readonly width?: number;
  readonly height?: number;
}

const COLORS: Readonly<Record<string, string>> = { regression: '#c0392b', suspect: '#b9770e', improvement: '#1e8449' };

export function trendChartSvg(input: TrendChartInput): string {
  const width = input.width ?? 320;
  const height = input.height ?? 140;
  const pad = { left: 62, right: 12, top: 22, bottom: 20 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const values = input.points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const refs = [input.baseline, input.alarmAt].filter((v): v is number => v !== null && Number.isFinite(v));
  const all = [...values, ...refs];
  const title = `<text x="${pad.left}" y="14" font-size="12" font-weight="bold">${escapeHtml(input.title)}</text>`;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" role="img" aria-label="${escapeHtml(`trend of ${input.title}`)}">`;
  if (all.length === 0) return `${open}${title}<text x="${pad.left}" y="${pad.top + plotH / 2}" font-size="11" fill="#777">no values</text></svg>`;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) {
    const d = Math.abs(hi) * 0.05 || 1;
    lo -= d;
    hi += d;
  }
  const margin = (hi - lo) * 0.08;
  const nonNegative = lo >= 0;
  lo -= margin;
  hi += margin;
  if (nonNegative) lo = Math.max(0, lo); // latencies, rates and sizes: no axis below zero
  const n = input.points.length;
  const x = (i: number): number => pad.left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number): number => pad.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const r = (v: number): string => v.toFixed(1);
  const parts: string[] = [open, title];
  parts.push(`<rect x="${pad.left}" y="${pad.top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ddd"/>`);
  parts.push(`<text x="${pad.left - 4}" y="${r(pad.top + 9)}" font-size="10" text-anchor="end">${escapeHtml(formatValue(hi, input.unit))}</text>`);
  parts.push(`<text x="${pad.left - 4}" y="${r(pad.top + plotH)}" font-size="10" text-anchor="end">${escapeHtml(formatValue(lo, input.unit))}</text>`);
  if (input.baseline !== null && Number.isFinite(input.baseline)) {
    parts.push(`<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${r(y(input.baseline))}" y2="${r(y(input.baseline))}" stroke="#888" stroke-dasharray="2,3"><title>history center ${escapeHtml(formatValue(input.baseline, input.unit))}</title></line>`);
  }
  if (input.alarmAt !== null && Number.isFinite(input.alarmAt)) {
    const ay = r(y(input.alarmAt));
    parts.push(`<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${ay}" y2="${ay}" stroke="#c0392b" stroke-dasharray="5,3"><title>alarm at ${escapeHtml(formatValue(input.alarmAt, input.unit))}</title></line>`);
    parts.push(`<text x="${pad.left + plotW - 2}" y="${Number(ay) - 3}" font-size="9" fill="#c0392b" text-anchor="end">alarm</text>`);
  }
  for (const shift of input.shifts ?? []) {
    // Midway between the last run before and the first run after the shift.
    const sx = r(shift.index > 0 ? (x(shift.index - 1) + x(shift.index)) / 2 : x(shift.index));
    parts.push(`<line class="change-point" x1="${sx}" x2="${sx}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="#7d3c98" stroke-width="1.5" stroke-dasharray="4,2"><title>${escapeHtml(shift.label)}</title></line>`);
    parts.push(`<text x="${Number(sx) + 2}" y="${pad.top + 9}" font-size="9" fill="#7d3c98">shift</text>`);
  }
  const path = input.points
    .map((p, i) => (p.value === null || !Number.isFinite(p.value) ? null : `${r(x(i))},${r(y(p.value))}`))
    .filter((s): s is string => s !== null);
  if (path.length > 1) parts.push(`<polyline points="${path.join(' ')}" fill="none" stroke="#5d6d7e" stroke-width="1"/>`);
  input.points.forEach((p, i) => {
    if (p.value === null || !Number.isFinite(p.value)) return;
    const tip = `<title>${escapeHtml(`${p.runId}: ${formatValue(p.value, input.unit)}${p.role === 'excluded' ? ' (left out of the history)' : p.role === 'current' ? ' (this run)' : ''}`)}</title>`;
    if (p.role === 'current') {
      const color = COLORS[input.status] ?? '#2e86c1';
      parts.push(`<circle cx="${r(x(i))}" cy="${r(y(p.value))}" r="5" fill="${color}" stroke="#000" stroke-width="1">${tip}</circle>`);
    } else if (p.role === 'excluded') {
      parts.push(`<circle cx="${r(x(i))}" cy="${r(y(p.value))}" r="3" fill="#fff" stroke="#999">${tip}</circle>`);
    } else {
      parts.push(`<circle cx="${r(x(i))}" cy="${r(y(p.value))}" r="3" fill="#5d6d7e">${tip}</circle>`);
    }
  });
  parts.push(`<text x="${pad.left}" y="${height - 5}" font-size="9" fill="#777">${escapeHtml(`${n - 1} earlier run${n === 2 ? '' : 's'} → this run`)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
