/** EXPLAIN plans, one collapsible block per (variant, query type): SQL, parameters and the plan tree as text. */
import type { PlanSummary } from '../evidence/plan-summary.ts';
import type { RunResult } from '../formats/run-result.ts';
import { html, type SafeHtml } from '../output/escape.ts';
import { byQueryType } from '../output/format.ts';
import type { PlanFile } from './inputs.ts';
import { explainText } from './plan-text.ts';

function summaryLine(summary: Partial<PlanSummary> | undefined): string {
  if (!summary) return '';
  const parts: string[] = [];
  if (summary.shape) parts.push(summary.shape.length > 120 ? `${summary.shape.slice(0, 119)}…` : summary.shape);
  if (typeof summary.executionMs === 'number') parts.push(`execution ${summary.executionMs} ms`);
  if (typeof summary.planningMs === 'number') parts.push(`planning ${summary.planningMs} ms`);
  if (summary.partitionsScanned) parts.push(`${summary.partitionsScanned} partitions scanned`);
  return parts.join(' · ');
}

function planBlock(p: PlanFile, summary: Partial<PlanSummary> | undefined): SafeHtml {
  let body: SafeHtml;
  if (p.error || !p.plan) {
    body = html`<p class="bad">${p.error ?? 'no plan'}</p>`;
  } else {
    let text: string;
    try {
      text = explainText(p.plan);
    } catch (err) {
      text = `(the plan could not be printed as text: ${(err as Error).message})`;
    }
    body = html`${p.sql ? html`<p class="label">SQL</p><pre class="sql">${p.sql}</pre>` : ''}
${p.params.length ? html`<p class="label">parameters</p><pre class="params">${p.params.map((v, i) => `$${i + 1} = ${JSON.stringify(v)}`).join('\n')}</pre>` : ''}
<p class="label">plan (EXPLAIN ANALYZE, BUFFERS, VERBOSE)</p><pre class="plan">${text}</pre>
<p class="muted">Raw JSON: <a href="${p.file}">${p.file}</a></p>`;
  }
  return html`<details class="plan" data-variant="${p.variant}" data-query="${p.queryType}"><summary><b>${p.variant} · ${p.queryType}</b> <span class="muted">${summaryLine(summary)}</span></summary>
${body}
</details>\n`;
}

export function plansHtml(r: RunResult, plans: readonly PlanFile[]): SafeHtml {
  if (!plans.length) return html``;
  const sorted = [...plans].sort((a, b) => byQueryType(a.queryType, b.queryType) || r.variants.findIndex((v) => v.name === a.variant) - r.variants.findIndex((v) => v.name === b.variant));
  const summaryOf = (p: PlanFile): Partial<PlanSummary> | undefined => r.variants.find((v) => v.name === p.variant)?.plans?.[p.queryType]?.summary as Partial<PlanSummary> | undefined;
  return html`<section id="plans"><h2>Query plans</h2>
<p class="muted">One EXPLAIN (ANALYZE, BUFFERS, VERBOSE) per variant and query type, taken after the measurement with one representative parameter set (inside BEGIN … ROLLBACK, so writes are undone).</p>
${sorted.map((p) => planBlock(p, summaryOf(p)))}</section>`;
}
