/**
 * A cache hit ratio that can tell variants apart needs a buffer cache smaller than what the
 * workload reads. The embedded cluster's shared_buffers is 25% of RAM (bench/db/server-settings.ts),
 * which holds the whole schema at the scales this machine runs; so for the cache measurement the
 * embedded cluster is restarted with shared_buffers = a quarter of the baseline variant's working
 * set (its tables and views with indexes and TOAST; at least 4 MB so the server starts with its
 * connections), a short interleaved load of the same workload runs, and the setting is restored by
 * a second restart, whatever happened in between. A quarter: the hot part (upper index levels, the
 * small views) fits, the whole table does not. On an external server nothing is restarted.
 */
import path from 'node:path';
import { connect } from '../db/connect.ts';
import { startCluster, stopCluster } from '../db/embedded.ts';
import type { DbTarget } from '../db/target.ts';
import type { RunResult } from '../formats/run-result.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { measureCacheSizes, type CacheSizes } from './cache-hit.ts';
import { runComparison } from './comparison-run.ts';
import type { ValidateContext } from './types.ts';

const MIN_BYTES = 4 * 2 ** 20;

/** The buffer size for the measurement: a quarter of the working set, at least 4 MB, in kB. Pure. */
export function smallBuffersKb(workingSetBytes: number): number {
  return Math.floor(Math.max(MIN_BYTES, workingSetBytes / 4) / 1024);
}

async function setSharedBuffers(server: DbTarget, kb: number | null, log: (l: string) => void): Promise<void> {
  const c = await connect(server, 'geobench-validate');
  try {
    // ALTER SYSTEM takes no parameters; kb is an integer computed here.
    await c.query(kb === null ? 'ALTER SYSTEM RESET shared_buffers' : `ALTER SYSTEM SET shared_buffers = '${Math.floor(kb)}kB'`);
  } finally {
    await c.end().catch(() => {});
  }
  await stopCluster('fast');
  await startCluster({ log });
}

/**
 * Runs `variants` on `workload` once more with small shared_buffers (embedded only) and returns the
 * run and the sizes it was measured at; `{unavailable}` on an external server. Every connection of
 * the caller to the server must be closed (the server restarts twice).
 */
export async function runAtSmallBuffers(
  ctx: ValidateContext, name: string, variants: ScenarioInput['variants'], workload: Record<string, number>, baseline: string, mainRun: RunResult,
): Promise<{ run: RunResult; sizes: CacheSizes; restarted: true } | { unavailable: string }> {
  if (ctx.server.kind !== 'embedded') return { unavailable: 'an external server is never restarted by geobench' };
  const c = await connect(ctx.server, 'geobench-validate');
  const sizes = await measureCacheSizes(c, mainRun).finally(() => c.end().catch(() => {}));
  const kb = smallBuffersKb(sizes.workingSetBytes[baseline] ?? 0);
  ctx.log(`cache hit ratio: restarting the embedded cluster with shared_buffers = ${(kb / 1024).toFixed(1)} MB (a quarter of ${baseline}'s working set ${(sizes.workingSetBytes[baseline]! / 2 ** 20).toFixed(0)} MB), then restoring it`);
  await setSharedBuffers(ctx.server, kb, ctx.log);
  try {
    const run = await runComparison(
      { ...ctx, outDir: path.join(ctx.outDir, 'small-buffers'), runId: `${ctx.runId}-small-buffers`, repetitions: 1, durationSec: Math.min(10, ctx.durationSec), warmupSec: Math.min(3, ctx.warmupSec) },
      `${name}-small-buffers`, variants, workload,
    );
    const c2 = await connect(ctx.server, 'geobench-validate');
    const measured = await measureCacheSizes(c2, run).finally(() => c2.end().catch(() => {}));
    return { run, sizes: measured, restarted: true };
  } finally {
    await setSharedBuffers(ctx.server, null, ctx.log);
  }
}
