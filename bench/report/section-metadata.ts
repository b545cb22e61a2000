/** "Run" section: what was measured, where, with what — enough to reproduce the run or to compare like with like. */
import type { RunResult } from '../formats/run-result.ts';
import { VERDICT_CLASS, verdictOfFile } from './section-front.ts';
import { VERDICT_WORDS } from '../analysis/verdict.ts';
import type { ValidationFile } from '../formats/validation-file.ts';
import { html, type HtmlValue, type SafeHtml } from '../output/escape.ts';
import { bytes, count } from '../output/format.ts';

type Pair = readonly [string, HtmlValue];

export function keyValueTable(pairs: readonly Pair[], id?: string): SafeHtml {
  return html`<table class="kv"${id ? html` id="${id}"` : ''}><tbody>
${pairs.map(([k, v]) => html`<tr><th>${k}</th><td>${v === null || v === undefined || v === '' ? '—' : v}</td></tr>\n`)}</tbody></table>`;
}

function duration(from: string | undefined, to: string | undefined): string | null {
  const a = Date.parse(from ?? '');
  const b = Date.parse(to ?? '');
  return Number.isFinite(a) && Number.isFinite(b) ? `${((b - a) / 1000).toFixed(1)} s` : null;
}

export function runSection(r: RunResult): SafeHtml {
  const plan = r.scenario.plan;
  const load = plan?.load;
  const loadText = load
    ? load.model === 'open'
      ? `open model: ${load.rate} ops/s (${load.arrival} arrivals) on ${load.connections} connection(s), late after ${load.lateAfterMs} ms`
      : `closed model: ${load.connections} connection(s), each sends its next query when the previous one returns`
    : null;
  const variants = r.variants.map((v) => {
    const planned = plan?.variants?.find((p) => p.name === v.name);
    return html`<li><b>${v.name}</b>${v.name === plan?.baseline ? ' (baseline)' : ''}: schema <code>${v.schema}</code>, migrated to ${v.migrateTo}${v.applied?.length && v.applied.join(', ') !== v.migrateTo ? html` (${v.applied.join(', ')})` : ''}${v.reused ? ', schema reused' : ''}${planned?.description ? html` — ${planned.description}` : ''}</li>`;
  });
  return html`<section id="run"><h2>Run</h2>
${keyValueTable([
  ['run id', r.runId],
  ['status', html`<span class="status-${r.status}">${r.status}</span>${r.statusReason ? html` — ${r.statusReason}` : ''}`],
  ['scenario', html`<b>${r.scenario.name}</b> — ${r.scenario.description}`],
  ['started / finished', `${r.startedAt} → ${r.finishedAt}${duration(r.startedAt, r.finishedAt) ? ` (${duration(r.startedAt, r.finishedAt)})` : ''}`],
  ['database', r.target ? (r.target.display.includes(r.target.kind) ? r.target.display : `${r.target.display} (${r.target.kind})`) : null],
  ['dataset', `scale ${r.dataset.scale}, seed ${r.dataset.seed}, ${count(r.dataset.totalRows)} rows${r.dataset.checksum ? `, checksum ${r.dataset.checksum}` : ''}`],
  ['load', loadText],
  ['per segment', plan ? `${plan.warmupSec} s warmup + ${plan.durationSec} s measured, ${plan.repetitions} repetition(s), variants interleaved; statement timeout ${plan.statementTimeoutMs} ms; parameter seed ${plan.paramSeed}` : null],
  ['workload mix', plan?.workload?.map((w) => `${w.queryType} ×${w.weight}`).join(', ') ?? null],
  ['variants', html`<ul class="compact">${variants}</ul>`],
], 'run-facts')}
</section>`;
}

export function environmentSection(r: RunResult): SafeHtml {
  const m = r.metadata;
  if (!m) return html`<section id="environment"><h2>Environment</h2><p class="muted">The result file records no metadata.</p></section>`;
  const ext = Object.entries(m.versions?.extensions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const settings = Object.entries(m.settings ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return html`<section id="environment"><h2>Environment</h2>
${keyValueTable([
  ['commit', m.git?.commit ? `${m.git.commit}${m.git.dirty ? ' (with uncommitted changes)' : ''}` : 'unknown (not a git checkout)'],
  ['geobench', m.versions?.geobench],
  ['Node.js', m.versions?.node],
  ['PostgreSQL', m.versions?.postgres],
  ['PostGIS', m.versions?.postgis],
  ['extensions', ext],
  ['machine', m.machine ? `${m.machine.cpuModel} × ${m.machine.cpus} CPUs, ${bytes(m.machine.memoryBytes)} memory, ${m.machine.platform} ${m.machine.release}` : null],
  ['machine fingerprint', m.machine?.fingerprint ? html`<code>${m.machine.fingerprint}</code> (runs with the same fingerprint are comparable)` : null],
], 'environment-facts')}
<details><summary>Server settings (${settings.length})</summary>
${keyValueTable(settings.map(([k, v]) => [k, v] as const), 'settings')}
</details>
</section>`;
}

export function validationSection(v: ValidationFile): SafeHtml {
  return html`<section id="validation"><h2>Validation</h2>
${keyValueTable([
  ['validator', html`<b>${v.validator}</b> (${v.roadmapName})`],
  ['verdict', html`<span class="${VERDICT_CLASS[verdictOfFile(v)]}">${VERDICT_WORDS[verdictOfFile(v)]}</span>`],
  ['run id', v.runId],
  ['started / finished', `${v.startedAt} → ${v.finishedAt}`],
  ['dataset', v.dataset ? `scale ${v.dataset.scale}, seed ${v.dataset.seed}` : null],
  ['load run', v.runResult ?? 'none'],
], 'validation-facts')}
</section>`;
}
