/**
 * The thin drawing layer: Chart.js on @napi-rs/canvas (a Skia binary shipped inside the npm
 * package: no cairo/pango system libraries, no native build, unlike `canvas`), plus the KPI-table
 * picture. Everything it draws was decided by the pure modules (charts.ts, kpi-image.ts).
 *
 * A bare machine has no fonts the canvas can find on its own, so labels would come out blank: the
 * DejaVu Sans files of Debian's fonts-dejavu-core (installed by scripts/setup) are registered under
 * one family name. GEOBENCH_REPORT_FONT may point at another regular-weight TTF.
 */
import fs from 'node:fs';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { Chart, registerables, type Plugin } from 'chart.js';
import { GeobenchError } from '../core/errors.ts';
import type { ChartSpec } from './charts.ts';
import { kpiImageLayout, KPI_FONT_SIZE } from './kpi-image.ts';
import type { KpiRow } from './kpi-table.ts';

export const FONT_FAMILY = 'GeobenchSans';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const REGULAR = [`${FONT_DIR}/DejaVuSans.ttf`];
const BOLD = [`${FONT_DIR}/DejaVuSans-Bold.ttf`];

let fontFile: string | undefined;

/** Registers the report font once and returns its file. */
export function ensureFont(): string {
  if (fontFile) return fontFile;
  const override = process.env.GEOBENCH_REPORT_FONT;
  const regular = override ? [override] : REGULAR;
  const file = regular.find((f) => fs.existsSync(f));
  if (!file) {
    throw new GeobenchError(`no font for the report's charts: ${regular.join(', ')} not found`, {
      hint: 'install the Debian package fonts-dejavu-core (scripts/setup does), or set GEOBENCH_REPORT_FONT to a .ttf file',
    });
  }
  if (!GlobalFonts.registerFromPath(file, FONT_FAMILY)) throw new GeobenchError(`the font file ${file} could not be loaded`);
  const bold = override ? undefined : BOLD.find((f) => fs.existsSync(f));
  if (bold) GlobalFonts.registerFromPath(bold, FONT_FAMILY);
  fontFile = file;
  return file;
}

/** Paints the whole canvas white first: PNGs are shown on any background. */
const whiteBackground: Plugin = {
  id: 'geobenchWhiteBackground',
  beforeDraw: (chart) => {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Draws options.plugins.geobenchEvents.marks as dashed vertical lines with their labels. */
const eventMarks: Plugin = {
  id: 'geobenchEvents',
  afterDatasetsDraw: (chart, _args, options: { marks?: ReadonlyArray<{ x: number; label: string }> }) => {
    const marks = options?.marks ?? [];
    const x = chart.scales.x;
    if (!marks.length || !x) return;
    const { ctx, chartArea } = chart;
    ctx.save();
    marks.forEach((m, i) => {
      const px = x.getPixelForValue(m.x);
      if (px < chartArea.left - 1 || px > chartArea.right + 1) return;
      ctx.strokeStyle = '#6c757d';
      ctx.setLineDash([4, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#343a40';
      ctx.font = `11px ${FONT_FAMILY}`;
      ctx.textAlign = px > (chartArea.left + chartArea.right) / 2 ? 'right' : 'left';
      ctx.fillText(m.label.length > 60 ? `${m.label.slice(0, 59)}…` : m.label, px + (ctx.textAlign === 'right' ? -4 : 4), chartArea.top + 12 + (i % 4) * 13);
    });
    ctx.restore();
  },
};

let registered = false;
function setup(): void {
  ensureFont();
  if (registered) return;
  Chart.register(...registerables, whiteBackground, eventMarks);
  Chart.defaults.font.family = FONT_FAMILY;
  Chart.defaults.color = '#343a40';
  registered = true;
}

/** Renders one chart to PNG bytes. */
export function renderChart(spec: ChartSpec): Buffer {
  setup();
  const canvas = createCanvas(spec.width, spec.height);
  const ctx = canvas.getContext('2d');
  const chart = new Chart(ctx as unknown as ConstructorParameters<typeof Chart>[0], spec.config);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

/** Renders the KPI table picture to PNG bytes. */
export function renderKpiImage(rows: readonly KpiRow[], title: string): Buffer {
  setup();
  const font = (bold: boolean): string => `${bold ? 'bold ' : ''}${KPI_FONT_SIZE}px ${FONT_FAMILY}`;
  const probe = createCanvas(1, 1).getContext('2d');
  const measure = (text: string, bold: boolean): number => {
    probe.font = font(bold);
    return probe.measureText(text).width;
  };
  const layout = kpiImageLayout(rows, title, measure);
  const canvas = createCanvas(layout.width, layout.height);
  const ctx: SKRSContext2D = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, layout.width, layout.height);
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#212529';
  ctx.font = `bold 17px ${FONT_FAMILY}`;
  ctx.fillText(layout.title.text, layout.title.x, layout.title.y);
  for (const c of layout.cells) {
    ctx.fillStyle = c.fill;
    ctx.fillRect(c.x, c.y, c.w, c.h);
    ctx.strokeStyle = '#dee2e6';
    ctx.lineWidth = 1;
    ctx.strokeRect(c.x + 0.5, c.y + 0.5, c.w, c.h);
    ctx.fillStyle = c.color;
    ctx.font = font(c.bold);
    ctx.fillText(c.text, c.x + 10, c.y + c.h / 2);
  }
  return canvas.toBuffer('image/png');
}
