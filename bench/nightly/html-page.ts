/**
 * The nightly HTML page: one self-contained file (inline CSS, inline SVG charts, no script, no
 * external resource). Verdict, entry table, then per entry its notices, regressions with their
 * trend charts, plan diffs, KPIs, and a trend chart for every watched metric. Every value from a
 * result, a scenario, the database or an error message is escaped (escape.ts).
 */
import { escapeHtml as h } from '../output/escape.ts';
import { change as formatChange, valueInUnit as formatValue } from '../output/format.ts';
import { metricLabel } from './metrics.ts';
import { outcomeOf, type EntryJudgement, type NightlyReport } from './judgement.ts';
import { kpiResultWord, verdictLine } from './summary-markdown.ts';
import { trendChartSvg } from './svg-chart.ts';
import type { MetricVerdict } from './detector.ts';

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px;margin-top:20px}
.verdict{padding:8px 12px;border-radius:4px;font-weight:bold;display:inline-block}
.pass{background:#d5f5e3;color:#145a32}.fail{background:#fadbd8;color:#78281f}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f6f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.regression{color:#c0392b;font-weight:bold}.warning{color:#b9770e}.suspect{color:#b9770e;font-weight:bold}.improvement{color:#1e8449}.muted{color:#777}
pre.diff{background:#f8f9f9;border:1px solid #ddd;padding:8px;font-size:12px;overflow-x:auto;line-height:1.35}
pre.diff .del{background:#fadbd8;display:block}pre.diff .add{background:#d5f5e3;display:block}pre.diff .ctx{display:block}
.grid{display:flex;flex-wrap:wrap;gap:8px}.grid figure{margin:0;border:1px solid #eee;padding:2px}
.notices li{margin:2px 0}.small{font-size:12px}
`;

function metricTable(rows: readonly MetricVerdict[], compare: boolean): string {
  const head = `<tr><th>metric</th><th>${compare ? 'run A' : 'history'}</th><th>this run</th><th>change</th><th>status</th><th>rule</th></tr>`;
  const body = rows.map((m) => {
    const ci = m.ci ? ` [${formatChange(m.ci.low)}, ${formatChange(m.ci.high)}]` : '';
    return `<tr><td>${h(metricLabel(m.metric.id))}</td><td class="num">${h(formatValue(m.baseline, m.metric.unit))}</td><td class="num">${h(formatValue(m.metric.value, m.metric.unit))}</td><td class="num">${h(formatChange(m.change) + ci)}</td><td class="${h(m.status)}">${h(m.status)}</td><td class="small">${h(m.reason)}</td></tr>`;
  });
  return `<table>${head}${body.join('')}</table>`;
}

/** The change points of one metric as chart markers (index into its trend). */
function shiftsOf(entry: EntryJudgement, metricId: string): { index: number; label: string }[] {
  const points = entry.trends[metricId] ?? [];
  return (entry.changePoints ?? []).filter((c) => c.metricId === metricId).map((c) => ({
    index: points.findIndex((p) => p.runId === c.runId),
    label: `level shift ${formatChange(c.change)} (${formatValue(c.before, c.unit)} → ${formatValue(c.after, c.unit)}) from run ${c.runId}${c.commit ? `, commit ${c.commit.slice(0, 12)}` : ''}`,
  })).filter((s) => s.index >= 0);
}

function chartOf(entry: EntryJudgement, m: MetricVerdict, large = false): string {
  const svg = trendChartSvg({
    title: metricLabel(m.metric.id),
    unit: m.metric.unit,
    points: entry.trends[m.metric.id] ?? [],
    status: m.status,
    baseline: m.baseline,
    alarmAt: m.alarmAt ?? null,
    shifts: shiftsOf(entry, m.metric.id),
    ...(large ? { width: 440, height: 190 } : {}),
  });
  return `<figure>${svg}</figure>`;
}

function diffHtml(lines: readonly string[]): string {
  return `<pre class="diff">${lines.map((l) => `<span class="${l.startsWith('- ') ? 'del' : l.startsWith('+ ') ? 'add' : 'ctx'}">${h(l)}</span>`).join('')}</pre>`;
}

function entrySection(entry: EntryJudgement, report: NightlyReport): string {
  const compare = report.kind === 'compare';
  const out: string[] = [`<h2 id="${h(`entry-${entry.entry}`)}">${h(entry.entry)} <span class="muted small">${h(entry.kind)} ${h(entry.name)}</span></h2>`];
  out.push(`<p>run ${h(entry.runId)} — status <b>${h(entry.status)}</b>${entry.statusReason ? `: ${h(entry.statusReason)}` : ''} — ${h(entry.seconds.toFixed(0))} s</p>`);
  if (entry.key) out.push(`<p class="small">series: ${h(entry.key.scenario)}, scale ${h(entry.key.scale)}, seed ${h(entry.key.seed)}, machine ${h(entry.key.fingerprint)}, ${h(entry.key.configText)}</p>`);
  out.push(`<p class="small">${compare ? 'compared with' : 'history'}: ${entry.historyRuns.length ? entry.historyRuns.map(h).join(', ') : 'none'}</p>`);
  if (entry.notices.length) out.push(`<ul class="notices">${entry.notices.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`);
  const regressions = entry.metrics.filter((m) => m.status === 'regression');
  if (regressions.length) {
    out.push('<h3 class="regression">Regressions</h3>', metricTable(regressions, compare));
    if (!compare) out.push(`<div class="grid">${regressions.map((m) => chartOf(entry, m, true)).join('')}</div>`);
  }
  const suspects = entry.metrics.filter((m) => m.status === 'suspect');
  if (suspects.length) {
    out.push('<h3 class="suspect">Suspect: machine-wide slowdown (not failing)</h3>', metricTable(suspects, compare));
    if (!compare) out.push(`<div class="grid">${suspects.map((m) => chartOf(entry, m)).join('')}</div>`);
  }
  const shifts = entry.changePoints ?? [];
  if (shifts.length && !compare) {
    out.push('<h3>Change points</h3><p class="small muted">where a metric\'s level shifted over its trend (E-divisive means, docs/nightly.md); the first run after the shift and the commit it measured. Informational: change points never fail the night.</p>');
    out.push(`<table><tr><th>metric</th><th>first run after the shift</th><th>commit</th><th>before → after</th><th>change</th></tr>${shifts.map((c) => `<tr><td>${h(metricLabel(c.metricId))}</td><td>${h(c.runId)}</td><td>${h(c.commit ? c.commit.slice(0, 12) : '—')}</td><td>${h(formatValue(c.before, c.unit))} → ${h(formatValue(c.after, c.unit))}</td><td class="${c.direction === 'worse' ? 'regression' : 'improvement'}">${h(formatChange(c.change))}</td></tr>`).join('')}</table>`);
    const metrics = [...new Set(shifts.map((c) => c.metricId))].slice(0, 12);
    out.push(`<div class="grid">${metrics.map((id) => entry.metrics.find((m) => m.metric.id === id)).filter((m): m is MetricVerdict => m !== undefined).map((m) => chartOf(entry, m, true)).join('')}</div>`);
  }
  const changed = entry.plans.filter((p) => p.status === 'changed');
  if (changed.length) {
    out.push(`<h3 class="regression">Plan changes${report.planChange === 'warn' ? ' (reported, not failing)' : ''}</h3>`);
    for (const p of changed) out.push(`<h4>${h(p.variant)} · ${h(p.queryType)}</h4><p class="small">${h(p.reason)}</p>`, diffHtml(p.diff));
  }
  if (entry.kpis.length) {
    out.push(`<h3>KPIs and checks${report.kpi === 'warn' ? ' <span class="small muted">(kpi: warn — a target not met is reported, it does not fail the night)</span>' : ''}</h3>`);
    out.push('<table><tr><th>KPI</th><th>target</th><th>achieved</th><th>result</th></tr>');
    for (const k of entry.kpis) {
      const cls = k.pass === false ? (report.kpi === 'fail' ? 'regression' : 'warning') : k.pass === true ? 'improvement' : 'muted';
      out.push(`<tr><td>${h(k.label)}</td><td>${h(k.target ?? '—')}</td><td>${h(k.achieved)}${k.note ? `<br><span class="small muted">${h(k.note)}</span>` : ''}</td><td class="${cls}">${h(kpiResultWord(k.pass, report.kpi))}</td></tr>`);
    }
    out.push('</table>');
  }
  const improvements = entry.metrics.filter((m) => m.status === 'improvement');
  if (improvements.length) out.push('<h3 class="improvement">Improvements</h3>', metricTable(improvements, compare));
  const plansDiffering = entry.plans.filter((p) => p.status === 'unchanged' && p.diff.length > 0);
  if (plansDiffering.length) {
    out.push('<details><summary>plans that differ from the last run but match one the history has seen</summary>');
    for (const p of plansDiffering) out.push(`<h4>${h(p.variant)} · ${h(p.queryType)}</h4><p class="small">${h(p.reason)}</p>`, diffHtml(p.diff));
    out.push('</details>');
  }
  if (entry.metrics.length) {
    if (compare) out.push('<details><summary>every metric</summary>', metricTable(entry.metrics, compare), '</details>');
    else {
      const groups = new Map<string, MetricVerdict[]>();
      for (const m of entry.metrics) {
        const group = m.metric.id.split('/').slice(0, m.metric.family === 'kpi' ? 1 : 2).join('/');
        groups.set(group, [...(groups.get(group) ?? []), m]);
      }
      out.push('<h3>Trends</h3><p class="small muted">filled dots: history used for judging; hollow: runs left out (alarmed or incomplete); large dot: this run (red = regression, green = improvement); grey dashes: history center; red dashes: alarm line.</p>');
      for (const [group, ms] of groups) {
        out.push(`<details${ms.some((m) => m.status === 'regression') ? ' open' : ''}><summary>${h(metricLabel(group))} (${ms.length} metrics${ms.some((m) => m.status === 'regression') ? ', regressions' : ''})</summary><div class="grid">${ms.map((m) => chartOf(entry, m)).join('')}</div></details>`);
      }
      out.push(`<details><summary>every metric as a table</summary>${metricTable(entry.metrics, compare)}</details>`);
    }
  }
  return out.join('\n');
}

export function renderHtml(report: NightlyReport): string {
  const o = outcomeOf(report);
  const rows = report.entries.map((en) => {
    const reg = en.metrics.filter((m) => m.status === 'regression').length;
    return `<tr><td><a href="#${h(`entry-${en.entry}`)}">${h(en.entry)}</a></td><td>${h(en.status)}</td><td class="num ${reg ? 'regression' : ''}">${reg}</td><td class="num">${en.plans.filter((p) => p.status === 'changed').length}</td><td class="num">${en.kpis.filter((k) => k.pass === false).length}</td><td class="num">${en.historyRuns.length}</td></tr>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${h(`geobench ${report.kind} ${report.runId}`)}</title><style>${CSS}</style></head>
<body>
<h1>geobench ${h(report.kind)} ${h(report.runId)}</h1>
<p class="small muted">${h(report.title)} — ${h(report.startedAt)} → ${h(report.finishedAt)}${report.machine ? ` — machine ${h(report.machine)}` : ''}${report.commit ? ` — commit ${h(report.commit)}` : ''}${report.configFile ? ` — config ${h(report.configFile)}` : ''}</p>
<p><span class="verdict ${o.exitCode === 0 ? 'pass' : 'fail'}">${h(verdictLine(report))}</span></p>
<table><tr><th>entry</th><th>status</th><th>regressions</th><th>plan changes</th><th>KPIs not met</th><th>history runs</th></tr>${rows.join('')}</table>
${report.entries.map((en) => entrySection(en, report)).join('\n')}
<p class="small muted">Detection rule: see docs/nightly.md. lookback ${h(report.detector.lookback)}, min history ${h(report.detector.minHistory)}, α ${h(report.detector.alpha)}, minimum effects p50 ${h(report.detector.minEffect.p50)}, p99 ${h(report.detector.minEffect.p99)}, throughput ${h(report.detector.minEffect.throughput)}, size ${h(report.detector.minEffect.size)}, KPI ${h(report.detector.minEffect.kpi)}.</p>
</body></html>
`;
}
