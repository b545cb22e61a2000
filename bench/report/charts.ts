/**
 * Chart.js configurations of the report's charts, built from the series in series.ts. Pure: no
 * canvas here (render-png.ts draws them). Titles and labels are drawn as pixels, so they need no
 * escaping; the HTML that shows the images escapes their captions.
 */
import type { ChartConfiguration, ChartType, Scale } from 'chart.js';
import type { RunResult } from '../formats/run-result.ts';
import type { PlacedEvent } from './events.ts';
import { queryLabel } from '../output/format.ts';
import {
  latencyOverTime, queryTypes, sizeBars, spectrumSeries, throughputOverTime, variantNames,
  SPECTRUM_MAX_PERCENTILE, SPECTRUM_MIN_PERCENTILE, type SizeBar, type SpectrumSeries, type TimeSeries,
} from './series.ts';

/** A vertical mark on a time axis (a maintenance event). */
export interface EventMark {
  readonly x: number;
  readonly label: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    /** Drawn by the report's event-marks plugin (render-png.ts). */
    geobenchEvents?: { marks: readonly EventMark[] };
  }
}

/** One chart: where it goes, what it shows, and its Chart.js configuration. */
export interface ChartSpec {
  /** File name under charts/. */
  readonly file: string;
  readonly title: string;
  /** One or two sentences under the image in the HTML report. */
  readonly caption: string;
  readonly width: number;
  readonly height: number;
  readonly config: ChartConfiguration;
}

export const CHARTS_DIR = 'charts';

const PALETTE = ['#4c72b0', '#dd8452', '#55a868', '#c44e52', '#8172b3', '#937860', '#da8bc3', '#8c8c8c', '#ccb974', '#64b5cd'];

/** The color of a variant: by its position in the run (baseline first). */
export const variantColor = (index: number): string => PALETTE[index % PALETTE.length]!;

/** A file-name-safe form of a query type or variant name (`*` → `all`). */
export function fileSlug(name: string): string {
  if (name === '*') return 'all';
  const slug = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.]+/, '_');
  return slug.length > 0 ? slug.slice(0, 80) : '_';
}

/** x coordinate of a percentile on the "nines" axis: 1 / (1 − p/100) (50 → 2, 99 → 100, 99.99 → 10 000). */
export const ninesX = (percentile: number): number => 1 / (1 - percentile / 100);

const NINES_TICKS: ReadonlyArray<[number, string]> = [[2, '50%'], [10, '90%'], [100, '99%'], [1000, '99.9%'], [10000, '99.99%']];

const base = (title: string, subtitle?: string): ChartConfiguration['options'] => ({
  responsive: false,
  animation: false,
  devicePixelRatio: 1,
  plugins: {
    title: { display: true, text: title, font: { size: 16, weight: 'bold' } },
    subtitle: { display: subtitle !== undefined, text: subtitle ?? '', padding: { bottom: 8 } },
    legend: { position: 'bottom' },
  },
});

/** (1) Latency by percentile for one query type, every variant on a log "nines" axis. */
export function spectrumChart(queryType: string, series: readonly SpectrumSeries[], colors: ReadonlyMap<string, string>): ChartSpec {
  const title = `Latency by percentile — ${queryLabel(queryType)}`;
  const summaryOnly = series.some((s) => s.source === 'summary');
  const options = base(title, 'pooled over repetitions; x = percentile on a log "nines" axis') as NonNullable<ChartConfiguration<'scatter'>['options']>;
  options.scales = {
    x: {
      type: 'logarithmic',
      min: ninesX(SPECTRUM_MIN_PERCENTILE),
      max: ninesX(SPECTRUM_MAX_PERCENTILE) * 1.0001,
      title: { display: true, text: 'percentile' },
      afterBuildTicks: (axis: Scale) => {
        axis.ticks = NINES_TICKS.map(([value]) => ({ value }));
      },
      ticks: { callback: (value) => NINES_TICKS.find(([v]) => Math.abs(v - Number(value)) < 1e-6)?.[1] ?? '' },
    },
    y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'latency (ms)' } },
  };
  const config: ChartConfiguration<'scatter'> = {
    type: 'scatter',
    data: {
      datasets: series.map((s) => ({
        label: `${s.variant} (${s.count.toLocaleString('en-US')} ops${s.source === 'summary' ? ', 5 percentiles only' : ''})`,
        data: s.points.map((p) => ({ x: Math.min(ninesX(p.percentile), ninesX(SPECTRUM_MAX_PERCENTILE)), y: p.ms })),
        showLine: true,
        borderColor: colors.get(s.variant) ?? '#000',
        backgroundColor: colors.get(s.variant) ?? '#000',
        borderWidth: 2,
        pointRadius: s.source === 'summary' ? 3 : 0,
      })),
    },
    options,
  };
  return {
    file: `latency-spectrum-${fileSlug(queryType)}.png`,
    title,
    caption: `Latency at each percentile of ${queryLabel(queryType)}, every repetition's histogram merged per variant.${summaryOnly ? ' Some variants have no stored histogram: their line joins the five summary percentiles only.' : ''} With n operations, percentiles above 100·(1 − 1/n) are the maximum.`,
    width: 960,
    height: 480,
    config: config as unknown as ChartConfiguration,
  };
}

const timeOptions = (title: string, subtitle: string, yTitle: string, marks: readonly EventMark[], maxSec: number): ChartConfiguration['options'] => {
  const options = base(title, subtitle) as NonNullable<ChartConfiguration<'scatter'>['options']>;
  options.scales = {
    x: { type: 'linear', min: 0, suggestedMax: maxSec, title: { display: true, text: 'seconds since the measurement start (points at the middle of each 1 s interval)' } },
    y: { type: 'linear', beginAtZero: true, title: { display: true, text: yTitle } },
  };
  options.plugins!.geobenchEvents = { marks };
  return options as ChartConfiguration['options'];
};

const line = (label: string, s: TimeSeries, color: string, dash: number[]): ChartConfiguration<'scatter'>['data']['datasets'][number] => ({
  label,
  data: s.points.map((p) => ({ x: p.sec, y: p.value as number })),
  showLine: true,
  spanGaps: false,
  borderColor: color,
  backgroundColor: color,
  borderDash: dash,
  borderWidth: 2,
  pointRadius: 2,
});

const maxSecOf = (series: readonly TimeSeries[]): number => Math.max(1, ...series.flatMap((s) => s.points.map((p) => Math.ceil(p.sec))));

const REP_DASH: readonly number[][] = [[], [8, 4], [2, 3], [12, 3, 2, 3]];

/** Marks of the placed events on one variant's chart, or (no variant) on the chart of every variant. */
export function eventMarks(placed: readonly PlacedEvent[], variant?: string): EventMark[] {
  const seen = new Set<string>();
  const marks: EventMark[] = [];
  for (const p of placed) {
    if (variant !== undefined && p.variant !== variant) continue;
    // On a chart of every variant, an event of one variant says which one.
    const label = variant === undefined && p.event.variant !== null ? `${p.variant}: ${p.event.label}` : p.event.label;
    const key = `${p.atSec}\0${label}`;
    if (seen.has(key)) continue;
    seen.add(key);
    marks.push({ x: p.atSec, label });
  }
  return marks;
}

/** (2) p50 and p99 of all operations per second for one variant, one pair of lines per repetition. */
export function latencyOverTimeChart(variant: string, data: { p50: TimeSeries[]; p99: TimeSeries[] }, color: string, marks: readonly EventMark[]): ChartSpec {
  const title = `p50 / p99 over time — ${variant}`;
  const datasets = data.p50.flatMap((s, i) => {
    const p99 = data.p99[i]!;
    const rep = data.p50.length > 1 ? ` rep ${s.repetition}` : '';
    return [line(`p99${rep}`, p99, color, REP_DASH[i % REP_DASH.length]!), line(`p50${rep}`, s, shade(color, 0.45), REP_DASH[i % REP_DASH.length]!)];
  });
  return {
    file: `latency-over-time-${fileSlug(variant)}.png`,
    title,
    caption: `p50 and p99 latency of all operations of ${variant}, per one-second interval of each repetition's measurement${marks.length ? '; vertical lines are the events listed below' : ''}. A gap is a second without a completed operation.`,
    width: 960,
    height: 420,
    config: { type: 'scatter', data: { datasets }, options: timeOptions(title, 'all operations, one point per second', 'latency (ms)', marks, maxSecOf(data.p50)) } as unknown as ChartConfiguration,
  };
}

/** (3) Completed operations per second, every variant and repetition. */
export function throughputChart(series: readonly TimeSeries[], colors: ReadonlyMap<string, string>, marks: readonly EventMark[]): ChartSpec {
  const title = 'Throughput over time';
  const reps = new Set(series.map((s) => s.repetition)).size;
  const datasets = series.map((s) => line(`${s.variant}${reps > 1 ? ` rep ${s.repetition}` : ''}`, s, colors.get(s.variant) ?? '#000', REP_DASH[(s.repetition - 1) % REP_DASH.length]!));
  return {
    file: 'throughput-over-time.png',
    title,
    caption: `Completed operations per second (all query types) in each second of each segment's measurement${marks.length ? '; vertical lines are the events listed below' : ''}.`,
    width: 960,
    height: 420,
    config: { type: 'scatter', data: { datasets }, options: timeOptions(title, 'completed operations per second, all query types', 'ops/s', marks, maxSecOf(series)) } as unknown as ChartConfiguration,
  };
}

const MIB = 1024 * 1024;

/** (4) On-disk sizes per variant, stacked: table heap, TOAST, table indexes, materialized views and their indexes. */
export function sizesChart(bars: readonly SizeBar[]): ChartSpec {
  const title = 'Storage and index sizes per variant';
  const parts: Array<[string, (b: SizeBar) => number, string]> = [
    ['table heap', (b) => b.tableHeapBytes, '#4c72b0'],
    ['table TOAST', (b) => b.tableToastBytes, '#64b5cd'],
    ['table indexes', (b) => b.tableIndexBytes, '#dd8452'],
    ['materialized views', (b) => b.viewBytes, '#55a868'],
    ['materialized-view indexes', (b) => b.viewIndexBytes, '#c44e52'],
  ];
  const datasets = parts
    .filter(([, get]) => bars.some((b) => get(b) > 0))
    .map(([label, get, color]) => ({ label, data: bars.map((b) => get(b) / MIB), backgroundColor: color, stack: 'size' }));
  const options = base(title, 'MiB on disk (pg_relation_size: whole 8 kB pages)') as NonNullable<ChartConfiguration<'bar'>['options']>;
  options.scales = { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'MiB' } } };
  return {
    file: 'storage-sizes.png',
    title,
    caption: 'On-disk size of each variant\'s dataset table (heap, TOAST, indexes; partitions summed) and materialized views, measured after the run.',
    width: 960,
    height: 460,
    config: { type: 'bar', data: { labels: bars.map((b) => `${b.variant}${b.partitions ? ` (${b.partitions} partitions)` : ''}`), datasets }, options } as unknown as ChartConfiguration,
  };
}

/** Every Chart.js chart of a run result (the KPI-table picture is drawn separately). */
export function runCharts(r: RunResult, placed: readonly PlacedEvent[]): ChartSpec[] {
  const names = variantNames(r);
  const colors = new Map(names.map((v, i) => [v, variantColor(i)]));
  const specs: ChartSpec[] = [];
  for (const q of queryTypes(r)) {
    const series = spectrumSeries(r, q);
    if (series.length) specs.push(spectrumChart(q, series, colors));
  }
  for (const v of names) {
    const data = latencyOverTime(r, v);
    if (data.p50.length) specs.push(latencyOverTimeChart(v, data, colors.get(v)!, eventMarks(placed, v)));
  }
  const tp = throughputOverTime(r);
  if (tp.length) specs.push(throughputChart(tp, colors, eventMarks(placed)));
  const bars = sizeBars(r);
  if (bars.length) specs.push(sizesChart(bars));
  return specs;
}

/** A lighter shade of a #rrggbb color (mix with white). */
export function shade(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const mix = (c: number): number => Math.round(c + (255 - c) * amount);
  return `#${[(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => mix(c).toString(16).padStart(2, '0')).join('')}`;
}
