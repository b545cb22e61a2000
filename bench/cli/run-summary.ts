import type { Comparison } from '../analysis/compare.ts';
import type { RunResult } from '../formats/run-result.ts';

/** Plain-text tables printed at the end of `geobench run` (report.html, charts and summary.md come from bench/report). */
const ms = (us: number | null | undefined): string => (us === null || us === undefined || !Number.isFinite(us) ? '-' : (us / 1000).toFixed(2));
const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function formatRunSummary(result: RunResult): string {
  const out: string[] = [];
  out.push(`run ${result.runId}: ${result.status}${result.statusReason ? ` (${result.statusReason})` : ''}`);
  const rows: string[][] = [['variant / query', 'ops', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'timeouts']];
  for (const v of result.results.variants) {
    for (const [q, s] of Object.entries(v.byQueryType).sort(([a], [b]) => (a === '*' ? 1 : b === '*' ? -1 : a.localeCompare(b)))) {
      rows.push([`${v.variant} ${q === '*' ? 'all' : q}`, String(s.ops), s.throughput.toFixed(1), ms(s.latency.p50), ms(s.latency.p95), ms(s.latency.p99), ms(s.latency.max), String(s.errors), String(s.timeouts)]);
    }
  }
  out.push(table(rows));
  for (const v of result.scenario.plan.variants) {
    const routes = Object.entries(v.routes ?? {});
    if (routes.length) out.push(`${v.name} answers ${routes.map(([q, r]) => `${q} via ${r}`).join(', ')} (query type routes; same parameters)`);
  }
  for (const c of result.comparisons) {
    if ('unavailable' in c) {
      out.push(`\n${c.optimized} vs ${c.baseline}: comparison unavailable (${c.unavailable})`);
      continue;
    }
    const cmp = c as Comparison;
    const ci = (m: { ciLow: number | null; ciHigh: number | null; ciAvailable: boolean }): string => (m.ciAvailable ? `[${pct(m.ciLow)}, ${pct(m.ciHigh)}]` : '(1 rep)');
    const crow: string[][] = [['query', 'p50 change', '95% CI', 'p99 change', '95% CI', 'throughput', 'verdict p99']];
    for (const r of [...cmp.byQueryType, cmp.overall]) {
      crow.push([r.queryType === '*' ? 'all' : r.queryType, pct(r.metrics.p50.change), ci(r.metrics.p50), pct(r.metrics.p99.change), ci(r.metrics.p99), pct(r.metrics.throughput.change), r.metrics.p99.verdict]);
    }
    out.push(`\n${cmp.optimized} vs ${cmp.baseline} (optimized/baseline − 1; negative latency = faster; CI over repetitions):`);
    out.push(table(crow));
  }
  if (result.kpis.length) {
    const krow: string[][] = [['KPI', 'scope', 'variant', 'target', 'achieved', 'result']];
    for (const k of result.kpis) krow.push([k.label, k.scope, k.variant, k.target, k.text.replace(/^.*?: /, '').replace(/ \((pass|fail|not measured)\)$/, ''), k.pass === null ? 'not measured' : k.pass ? 'PASS' : 'FAIL']);
    out.push('\nKPI targets:');
    out.push(table(krow));
  }
  for (const w of result.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
