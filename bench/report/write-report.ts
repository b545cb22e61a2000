/**
 * `writeReport(runDir)`: turns the result files of a run folder into charts/*.png, report.html and
 * summary.md inside that folder. Called by `geobench report`, and at the end of `geobench run` and
 * `geobench validate`. Reads with inputs.ts, decides everything with the pure modules, draws with
 * render-png.ts (loaded only here, so other commands never load the canvas), writes atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/paths.ts';
import { GeobenchError } from '../core/errors.ts';
import { renderAll, textReporter, writeOutputs, type Reporter } from '../output/reporter.ts';
import { CHARTS_DIR, runCharts } from './charts.ts';
import { placeEvents, type EventPlacement } from './events.ts';
import { EVENTS_FILE, loadRunFolder, type ReportInputs } from './inputs.ts';
import { forestPlotSpec, forestRows } from './forest-plot.ts';
import { KPI_IMAGE_FILE } from './kpi-image.ts';
import { kpiRowsFromChecks, kpiRowsFromRun, type KpiRow } from './kpi-table.ts';
import { summaryMarkdown, type SummaryInput } from './summary-markdown.ts';
import { readStressFile, stressCharts, stressKpiRows, stressSectionHtml } from './section-stress.ts';
import { reportPage, type ChartImage, type PageInput } from './page.ts';

export const REPORT_HTML = 'report.html';
export const REPORT_MARKDOWN = 'summary.md';

/** What the run/validate report's reporters render: the page and the summary (charts are drawn already). */
interface ReportModel {
  readonly page: PageInput;
  readonly summary: SummaryInput;
  /** Charts drawn for a section of their own (stress curves), not in the page's chart groups. */
  readonly sectionImages: readonly ChartImage[];
}

/** The run/validate report's reporters: PNG charts, report.html, summary.md (output/reporter.ts). */
const REPORT_REPORTERS: ReadonlyArray<Reporter<ReportModel>> = [
  { format: 'png', render: (m) => [...m.page.charts, ...m.sectionImages].map((c) => ({ name: c.file, format: 'png' as const, data: c.png })) },
  textReporter('html', REPORT_HTML, (m) => reportPage(m.page)),
  textReporter('markdown', REPORT_MARKDOWN, (m) => summaryMarkdown(m.summary)),
];

export interface ReportFiles {
  /** Absolute paths of what was written. */
  readonly html: string;
  readonly markdown: string;
  readonly charts: string[];
}

/** Chart files a report writes; older ones that this report does not rewrite are removed. */
const OWN_CHART = /^(latency-spectrum-.*|latency-over-time-.*|throughput-over-time|storage-sizes|kpi-table|forest-plot|stress-latency-.*)\.png$/;

export function reportTitle(inputs: Pick<ReportInputs, 'result' | 'validation'>): string {
  const r = inputs.result;
  const v = inputs.validation;
  if (v) return `geobench — ${v.roadmapName} — ${v.runId}`;
  if (!r) return 'geobench — stress';
  return `geobench — ${r!.scenario.name} — ${r!.runId}`;
}

/** Every KPI row of the folder: the run's KPIs, then the validator's checks. */
export function kpiRowsOf(inputs: Pick<ReportInputs, 'result' | 'validation'>): KpiRow[] {
  return [...(inputs.result ? kpiRowsFromRun(inputs.result.kpis) : []), ...(inputs.validation ? kpiRowsFromChecks(inputs.validation.checks) : [])];
}

function folderForReaders(runDir: string): string {
  const rel = path.relative(PROJECT_ROOT, runDir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : runDir;
}

export async function writeReport(runDir: string, log: (line: string) => void = () => {}): Promise<ReportFiles> {
  const inputs = loadRunFolder(runDir);
  const dir = inputs.runDir;
  const r = inputs.result;
  const stress = readStressFile(dir);
  const title = stress && !r && !inputs.validation ? `geobench — stress ${stress.scenario} — ${stress.runId}` : reportTitle(inputs);
  // In a validator's folder the stress KPIs are already among its checks.
  const kpiRows = [...kpiRowsOf(inputs), ...(stress && !inputs.validation ? stressKpiRows(stress) : [])];
  const placement: EventPlacement = r
    ? placeEvents(inputs.events, r.segments)
    : { placed: [], unplaced: inputs.events.map((event) => ({ event, reason: 'the folder has no run result to place it on' })) };
  const warnings = [...(r?.warnings ?? []), ...inputs.problems];

  // Drawing loads the canvas binary: only here, not when the CLI starts.
  const render = await import('./render-png.ts');
  const images: ChartImage[] = [];
  const kpiPng = render.renderKpiImage(kpiRows, `KPI targets — ${title.replace(/^geobench — /, '')}`);
  images.push({ file: `${CHARTS_DIR}/${KPI_IMAGE_FILE}`, title: 'KPI table', caption: 'The KPI table above as a picture.', png: kpiPng, ...pngSize(kpiPng) });
  const forest = inputs.validation ? forestPlotSpec(forestRows(inputs.validation.checks)) : null;
  const specs = [...(forest ? [forest] : []), ...(r ? runCharts(r, placement.placed) : [])];
  log(`report: drawing ${specs.length + 1} charts for ${dir}`);
  for (const spec of specs) {
    try {
      images.push({ file: `${CHARTS_DIR}/${spec.file}`, title: spec.title, caption: spec.caption, png: render.renderChart(spec), width: spec.width, height: spec.height });
    } catch (err) {
      if (err instanceof GeobenchError) throw err;
      const message = `chart ${spec.file} could not be drawn: ${(err as Error).message}`;
      warnings.push(message);
      log(`report: ${message}`);
    }
  }

  // The stress charts sit in their own section, not in the run's chart groups.
  const stressImages: ChartImage[] = stress ? stressCharts(stress).map((spec) => ({ file: `${CHARTS_DIR}/${spec.file}`, title: spec.title, caption: spec.caption, png: render.renderChart(spec), width: spec.width, height: spec.height })) : [];
  const chartsDir = path.join(dir, CHARTS_DIR);
  const drawn = new Set([...images, ...stressImages].map((i) => path.basename(i.file)));
  if (fs.existsSync(chartsDir)) {
    for (const f of fs.readdirSync(chartsDir)) if (OWN_CHART.test(f) && !drawn.has(f)) fs.rmSync(path.join(chartsDir, f), { force: true });
  }
  const runFiles = [inputs.resultFile, inputs.validationFile, stress ? 'stress.json' : null, r?.files?.hlog ?? null, fs.existsSync(path.join(dir, EVENTS_FILE)) ? EVENTS_FILE : null]
    .filter((f): f is string => typeof f === 'string' && fs.existsSync(path.join(dir, f)));
  if (inputs.plans.length) runFiles.push('plans/');
  const files = [REPORT_HTML, REPORT_MARKDOWN, ...images.map((i) => i.file), ...stressImages.map((i) => i.file), ...runFiles];

  const model: ReportModel = {
    page: {
      title, result: r, validation: inputs.validation, kpiRows, charts: images, plans: inputs.plans, events: inputs.events, placement, warnings, files, generatedAt: new Date().toISOString(),
      sections: stress ? [stressSectionHtml(stress, stressImages)] : [],
    },
    summary: { title, result: r, validation: inputs.validation, kpiRows, folder: folderForReaders(dir), files },
    sectionImages: stressImages,
  };
  const written = writeOutputs(dir, renderAll(model, REPORT_REPORTERS));
  return { html: written.get(REPORT_HTML)!, markdown: written.get(REPORT_MARKDOWN)!, charts: [...images, ...stressImages].map((i) => written.get(i.file)!) };
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
