/**
 * The KPI table as a picture (charts/kpi-table.png), for places that show images but not HTML (a
 * chat message, a slide). Pure layout: cells with positions, colors and (fitted) text; the canvas
 * that draws it is in render-png.ts. Text width comes from the `measure` function the caller gives.
 */
import { VERDICT_TEXT, type KpiRow, type Verdict } from './kpi-table.ts';

export const KPI_IMAGE_FILE = 'kpi-table.png';

export interface ImageCell {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly text: string;
  readonly fill: string;
  readonly color: string;
  readonly bold: boolean;
}

export interface KpiImageLayout {
  readonly width: number;
  readonly height: number;
  readonly title: { readonly text: string; readonly x: number; readonly y: number };
  readonly cells: readonly ImageCell[];
}

/** Width in pixels of `text` in the table font (bold or not). */
export type Measure = (text: string, bold: boolean) => number;

export const KPI_FONT_SIZE = 14;
const PAD = 10;
const ROW_H = 30;
const TITLE_H = 40;
const MAX_COL = 360;

export const VERDICT_FILL: Readonly<Record<Verdict, string>> = {
  pass: '#d4edda',
  fail: '#f8d7da',
  inconclusive: '#ffe0b2',
  'not measured': '#fff3cd',
  'not measurable': '#e9ecef',
  info: '#e9ecef',
};

/** Cuts text to fit `max` pixels, ending with an ellipsis. */
export function fitText(text: string, max: number, bold: boolean, measure: Measure): string {
  const flat = text.replace(/\s+/g, ' ');
  if (measure(flat, bold) <= max) return flat;
  let lo = 0;
  let hi = flat.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${flat.slice(0, mid)}…`, bold) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${flat.slice(0, lo)}…`;
}

/** Lays out the KPI table: header row, one row per KPI, the result cell colored by verdict. */
export function kpiImageLayout(rows: readonly KpiRow[], title: string, measure: Measure): KpiImageLayout {
  const header = ['Metric', 'Scope', 'Target', 'Achieved', 'Result'];
  const body = rows.length
    ? rows.map((r) => [r.metric, r.scope ?? (r.source === 'validation' ? 'validator' : ''), r.target ?? '—', r.achieved, VERDICT_TEXT[r.verdict]])
    : [['No KPI targets in this run', '', '', '', '']];
  const widths = header.map((h, c) => Math.min(MAX_COL, Math.max(measure(h, true), ...body.map((row) => measure(row[c]!, c === 4))) + 2 * PAD));
  const width = Math.max(480, widths.reduce((a, b) => a + b, 0) + 2 * PAD);
  const height = TITLE_H + ROW_H * (body.length + 1) + PAD;
  const cells: ImageCell[] = [];
  const place = (row: readonly string[], r: number, fills: (c: number) => string, color: string, bold: (c: number) => boolean): void => {
    let x = PAD;
    row.forEach((text, c) => {
      const w = widths[c]!;
      cells.push({ x, y: TITLE_H + r * ROW_H, w, h: ROW_H, text: fitText(text, w - 2 * PAD, bold(c), measure), fill: fills(c), color, bold: bold(c) });
      x += w;
    });
  };
  place(header, 0, () => '#343a40', '#ffffff', () => true);
  body.forEach((row, i) => {
    const verdict = rows[i]?.verdict;
    const zebra = i % 2 === 0 ? '#ffffff' : '#f8f9fa';
    place(row, i + 1, (c) => (c === 4 && verdict ? VERDICT_FILL[verdict] : zebra), '#212529', (c) => c === 4);
  });
  return { width: Math.ceil(width), height, title: { text: fitText(title, width - 2 * PAD, true, measure), x: PAD, y: TITLE_H / 2 }, cells };
}
