/**
 * Gathers what the plan of a `geobench validate` run needs — the schemas' states on the server
 * (manifest, ledger and size, read-only: nothing is created or changed), the measured step rates, the
 * free disk under the embedded cluster's data directory — and computes it (signoff-plan.ts).
 */
import fs from 'node:fs';
import { clusterStatus } from '../db/embedded.ts';
import { withClient } from '../db/connect.ts';
import { schemaBytes } from '../db/schema-footprint.ts';
import type { DbTarget } from '../db/target.ts';
import { readManifest, type Manifest } from '../dataset/manifest.ts';
import { GENERATOR_VERSION, rowsForScale } from '../dataset/model.ts';
import { BASELINE_TAG, baselineChecksum, loadCatalog, resolveTarget, type Migration } from '../migrate/catalog.ts';
import { checkLedger, readLedger, type LedgerRow } from '../migrate/runner.ts';
import { GeobenchError } from '../core/errors.ts';
import { readStepRates } from '../core/step-rates.ts';
import { mainJobSteps, VALIDATOR_STEPS, type PlanOp, type PlanSettings } from './plan-steps.ts';
import { diskCheck, planRows, planTotals, type DiskCheck, type PlanPart, type PlanRow, type PlanTotals, type SchemaNow } from './signoff-plan.ts';

/** The dataset a run wants in every schema it prepares. */
export interface WantedDataset {
  readonly scale: number;
  readonly seed: number;
  /** The imported dataset's manifest (--dataset-from), when variants copy it. */
  readonly imported?: Manifest | undefined;
}

/**
 * Whether prepareSchema (bench/load/prepare.ts) would keep this schema's dataset, and at which
 * migration it stands; the same checks, on what was read. Pure.
 */
export function reuseOf(manifest: Manifest | undefined, ledger: readonly LedgerRow[], want: WantedDataset, catalog: readonly Migration[], baselineSum: string): { reusable: boolean; at: number } {
  const rows = rowsForScale(want.scale);
  const m = manifest;
  const datasetOk = want.imported
    ? m?.status === 'complete' && m.source !== null && m.checksum?.hash === want.imported.checksum?.hash && m.totalRows === rows
    : m?.status === 'complete' && m.seed === want.seed && m.totalRows === rows && m.generatorVersion === GENERATOR_VERSION;
  if (!datasetOk || ledger.find((r) => r.tag === BASELINE_TAG)?.checksum !== baselineSum) return { reusable: false, at: -1 };
  try {
    return { reusable: true, at: checkLedger(ledger, catalog) - 1 };
  } catch {
    return { reusable: false, at: -1 };
  }
}

/** The schemas the plan touches, as they are now; a schema that does not exist is left out. */
async function schemasNow(server: DbTarget, schemas: readonly string[], want: WantedDataset, catalog: readonly Migration[], sqlDir: string): Promise<Map<string, SchemaNow>> {
  const baselineSum = baselineChecksum(sqlDir);
  return withClient(server, async (c) => {
    const out = new Map<string, SchemaNow>();
    for (const schema of schemas) {
      const exists = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (!exists.rowCount) continue;
      const reuse = reuseOf(await readManifest(c, schema), await readLedger(c, schema), want, catalog, baselineSum);
      out.set(schema, { ...reuse, bytes: await schemaBytes(c, schema) });
    }
    return out;
  });
}

/** Free bytes of the filesystem holding the embedded cluster's data; null for an external server. */
async function freeDisk(server: DbTarget): Promise<{ freeBytes: number | null; where: string }> {
  if (server.kind !== 'embedded') return { freeBytes: null, where: `${server.display} (external server)` };
  const status = await clusterStatus();
  if (!status.dataDir) return { freeBytes: null, where: 'the embedded cluster (no data directory found)' };
  const st = fs.statfsSync(status.dataDir);
  return { freeBytes: st.bavail * st.bsize, where: `the filesystem of ${status.dataDir}` };
}

export interface ValidationPlan {
  readonly rows: PlanRow[];
  readonly totals: PlanTotals;
  readonly disk: DiskCheck;
  readonly diskWhere: string;
  /** The step-rates file could not be read (it was ignored: published figures used). */
  readonly ratesProblem: string | null;
}

export interface PlanRequest {
  readonly server: DbTarget;
  /** The validator's name, or 'signoff' for its parts (in order). */
  readonly validators: readonly string[];
  readonly want: WantedDataset;
  readonly settings: Omit<PlanSettings, 'rows' | 'embedded' | 'imported'>;
  readonly sqlDir: string;
  /** Include the main job's own preparation (scripts/main) of this schema before the validators. */
  readonly mainJobSchema?: string | undefined;
}

export async function planValidation(r: PlanRequest): Promise<ValidationPlan> {
  const catalog = loadCatalog(r.sqlDir);
  const tags = catalog.map((m) => m.tag);
  const idx = (tag: string): number => resolveTarget(catalog, tag);
  const settings: PlanSettings = { ...r.settings, rows: rowsForScale(r.want.scale), embedded: r.server.kind === 'embedded', imported: r.want.imported !== undefined };
  const parts: PlanPart[] = [
    ...(r.mainJobSchema ? [{ part: 'main job', ops: mainJobSteps(r.mainJobSchema, catalog.length - 1) }] : []),
    ...r.validators.map((name) => {
      const steps = VALIDATOR_STEPS[name];
      if (!steps) throw new GeobenchError(`validator ${name} has no steps in bench/validate/plan-steps.ts: its plan cannot be estimated`);
      return { part: name, ops: steps(idx, settings, catalog.length - 1) };
    }),
  ];
  const schemas = [...new Set(parts.flatMap((p) => p.ops.flatMap(schemasOf)))];
  const now = await schemasNow(r.server, schemas, r.want, catalog, r.sqlDir);
  const { rates, problem } = readStepRates();
  const rows = planRows(parts, tags, now, rates, settings);
  const totals = planTotals(rows);
  const free = await freeDisk(r.server);
  return { rows, totals, disk: diskCheck(totals, settings.rows, free.freeBytes), diskWhere: free.where, ratesProblem: problem };
}

function schemasOf(op: PlanOp): string[] {
  if (op.kind === 'load') return op.variants.map((v) => v.schema);
  return 'schema' in op ? [op.schema] : [];
}
