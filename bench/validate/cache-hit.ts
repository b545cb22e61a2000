/**
 * The buffer-cache hit ratio before → after an optimization, judged only when the measurement can
 * tell a difference. When shared_buffers holds everything the baseline variant's workload reads,
 * every block is a hit once warm and "> 85%" passes whatever the optimization does: then the line
 * says "not discriminating" with the sizes, and its outcome is not a pass. The working set is taken
 * as every table and materialized view of the variant's schema with their indexes and TOAST
 * (pg_total_relation_size): an upper bound of what the workload can touch. Both variants share
 * one server, so the comparison is against the baseline's working set: if it does not fit, a high
 * ratio after the optimization is the optimization's doing (a smaller or better-clustered working set).
 * The hit ratios come from pg_stat_database deltas over each variant's measurement windows.
 */
import type pg from 'pg';
import type { RunResult } from '../formats/run-result.ts';
import { infoCheck, notMeasurable, targetCheck, type Check, type TargetInput } from './checks.ts';
import { variantHitRatio } from './comparison-run.ts';

export interface CacheSizes {
  readonly sharedBuffersBytes: number;
  /** Variant → bytes of its schema's tables and materialized views (with indexes and TOAST). */
  readonly workingSetBytes: Readonly<Record<string, number>>;
}

export async function measureCacheSizes(client: pg.Client, run: Pick<RunResult, 'variants'>): Promise<CacheSizes> {
  const sb = await client.query<{ b: string }>(`SELECT pg_size_bytes(current_setting('shared_buffers'))::text AS b`);
  const workingSetBytes: Record<string, number> = {};
  for (const v of run.variants) {
    const r = await client.query<{ b: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS b FROM pg_class c
        WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relkind IN ('r', 'm')`, [v.schema]);
    workingSetBytes[v.name] = Number(r.rows[0]!.b);
  }
  return { sharedBuffersBytes: Number(sb.rows[0]!.b), workingSetBytes };
}

const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/**
 * The check line. `target` null = an informational before → after line (still marked when not
 * discriminating). Pure given the run's evidence and the sizes.
 */
export function cacheHitCheck(metric: string, target: TargetInput | null, run: Pick<RunResult, 'segments'>, baseline: string, optimized: string, sizes: CacheSizes): Check {
  const before = variantHitRatio(run as RunResult, baseline);
  const after = variantHitRatio(run as RunResult, optimized);
  const baseSet = sizes.workingSetBytes[baseline] ?? 0;
  const discriminating = sizes.sharedBuffersBytes < baseSet;
  const evidence = { before, after, ...sizes, discriminating };
  const shown = `${pct(before)} → ${pct(after)}`;
  if (!discriminating) {
    const reason = `shared_buffers ${mb(sizes.sharedBuffersBytes)} holds the baseline's whole working set (${baseline} ${mb(baseSet)}, ${optimized} ${mb(sizes.workingSetBytes[optimized] ?? 0)}): every block is a hit once warm, whatever the optimization does`;
    if (target === null) return { ...infoCheck(metric, `${shown} (not discriminating)`, evidence), note: reason };
    // Not a pass: a required KPI that cannot discriminate blocks Production Ready with the reason.
    return { ...notMeasurable(metric, target, reason), achieved: `${shown} (not discriminating)`, evidence };
  }
  if (target === null) return infoCheck(metric, shown, evidence);
  const check = targetCheck(metric, target, after, evidence);
  return after === null ? check : { ...check, achieved: `${pct(before)} → ${check.achieved}` };
}
