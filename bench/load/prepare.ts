import { GeobenchError } from '../core/errors.ts';
import { withClient } from '../db/connect.ts';
import { withSchema, type DbTarget } from '../db/target.ts';
import { generateDataset } from '../dataset/loader.ts';
import { cloneImportedDataset } from '../dataset/clone-imported.ts';
import { readManifest, type Manifest } from '../dataset/manifest.ts';
import { GENERATOR_VERSION, rowsForScale } from '../dataset/model.ts';
import { BASELINE_TAG, baselineChecksum, loadCatalog, resolveTarget, type Migration } from '../migrate/catalog.ts';
import { queryRoute } from '../queries/index.ts';
import { checkLedger, migrateDown, migrateUp, readLedger } from '../migrate/runner.ts';
import type { RunPlan } from './plan.ts';

export interface PreparedVariant {
  readonly name: string;
  readonly schema: string;
  readonly target: DbTarget;
  /** The dataset checksum recorded when this variant's copy was loaded. */
  readonly manifest: Manifest;
  /** Tags applied on top of the baseline, e.g. ['OPT1']. */
  readonly applied: readonly string[];
  readonly reused: boolean;
}

export interface SchemaSpec {
  readonly name: string;
  readonly schema: string;
  readonly migrateTo: string;
  readonly scale: number;
  readonly seed: number;
  /** An imported dataset (`geobench dataset import`) in this schema is copied instead of generating one. */
  readonly importedFrom?: string | undefined;
}

/**
 * Brings one of geobench's schemas to a state: the dataset (same seed and scale, so the same
 * checksum) and the migrations up to `migrateTo`. A schema already in that state is reused as is.
 */
export async function prepareSchema(server: DbTarget, spec: SchemaSpec, sqlDir: string, options: { log: (l: string) => void; signal?: AbortSignal | undefined; workers: number }): Promise<PreparedVariant> {
  const catalog = loadCatalog(sqlDir);
  if (options.signal?.aborted) throw new GeobenchError('interrupted while preparing variants', { exitCode: 130 });
  const target = withSchema(server, spec.schema);
  const toIndex = resolveTarget(catalog, spec.migrateTo);
  const totalRows = rowsForScale(spec.scale);
  const state = await withClient(target, async (c) => ({ manifest: await readManifest(c, spec.schema), ledger: await readLedger(c, spec.schema) }));
  const m = state.manifest;
  const imported = spec.importedFrom ? await withClient(target, (c) => readManifest(c, spec.importedFrom!)) : undefined;
  if (spec.importedFrom && imported?.totalRows !== totalRows) {
    throw new GeobenchError(`${spec.name}: the imported dataset in schema ${spec.importedFrom} has ${imported?.totalRows ?? 'no'} rows, the scale ${spec.scale} means ${totalRows}`, {
      exitCode: 2, hint: imported ? `set the dataset scale to ${imported.scale} (rows / 12,400,000, as \`geobench --schema ${spec.importedFrom} dataset info\` prints)` : 'run `geobench dataset import` first',
    });
  }
  let datasetOk = imported
    ? m?.status === 'complete' && m.source !== null && m.checksum?.hash === imported.checksum?.hash && m.totalRows === totalRows
    : m?.status === 'complete' && m.seed === spec.seed && m.totalRows === totalRows && m.generatorVersion === GENERATOR_VERSION;
  if (datasetOk && state.ledger.find((r) => r.tag === BASELINE_TAG)?.checksum !== baselineChecksum(sqlDir)) {
    options.log(`${spec.name}: schema ${spec.schema} was built from another baseline schema (sql/baseline changed); rebuilding`);
    datasetOk = false;
  }
  if (datasetOk) {
    try {
      checkLedger(state.ledger, catalog);
    } catch (err) {
      // Built from another sql/ (a migration added, edited or removed since): it is our own
      // schema, so rebuild it rather than refuse.
      options.log(`${spec.name}: schema ${spec.schema} was built from different migrations (${(err as Error).message.split('\n')[0]}); rebuilding`);
      datasetOk = false;
    }
  }
  let reused = datasetOk;
  if (!datasetOk && spec.importedFrom) {
    options.log(`${spec.name}: copying the imported dataset of schema ${spec.importedFrom} into schema ${spec.schema}`);
    await cloneImportedDataset(server, spec.importedFrom, spec.schema, { sqlDir, workers: options.workers });
  } else if (!datasetOk) {
    options.log(`${spec.name}: loading the dataset (scale ${spec.scale}, seed ${spec.seed}) into schema ${spec.schema}`);
    await generateDataset(target, { scale: spec.scale, seed: spec.seed, workers: options.workers, sqlDir, log: () => {}, ...(options.signal ? { signal: options.signal } : {}) });
  }
  const applied = datasetOk ? checkLedger(state.ledger, catalog) : 0;
  if (applied - 1 !== toIndex) {
    reused = false;
    options.log(`${spec.name}: migrating schema ${spec.schema} to ${spec.migrateTo}`);
    const runOptions = { log: (l: string) => options.log(`  ${l}`), ...(options.signal ? { signal: options.signal } : {}) };
    if (applied - 1 < toIndex) await migrateUp(target, catalog, toIndex, runOptions);
    else await migrateDown(target, catalog, toIndex, runOptions);
  }
  const final = await withClient(target, async (c) => ({ manifest: await readManifest(c, spec.schema), ledger: await readLedger(c, spec.schema) }));
  if (!final.manifest || final.manifest.status !== 'complete') throw new GeobenchError(`${spec.name}: dataset in ${spec.schema} is not complete`);
  if (reused) options.log(`${spec.name}: schema ${spec.schema} already at ${spec.migrateTo} with the dataset, reused`);
  return { name: spec.name, schema: spec.schema, target, manifest: final.manifest, applied: final.ledger.filter((r) => r.tag !== BASELINE_TAG).map((r) => r.tag), reused };
}

/**
 * A route reads objects a migration creates (OPT3's views and functions): a variant migrated to
 * an earlier step cannot use it. Checked before any schema is built.
 */
export function assertRoutesAvailable(plan: RunPlan, catalog: readonly Migration[]): void {
  for (const v of plan.variants) {
    const at = resolveTarget(catalog, v.migrateTo);
    for (const [type, route] of Object.entries(v.routes)) {
      const needs = queryRoute(type, route).requires;
      if (resolveTarget(catalog, needs) > at) {
        throw new GeobenchError(`variant ${v.name}: route ${type} → ${route} needs ${needs}, but the variant is migrated to ${v.migrateTo}`, { exitCode: 2 });
      }
    }
  }
}

/** Prepares every variant of a plan (see prepareSchema) and checks they hold the same dataset. */
export async function prepareVariants(server: DbTarget, plan: RunPlan, sqlDir: string, options: { log: (l: string) => void; signal?: AbortSignal; workers: number }): Promise<PreparedVariant[]> {
  assertRoutesAvailable(plan, loadCatalog(sqlDir));
  const out: PreparedVariant[] = [];
  for (const v of plan.variants) {
    out.push(await prepareSchema(server, { name: `variant ${v.name}`, schema: v.schema, migrateTo: v.migrateTo, scale: plan.dataset.scale, seed: plan.dataset.seed, importedFrom: plan.dataset.importedFrom }, sqlDir, options));
  }
  const sums = new Set(out.map((p) => p.manifest.checksum?.hash));
  if (sums.size > 1) throw new GeobenchError('variants hold different datasets (checksums differ); regenerate them');
  return out.map((p, i) => ({ ...p, name: plan.variants[i]!.name }));
}

/** First id of rows the workload writes (W1): geometrias_id_seq starts here (sql/baseline). */
export const WORKLOAD_ID_START = 1_000_000_000_000;

/**
 * Removes rows written by the workload and vacuums, so every segment of every variant starts
 * from the same data (a faster variant would otherwise carry more W1 inserts into the next one).
 */
export async function removeWorkloadWrites(target: DbTarget): Promise<number> {
  return withClient(target, async (c) => {
    await c.query(`SET search_path = ${target.schema}, public`);
    const res = await c.query('DELETE FROM geometrias WHERE id >= $1', [WORKLOAD_ID_START]);
    if ((res.rowCount ?? 0) > 0) await c.query('VACUUM geometrias');
    return res.rowCount ?? 0;
  });
}
