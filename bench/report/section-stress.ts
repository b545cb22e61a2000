/**
 * The stress search in the report: one latency-vs-offered-load chart per variant (p50, p99 and max
 * of every step, the SLO as a line, the knee marked), the capacity table, the capacity-change KPI
 * rows and every step with its evidence. Reads stress.json; pure apart from that read.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import type { StressFile, StressStepRecord, StressVariantRecord } from '../stress/stress-file.ts';
import { type ChartSpec, fileSlug, variantColor } from './charts.ts';
import { html, type SafeHtml } from '../output/escape.ts';
import type { KpiRow } from './kpi-table.ts';
import type { ChartImage } from './page.ts';

export const STRESS_FILE = 'stress.json';

/** stress.json of a folder, or null when there is none. @throws Error naming the file when it is not readable JSON. */
export function readStressFile(dir: string): StressFile | null {
  const file = path.join(dir, STRESS_FILE);
  if (!fs.existsSync(file)) return null;
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as StressFile;
    if (parsed?.kind !== 'stress' || !Array.isArray(parsed.variants)) throw new Error('not a geobench stress result');
    return parsed;
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

const msOf = (us: number | null): number | null => (us === null || !Number.isFinite(us) ? null : us / 1000);
const fmtRate = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '∞' : `${Number(x.toPrecision(3))}`);

/** Where the knee mark goes and what it says; null when the search has no knee to show. */
export function kneeMark(v: StressVariantRecord): { x: number; label: string } | null {
  const r = v.result;
  if (!r) return null;
  if (r.kind === 'capacity') return { x: r.estimate, label: `knee ≈ ${fmtRate(r.estimate)} ops/s [${fmtRate(r.low)}, ${fmtRate(r.high)})` };
  if (r.kind === 'not-reached') return { x: r.low, label: `not reached: ≥ ${fmtRate(r.low)} ops/s` };
  if (r.kind === 'harness-bound') return { x: r.atRate, label: `harness-bound at ${fmtRate(r.atRate)} ops/s` };
  return null;
}

/** Log-axis labels at 1, 2 and 5 × 10^k only, so neighbouring ticks never overlap. */
const logTick = (value: number | string): string => {
  const v = Number(value);
  const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? `${Number(v.toPrecision(3))}` : '';
};

const points = (steps: readonly StressStepRecord[], pick: (s: StressStepRecord) => number | null): Array<{ x: number; y: number }> =>
  steps.map((s) => ({ x: s.offeredRate, y: msOf(pick(s)) })).filter((p): p is { x: number; y: number } => p.y !== null && p.y > 0).sort((a, b) => a.x - b.x);

/** The latency-vs-offered-load chart of one variant. Pure. */
export function stressChart(stress: StressFile, v: StressVariantRecord, index: number): ChartSpec {
  const color = variantColor(index);
  const slo = stress.config.sloP99Us / 1000;
  const rates = v.steps.map((s) => s.offeredRate);
  const minX = Math.min(...rates, stress.config.maxRate) / 1.3;
  const maxX = Math.max(...rates, 1) * 1.3;
  const mark = kneeMark(v);
  const ys = v.steps.flatMap((s) => [s.latency.p50, s.latency.max]).map(msOf).filter((y): y is number => y !== null && y > 0);
  const minY = Math.min(...ys, slo) / 1.5;
  const maxY = Math.max(...ys, slo) * 1.5;
  const title = `Latency vs offered load — ${v.name}`;
  const series = (label: string, data: Array<{ x: number; y: number }>, c: string, radius: number, style: 'circle' | 'triangle' | 'crossRot') => ({
    label, data, showLine: false, borderColor: c, backgroundColor: c, pointRadius: radius, pointStyle: style,
  });
  const config: ChartConfiguration<'scatter'> = {
    type: 'scatter',
    data: {
      datasets: [
        series('p50', points(v.steps, (s) => s.latency.p50), color, 3, 'circle'),
        series('p99', points(v.steps, (s) => s.latency.p99), '#c44e52', 4, 'triangle'),
        series('max', points(v.steps, (s) => s.latency.max), '#8c8c8c', 3, 'crossRot'),
        { label: `SLO p99 ${slo} ms`, data: [{ x: minX, y: slo }, { x: maxX, y: slo }], showLine: true, borderColor: '#343a40', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 },
      ],
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: {
        title: { display: true, text: title, font: { size: 16, weight: 'bold' } },
        subtitle: { display: true, text: `every step (≥ ${stress.config.stepSeconds as number} s and ≥ ${(stress.config.minStepOps as number | undefined) ?? '?'} expected arrivals, open model, Poisson arrivals); latency charged from the intended send time`, padding: { bottom: 8 } },
        legend: { position: 'bottom' },
        geobenchEvents: { marks: mark ? [mark] : [] },
      },
      scales: {
        x: { type: 'logarithmic', min: minX, max: maxX, title: { display: true, text: 'offered rate (ops/s, log scale)' }, ticks: { callback: logTick } },
        y: { type: 'logarithmic', min: minY, max: maxY, title: { display: true, text: 'latency (ms, log scale)' }, ticks: { callback: logTick } },
      },
    },
  };
  return {
    file: `stress-latency-${fileSlug(v.name)}.png`,
    title,
    caption: `${v.name}: p50, p99 and max of each step against its offered rate (repeated steps appear as several points at one rate); dashed line: the p99 SLO; vertical line: ${mark ? mark.label : 'no knee'}.`,
    width: 960,
    height: 480,
    config: config as unknown as ChartConfiguration,
  };
}

export const stressCharts = (stress: StressFile): ChartSpec[] => stress.variants.map((v, i) => stressChart(stress, v, i));

/** The capacity-change comparisons as KPI rows, with the shared three outcomes. */
export function stressKpiRows(stress: StressFile): KpiRow[] {
  return stress.comparisons.map((c) => ({
    source: 'validation' as const,
    metric: `Capacity at p99 < ${stress.config.sloP99Us / 1000} ms`,
    scope: `${c.variant} vs ${c.baseline}`,
    target: c.target,
    achieved: c.text.replace(/ vs .*$/, ''),
    verdict: c.decision,
    note: c.decision === 'inconclusive' ? 'the capacity-change interval straddles the target; a narrower capacity interval (more repetitions at the knee, a quieter machine) would decide it' : null,
  }));
}

const cell = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

function stepsTable(v: StressVariantRecord): SafeHtml {
  const rows = v.steps.map((s) => {
    const waits = Object.entries(s.waits.counts).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, n]) => `${w} ${n}`).join(', ');
    const cron = s.cronRuns === null ? 'n/a' : s.cronRuns.length === 0 ? '—' : s.cronRuns.map((r) => `${r.jobname} (${r.status})`).join(', ');
    return html`<tr class="verdict-${s.outcome === 'pass' ? 'pass' : 'fail'}"><td>${s.index}</td><td>${s.phase}</td><td>${fmtRate(s.offeredRate)}</td><td>${cell(s.achievedRate, 1)}</td>
<td>${cell(msOf(s.latency.p50))}</td><td>${cell(msOf(s.latency.p99))}</td><td>${cell(msOf(s.latency.max))}</td><td>${s.errors + s.timeouts}</td><td>${s.late}</td><td>${s.backlog}</td>
<td>${s.clientCpu ? `${(100 * s.clientCpu.busiestThreadShare).toFixed(0)}% / ${s.clientCpu.processCores.toFixed(2)}` : '—'}</td><td>${cell(s.serverCpuCores)}</td><td>${waits || '—'}</td><td>${cron}</td>
<td class="verdict">${s.outcome}${s.reasons.length ? html`<div class="note">${s.reasons.join('; ')}</div>` : ''}</td></tr>`;
  });
  return html`<details><summary>${v.name}: ${v.steps.length} steps</summary><table class="num">
<thead><tr><th>#</th><th>phase</th><th>offered ops/s</th><th>achieved ops/s</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>failed</th><th>late</th><th>backlog</th><th>client CPU: busiest thread / cores</th><th>server CPU cores</th><th>waits (samples)</th><th>pg_cron runs</th><th>outcome</th></tr></thead>
<tbody>${rows}</tbody></table></details>`;
}

const figure = (c: ChartImage): SafeHtml =>
  html`<figure data-file="${c.file}"><img src="${`data:image/png;base64,${c.png.toString('base64')}`}" alt="${c.title}" width="${c.width}" height="${c.height}"><figcaption>${c.caption} <span class="muted">(${c.file})</span></figcaption></figure>\n`;

/** The report section: capacities, comparisons, charts and steps. */
export function stressSectionHtml(stress: StressFile, charts: readonly ChartImage[]): SafeHtml {
  const slo = [`p99 < ${stress.config.sloP99Us / 1000} ms`, ...Object.entries(stress.config.sloPerTypeUs as Record<string, number>).map(([t, us]) => `${t} p99 < ${us / 1000} ms`)].join(', ');
  return html`<section id="stress"><h2>Capacity at the latency SLO</h2>
<p>Search ${stress.status === 'complete' ? 'complete' : html`<span class="bad">incomplete</span> (${stress.statusReason ?? ''})`} in ${stress.elapsedSec.toFixed(0)} s on ${stress.target}; scenario ${stress.scenario}, scale ${stress.dataset.scale}.
SLO: ${slo}; failed operations ≤ ${(100 * (stress.config.errorLimit as number)).toFixed(2)}%; no unsent backlog. See docs/stress.md for how to read it.</p>
<table class="kv"><thead><tr><th>variant</th><th>capacity</th><th>steps</th><th>ramp start (¼ of closed-loop ops/s)</th></tr></thead><tbody>
${stress.variants.map((v) => html`<tr><td>${v.name}</td><td>${v.text}</td><td>${v.steps.length}</td><td>${v.closedLoopOpsPerSec ? `${fmtRate(v.startRate ?? 0)} (${cell(v.closedLoopOpsPerSec, 0)})` : v.startRate ? `${fmtRate(v.startRate)} (--start-rate)` : '—'}</td></tr>`)}
</tbody></table>
${stress.comparisons.map((c) => html`<p>${c.variant} vs ${c.baseline}: capacity change ${c.text}</p>`)}
${charts.map(figure)}
${stress.variants.map(stepsTable)}
</section>`;
}
