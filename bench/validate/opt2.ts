import { GeobenchError } from '../core/errors.ts';
import { connect } from '../db/connect.ts';
import { verifyDataset } from '../dataset/verify.ts';
import { measureSizes, type SchemaSizes } from '../evidence/index.ts';
import { loadCatalog, resolveTarget } from '../migrate/catalog.ts';
import { migrateDown, migrateUp } from '../migrate/runner.ts';
import { prepareSchema } from '../load/prepare.ts';
import { booleanCheck, notMeasurable, targetCheck, type Check } from './checks.ts';
import { readMixOf, runComparison, STANDARD_MIX, workloadCheck, workloadImprovement } from './comparison-run.ts';
import { runAtSmallBuffers } from './small-buffers.ts';
import { cacheHitCheck, measureCacheSizes } from './cache-hit.ts';
import { Prober } from './prober.ts';
import { stateSchema } from './state-schemas.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';

const BEFORE = 'opt2_before';
const AFTER = 'opt2_after';

async function sizesOf(ctx: ValidateContext, schema: string): Promise<SchemaSizes> {
  const client = await connect({ ...ctx.server, schema }, 'geobench-validate');
  try {
    return await measureSizes(client, schema);
  } finally {
    await client.end().catch(() => {});
  }
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/**
 * The roadmap's OPT2_COLUMNAR_STORAGE_VALIDATOR, measured: the migration is applied to a copy at
 * OPT1 (OPT1 is in production per the roadmap) while a prober reads the table, data integrity is
 * verified, the rollback round-trips (rollback, verify, re-apply, verify), sizes are compared, and
 * the standard workload runs interleaved against OPT1 and OPT1+OPT2.
 */
export const opt2Validator: Validator = {
  name: 'opt2',
  roadmapName: 'OPT2_COLUMNAR_STORAGE_VALIDATOR',
  description: 'OPT2 compact storage: integrity, storage and index reduction, query performance, downtime, rollback',
  async run(ctx: ValidateContext): Promise<ValidationOutcome> {
    const log = ctx.log;
    const catalog = loadCatalog(ctx.sqlDir);
    const spec = { scale: ctx.scale, seed: ctx.seed, workers: ctx.loadWorkers };
    // The schema that gets migrated in place: at OPT1 first (rolled back if a previous run left it at OPT2).
    const after = await prepareSchema(ctx.server, { name: AFTER, schema: stateSchema(AFTER), migrateTo: 'OPT1', scale: ctx.scale, seed: ctx.seed, importedFrom: ctx.importedFrom }, ctx.sqlDir, { log, signal: ctx.signal, workers: spec.workers });
    const runOptions = { log: (l: string) => log(`  ${l}`), signal: ctx.signal };
    const before = await verifyDataset(after.target, { workers: spec.workers });
    const sizesBefore = await sizesOf(ctx, after.schema);

    log(`${AFTER}: applying OPT2 while a prober reads the table every 100 ms`);
    const prober = await Prober.start(after.target);
    const t0 = performance.now();
    let migrationError: Error | undefined;
    await migrateUp(after.target, catalog, resolveTarget(catalog, 'OPT2'), runOptions).catch((err: Error) => (migrationError = err));
    const migrationSec = (performance.now() - t0) / 1000;
    const probe = await prober.stop();
    // Ctrl-C during the migration is an interruption (exit 130), not a failed migration.
    if (migrationError && ctx.signal.aborted) throw migrationError;
    if (migrationError) throw new GeobenchError(`OPT2 migration failed: ${migrationError.message}`, { cause: migrationError });
    const integrity = await verifyDataset(after.target, { workers: spec.workers });
    const sizesAfter = await sizesOf(ctx, after.schema);

    log(`${AFTER}: rollback test (rollback, verify, re-apply, verify)`);
    const r0 = performance.now();
    await migrateDown(after.target, catalog, resolveTarget(catalog, 'OPT1'), runOptions);
    const rollbackSec = (performance.now() - r0) / 1000;
    const afterRollback = await verifyDataset(after.target, { workers: spec.workers });
    await migrateUp(after.target, catalog, resolveTarget(catalog, 'OPT2'), runOptions);
    const afterReapply = await verifyDataset(after.target, { workers: spec.workers });

    log('measuring the standard workload: OPT1 vs OPT1 + OPT2, interleaved');
    const variants = [
      { name: BEFORE, schema: stateSchema(BEFORE), migrateTo: 'OPT1', description: 'OPT1 (production state)' },
      { name: AFTER, schema: stateSchema(AFTER), migrateTo: 'OPT2', description: 'OPT1 + OPT2 compact storage' },
    ];
    const run = await runComparison(ctx, 'validate-opt2', variants);
    const totalBefore = sizesBefore.totalBytes;
    const totalAfter = sizesAfter.totalBytes;
    const indexBefore = sizesBefore.table?.indexBytes ?? 0;
    const indexAfter = sizesAfter.table?.indexBytes ?? 0;
    const optimized = run.results.variants.find((v) => v.variant === AFTER)?.byQueryType['*'];
    // The cache line at a buffer size below the working set (embedded: restarted and restored).
    const small = await runAtSmallBuffers(ctx, 'validate-opt2', variants, { ...STANDARD_MIX }, BEFORE, run);
    const sizeClient = 'unavailable' in small ? await connect(after.target, 'geobench-validate') : undefined;
    const cacheSizes = sizeClient ? await measureCacheSizes(sizeClient, run).finally(() => sizeClient.end().catch(() => {})) : undefined;

    const checks: Check[] = [
      targetCheck('Data Integrity', ctx.targets.get('opt2.integrity'), integrity.ok ? 1 : 0, { rows: integrity.actual.rows, checksum: integrity.actual.hash, expected: integrity.manifest.checksum, before: before.ok }),
      targetCheck('Storage Reduction', ctx.targets.get('opt2.storage_reduction'), totalBefore > 0 ? 1 - totalAfter / totalBefore : null, { beforeBytes: totalBefore, afterBytes: totalAfter, before: mb(totalBefore), after: mb(totalAfter) }),
      targetCheck('Index Size Reduction', ctx.targets.get('opt2.index_reduction'), indexBefore > 0 ? 1 - indexAfter / indexBefore : null, { beforeBytes: indexBefore, afterBytes: indexAfter, before: mb(indexBefore), after: mb(indexAfter), indexesBefore: sizesBefore.table?.indexes, indexesAfter: sizesAfter.table?.indexes }),
      workloadCheck('Query Performance (workload cost at the read mix, mean latency)', ctx.targets.get('opt2.query_improvement'), workloadImprovement(run, BEFORE, AFTER, readMixOf(run))),
      targetCheck('Query Latency (p99, all operations)', ctx.targets.get('opt2.p99'), optimized?.latency.p99 ?? null),
      targetCheck('Downtime (longest unavailability)', ctx.targets.get('opt2.downtime'), probe.longestUnavailableMs * 1000, { ...probe, migrationSec }),
      booleanCheck('Rollback Tested', afterRollback.ok && afterReapply.ok, `rollback ${rollbackSec.toFixed(1)} s, verify ${afterRollback.ok ? 'ok' : 'FAILED'}; re-apply verify ${afterReapply.ok ? 'ok' : 'FAILED'}`, { rollbackSec }),
      'unavailable' in small
        ? cacheHitCheck('Cache Hit Ratio (before → after, standard workload)', null, run, BEFORE, AFTER, cacheSizes!)
        : cacheHitCheck(`Cache Hit Ratio (before → after, standard workload at shared_buffers ${(small.sizes.sharedBuffersBytes / 2 ** 20).toFixed(0)} MB)`, null, small.run, BEFORE, AFTER, small.sizes),
      notMeasurable('SIMD vectorization', ctx.targets.get('opt2.simd'), 'PostgreSQL 15 has no vectorized executor and no columnar access method here; there is nothing to switch on or measure'),
    ];
    return { checks, runResult: 'result.json', evidence: { sizesBefore, sizesAfter, migrationSec, rollbackSec, probe } };
  },
};

