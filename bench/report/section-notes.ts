/** Warnings, events, and the short "how the numbers were computed". */
import { intervalMethodText, type Comparison } from '../analysis/compare.ts';
import type { RunResult } from '../formats/run-result.ts';
import { html, type SafeHtml } from '../output/escape.ts';
import type { EventPlacement, ReportEvent } from './events.ts';

export function warningsHtml(warnings: readonly string[]): SafeHtml {
  if (!warnings.length) return html`<section id="warnings"><h2>Warnings</h2><p class="muted">None.</p></section>`;
  return html`<section id="warnings"><h2>Warnings</h2><ul class="warnings">
${warnings.map((w) => html`<li>${w}</li>\n`)}</ul></section>`;
}

const atText = (e: ReportEvent): string => (typeof e.at === 'number' ? `${e.at} s` : e.at);

export function eventsHtml(events: readonly ReportEvent[], placement: EventPlacement): SafeHtml {
  if (!events.length) return html``;
  const placedCount = (e: ReportEvent): number => placement.placed.filter((p) => p.event === e).length;
  const reason = (e: ReportEvent): string | undefined => placement.unplaced.find((u) => u.event === e)?.reason;
  return html`<section id="events"><h2>Events</h2>
<table><thead><tr><th>at</th><th>event</th><th>variant</th><th>repetition</th><th>on the charts</th><th>from</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${atText(e)}</td><td>${e.label}</td><td>${e.variant ?? 'all'}</td><td>${e.repetition ?? 'all'}</td><td>${placedCount(e) ? `marked on ${placedCount(e)} segment(s)` : `not placed: ${reason(e) ?? 'unknown'}`}</td><td>${e.source}</td></tr>\n`)}</tbody></table></section>`;
}

/** Short methodology, with the run's own comparison parameters where there are any. */
export function methodHtml(r: RunResult | null): SafeHtml {
  const cmp = r?.comparisons?.find((c): c is Comparison => !('unavailable' in c));
  const ci = cmp ? intervalMethodText(cmp) : '95% paired t-interval over repetitions';
  return html`<section id="method"><h2>How the numbers were computed</h2><ul>
<li><b>Latency</b>: every completed operation is timed on the client in whole microseconds and recorded into an HdrHistogram (3 significant digits) per worker, query type and second. Percentiles of a total come from the merged histograms — never an average of percentiles. In the open model a latency counts from the operation's intended send time, so queueing behind a slow server is included.</li>
<li><b>Throughput</b>: completed operations ÷ measured seconds (warmup excluded). Errors and timeouts are counted apart and are not in the latencies.</li>
<li><b>Repetitions</b>: every repetition runs every variant in turn, the order alternating (A B, then B A) on the same seeded parameters. Per-query tables pool the repetitions.</li>
<li><b>Comparisons</b>: change = geometric mean over repetitions of optimized ÷ baseline − 1 (within one run; the means shown are over repetitions); interval: ${ci}. A verdict is better/worse only when the whole interval is on one side of 0; with one repetition there is no interval. "overall" is the geometric mean over query types.</li>
<li><b>KPIs</b>: targets are configuration (the scenario, or scenarios/targets.json for validators); the achieved value is this run's measurement. A comparative KPI passes only when its whole 95% interval clears the target, fails when the whole interval misses it, and is otherwise inconclusive (not Production Ready). "not measured" means there was no measurement — no value is ever filled in.</li>
<li><b>Sizes</b> come from pg_relation_size and friends after the run (whole 8 kB pages); <b>plans</b> from one EXPLAIN (ANALYZE, BUFFERS) per query type; server-side counters from pg_stat_statements / pg_stat_database deltas.</li>
</ul></section>`;
}
