/**
 * report.html: one self-contained page. Images are inlined as data: URIs, the CSS is inline, there
 * is no script, and a Content-Security-Policy forbids loading anything else — the page opens the
 * same offline, from a CI artifact or an e-mail attachment. Every value from a result file is
 * escaped by the html template (escape.ts).
 */
import type { RunResult } from '../formats/run-result.ts';
import type { ValidationFile } from '../formats/validation-file.ts';
import { html, trusted, type SafeHtml } from '../output/escape.ts';
import type { EventPlacement, ReportEvent } from './events.ts';
import type { PlanFile } from './inputs.ts';
import { kpiTableHtml, kpiTally, type KpiRow } from './kpi-table.ts';
import { FOREST_PLOT_FILE, frontPageHtml, VERDICT_CLASS, verdictOfFile } from './section-front.ts';
import { VERDICT_WORDS } from '../analysis/verdict.ts';
import { environmentSection, runSection, validationSection } from './section-metadata.ts';
import { eventsHtml, methodHtml, warningsHtml } from './section-notes.ts';
import { plansHtml } from './section-plans.ts';
import { comparisonsHtml, queryTablesHtml, segmentsHtml, sizesHtml } from './section-results.ts';

/** A rendered chart: its file under the run folder and its PNG bytes. */
export interface ChartImage {
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface PageInput {
  readonly title: string;
  readonly result: RunResult | null;
  readonly validation: ValidationFile | null;
  readonly kpiRows: readonly KpiRow[];
  readonly charts: readonly ChartImage[];
  readonly plans: readonly PlanFile[];
  readonly events: readonly ReportEvent[];
  readonly placement: EventPlacement;
  readonly warnings: readonly string[];
  /** Files of the run folder to list, relative paths. */
  readonly files: readonly string[];
  readonly generatedAt: string;
  /** Extra sections after the KPI table (e.g. the stress search, section-stress.ts). */
  readonly sections?: readonly SafeHtml[];
}

const CSS = trusted(`
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#212529;line-height:1.4;font-size:14px}
h1{font-size:24px;margin:8px 0}h2{font-size:19px;border-bottom:2px solid #dee2e6;padding-bottom:4px;margin-top:32px}h3{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #dee2e6;padding:4px 8px;vertical-align:top;text-align:left}
thead th{background:#343a40;color:#fff}table.kv th{background:#f1f3f5;color:#212529;font-weight:600;white-space:nowrap}
table.num td{text-align:right}table.num td:first-child{text-align:left}tr.total td{font-weight:600;background:#f8f9fa}
.kpi td.verdict{font-weight:700;white-space:nowrap}.verdict-pass td.verdict{background:#d4edda}.verdict-fail td.verdict{background:#f8d7da}
.verdict-inconclusive td.verdict,.verdict-inconclusive td.achieved{background:#ffe0b2}.verdict-not-measured td.verdict,.verdict-not-measured td.achieved{background:#fff3cd}.verdict-not-measurable td.verdict,.verdict-info td.verdict{background:#e9ecef}
.kpi td.target,.kpi td.achieved{font-family:"DejaVu Sans Mono",monospace}.note{color:#6c757d;font-size:12px}
td.cmp{font-size:12px;white-space:nowrap}td.cmp.verdict-better{background:#e6f4ea}td.cmp.verdict-worse{background:#fbe9eb}.ci{color:#495057}
.muted{color:#6c757d}.open{color:#ef6c00;font-weight:700}.good{color:#1e7e34;font-weight:700}.bad{color:#bd2130;font-weight:700}.status-complete{color:#1e7e34;font-weight:700}.status-incomplete,.status-failed{color:#bd2130;font-weight:700}
pre{background:#f8f9fa;border:1px solid #dee2e6;padding:8px;overflow-x:auto;font-size:12px;font-family:"DejaVu Sans Mono",monospace;white-space:pre}
details{margin:4px 0}details.plan{border:1px solid #dee2e6;border-radius:4px;padding:4px 8px}summary{cursor:pointer}.label{font-weight:600;margin:8px 0 2px}
figure{margin:16px 0}.chart-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:8px 16px}.chart-grid figure{margin:0}figure img{max-width:100%;height:auto;border:1px solid #dee2e6}figcaption{color:#495057;font-size:13px}
ul.compact{margin:0;padding-left:18px}nav a{margin-right:12px}code{font-family:"DejaVu Sans Mono",monospace;font-size:12px}
`);

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const figure = (c: ChartImage): SafeHtml =>
  html`<figure data-file="${c.file}"><img src="${trusted(`data:image/png;base64,${c.png.toString('base64')}`)}" alt="${c.title}" width="${c.width}" height="${c.height}"><figcaption>${c.caption} <span class="muted">(${c.file})</span></figcaption></figure>\n`;

/** Charts in groups: spectra side by side, then time series, sizes, and the KPI table picture last. */
function chartsHtml(charts: readonly ChartImage[]): SafeHtml {
  if (!charts.length) return html``;
  const named = (re: RegExp): ChartImage[] => charts.filter((c) => re.test(c.file));
  const spectra = named(/latency-spectrum-/);
  const time = named(/(latency-over-time-|throughput-over-time)/);
  const rest = charts.filter((c) => !spectra.includes(c) && !time.includes(c) && !/kpi-table|forest-plot/.test(c.file));
  const kpi = named(/kpi-table/);
  return html`<section id="charts"><h2>Charts</h2>
${spectra.length ? html`<h3>Latency by percentile, baseline vs optimized</h3><div class="chart-grid">${spectra.map(figure)}</div>` : ''}
${time.length ? html`<h3>Over time</h3>${time.map(figure)}` : ''}
${rest.length ? html`<h3>Storage</h3>${rest.map(figure)}` : ''}
${kpi.length ? html`<h3>KPI table as a picture</h3>${kpi.map(figure)}` : ''}
</section>`;
}

function headline(input: PageInput): SafeHtml {
  const r = input.result;
  const v = input.validation;
  const status = r ? html`run <span class="status-${r.status}">${r.status}</span>${r.statusReason ? html` (${r.statusReason})` : ''}` : html``;
  const verdict = v ? html`${r ? ' · ' : ''}${v.roadmapName}: <span class="${VERDICT_CLASS[verdictOfFile(v)]}">${VERDICT_WORDS[verdictOfFile(v)]}</span>` : html``;
  return html`<p>${status}${verdict} · KPIs: ${kpiTally(input.kpiRows)}</p>`;
}

export function reportPage(input: PageInput): string {
  const r = input.result;
  const nav = [
    ['#kpis', 'KPIs'], ...(r ? [['#run', 'Run'], ['#comparisons', 'Comparisons'], ['#per-query', 'Per query type'], ['#charts', 'Charts'], ['#plans', 'Plans']] : []),
    ['#warnings', 'Warnings'], ['#method', 'Method'],
  ];
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="geobench report">
<title>${input.title}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${input.title}</h1>
${headline(input)}
<nav>${nav.map(([href, text]) => html`<a href="${href!}">${text!}</a>`)}</nav>
</header>
${input.validation ? frontPageHtml(input.validation, input.charts.find((c) => c.file.endsWith(FOREST_PLOT_FILE)) ?? null, figure) : ''}
<section id="kpis"><h2>KPI targets</h2>
<p class="muted">Target and achieved side by side; "not measured" = no measurement, never a filled-in value.</p>
${kpiTableHtml(input.kpiRows)}
</section>
${input.sections ?? []}
${input.validation ? validationSection(input.validation) : ''}
${r ? runSection(r) : ''}
${r ? environmentSection(r) : ''}
${r ? comparisonsHtml(r) : ''}
${r ? queryTablesHtml(r) : ''}
${chartsHtml(input.charts)}
${r ? sizesHtml(r) : ''}
${r ? segmentsHtml(r) : ''}
${r ? plansHtml(r, input.plans) : ''}
${eventsHtml(input.events, input.placement)}
${warningsHtml(input.warnings)}
${methodHtml(r)}
<section id="files"><h2>Files</h2><ul>
${input.files.map((f) => html`<li><a href="${f}">${f}</a></li>\n`)}</ul>
<p class="muted">Generated ${input.generatedAt} by <code>geobench report</code>.</p></section>
</body>
</html>
`;
  return page.text;
}
