import { describeResult } from './capacity.ts';
import type { StressFile } from './stress-file.ts';

const mark = { pass: '✓', fail: '✗', inconclusive: '?' } as const;

/** The text the command prints: capacity per variant, then each comparison with its outcome. Pure. */
export function formatStressSummary(r: StressFile): string {
  const out = [`stress ${r.runId}: ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}, ${r.elapsedSec.toFixed(0)} s`];
  const width = Math.max(...r.variants.map((v) => v.name.length));
  for (const v of r.variants) {
    const steps = v.steps.length;
    const fails = v.steps.filter((s) => s.outcome !== 'pass').length;
    out.push(`  ${v.name.padEnd(width)}  ${v.result ? describeResult(v.result) : 'not finished'}  (${steps} steps, ${fails} not sustained)`);
  }
  for (const c of r.comparisons) out.push(`  ${mark[c.decision]} capacity ${c.variant} vs ${c.baseline}: ${c.text}`);
  return out.join('\n');
}
