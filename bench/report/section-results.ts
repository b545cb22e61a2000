/** Measured numbers: per-query-type tables per variant, comparisons with confidence intervals, sizes, segments. */
import { intervalMethodText, type Comparison, type MetricChange, type QueryTypeComparison } from '../analysis/compare.ts';
import type { QueryStats } from '../analysis/run-analysis.ts';
import type { RunResult } from '../formats/run-result.ts';
import { html, type SafeHtml } from '../output/escape.ts';
import { byQueryType, bytes, change, changeInterval, count, ms, percent, queryLabel, rate } from '../output/format.ts';
import { sizeBars } from './series.ts';

/** One table per variant: operations, throughput, latency percentiles and errors per query type. */
export function queryTablesHtml(r: RunResult): SafeHtml {
  const tables = r.results.variants.map((v) => {
    const entries = Object.entries(v.byQueryType ?? {}).sort(([a], [b]) => byQueryType(a, b));
    const open = entries.some(([, s]) => s.late !== null || s.dropped !== null);
    const row = ([q, s]: [string, QueryStats]): SafeHtml => html`<tr${q === '*' ? html` class="total"` : ''}>
<td>${queryLabel(q)}</td><td>${count(s.ops)}</td><td>${rate(s.throughput)}</td>
<td>${ms(s.latency?.p50)}</td><td>${ms(s.latency?.p90)}</td><td>${ms(s.latency?.p95)}</td><td>${ms(s.latency?.p99)}</td><td>${ms(s.latency?.p999)}</td><td>${ms(s.latency?.max)}</td><td>${ms(s.latency?.mean)}</td>
<td>${count(s.errors)}</td><td>${count(s.timeouts)}</td><td>${percent(s.errorRate)}</td>${open ? html`<td>${count(s.late)}</td><td>${count(s.dropped)}</td>` : ''}</tr>\n`;
    return html`<h3>${v.variant}</h3>
<table class="num query-table" data-variant="${v.variant}">
<thead><tr><th>query type</th><th>ops</th><th>ops/s</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>mean ms</th><th>errors</th><th>timeouts</th><th>error rate</th>${open ? html`<th>late</th><th>dropped</th>` : ''}</tr></thead>
<tbody>
${entries.map(row)}</tbody></table>`;
  });
  return html`<section id="per-query"><h2>Per query type</h2>
<p class="muted">Pooled over repetitions: percentiles of the merged latency histograms, throughput = completed operations / measured seconds.</p>
${tables}</section>`;
}

const isComparison = (c: RunResult['comparisons'][number]): c is Comparison => !('unavailable' in c);

function metricCell(m: MetricChange | undefined, unit: 'ms' | 'ops/s'): SafeHtml {
  if (!m) return html`<td>—</td>`;
  const value = (x: number): string => (unit === 'ms' ? ms(x) : rate(x));
  return html`<td class="cmp verdict-${m.verdict}"><span class="values">${value(m.baseline)} → ${value(m.optimized)}</span><br><b>${change(m.change)}</b> <span class="ci">${changeInterval(m)}</span><br><span class="verdict">${m.verdict}</span></td>`;
}

function comparisonRow(q: QueryTypeComparison): SafeHtml {
  const label = q.queryType === 'overall' ? 'overall (geometric mean)' : queryLabel(q.queryType);
  return html`<tr${q.queryType === 'overall' || q.queryType === '*' ? html` class="total"` : ''}><td>${label}</td>${metricCell(q.metrics.p50, 'ms')}${metricCell(q.metrics.p95, 'ms')}${metricCell(q.metrics.p99, 'ms')}${metricCell(q.metrics.mean, 'ms')}${metricCell(q.metrics.throughput, 'ops/s')}</tr>\n`;
}

/** Every comparison: baseline → optimized, relative change with its confidence interval, verdict. */
export function comparisonsHtml(r: RunResult): SafeHtml {
  if (!r.comparisons?.length) return html`<section id="comparisons"><h2>Comparisons</h2><p class="muted">This run has one variant: nothing to compare.</p></section>`;
  const blocks = r.comparisons.map((c) => {
    if (!isComparison(c)) return html`<h3>${c.optimized} vs ${c.baseline}</h3><p class="bad">Comparison unavailable: ${c.unavailable}</p>`;
    return html`<h3>${c.optimized} vs ${c.baseline}</h3>
<p class="muted">Each cell: baseline → ${c.optimized} (ms, or ops/s for throughput), relative change ${c.optimized}/${c.baseline} − 1 with its ${intervalMethodText(c)}, and the verdict: better or worse only when the whole interval is on one side of 0.</p>
<table class="comparison" data-optimized="${c.optimized}">
<thead><tr><th>query type</th><th>p50</th><th>p95</th><th>p99</th><th>mean</th><th>throughput</th></tr></thead>
<tbody>
${[...c.byQueryType, c.overall].filter(Boolean).map(comparisonRow)}</tbody></table>`;
  });
  return html`<section id="comparisons"><h2>Comparisons</h2>
${blocks}</section>`;
}

/** On-disk sizes per variant, and every index. */
export function sizesHtml(r: RunResult): SafeHtml {
  const bars = sizeBars(r);
  if (!bars.length) return html``;
  return html`<section id="sizes"><h2>Storage</h2>
<table class="num"><thead><tr><th>variant</th><th>partitions</th><th>table heap</th><th>TOAST</th><th>table indexes</th><th>materialized views</th><th>view indexes</th><th>total</th></tr></thead><tbody>
${bars.map((b) => html`<tr><td>${b.variant}</td><td>${b.partitions}</td><td>${bytes(b.tableHeapBytes)}</td><td>${bytes(b.tableToastBytes)}</td><td>${bytes(b.tableIndexBytes)}</td><td>${bytes(b.viewBytes)}</td><td>${bytes(b.viewIndexBytes)}</td><td><b>${bytes(b.totalBytes)}</b></td></tr>\n`)}</tbody></table>
<details><summary>Every index</summary>
<table class="num"><thead><tr><th>variant</th><th>relation</th><th>index</th><th>method</th><th>size</th></tr></thead><tbody>
${bars.flatMap((b) => b.indexes.map((i) => html`<tr><td>${b.variant}</td><td>${i.relation}</td><td>${i.name}</td><td>${i.method}</td><td>${bytes(i.bytes)}</td></tr>\n`))}</tbody></table>
</details></section>`;
}

/** Segments in the order they ran, with early stops and error messages (escaped: they come from the server). */
export function segmentsHtml(r: RunResult): SafeHtml {
  if (!r.segments?.length) return html``;
  const rows = r.segments.map((s) => {
    const errors = Object.entries(s.errorMessages ?? {});
    return html`<tr><td>${s.index}</td><td>${s.repetition}</td><td>${s.variant}</td><td>${s.measuredSec}</td><td>${count(s.warmupOps)}</td>
<td>${s.stoppedEarly ?? '—'}</td><td class="errors">${errors.length ? html`<ul class="compact">${errors.map(([msg, n]) => html`<li>${count(n)} × <code>${msg}</code></li>`)}</ul>` : '—'}</td>
${s.schedule ? html`<td>intended ${count(s.schedule.intended)}, sent ${count(s.schedule.sent)}, skipped ${count(s.schedule.skipped)}, late ${count(s.schedule.late)}</td>` : html`<td>—</td>`}</tr>\n`;
  });
  return html`<section id="segments"><h2>Segments and errors</h2>
<table class="segments"><thead><tr><th>#</th><th>rep</th><th>variant</th><th>measured s</th><th>warmup ops</th><th>stopped early</th><th>error messages</th><th>open-model schedule</th></tr></thead><tbody>
${rows}</tbody></table></section>`;
}
