/**
 * The phases the fault suite interrupts: how to bring the cluster to the phase, the geobench
 * command, when the fault is sent (a line on its stderr, or a delay), the documented exit code
 * per fault, and the re-run that must work afterwards without manual cleanup.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readResult } from '../../bench/result-file/result-file.ts';
import { runCli } from '../helpers/cli.ts';
import { SQL_DIR } from '../../bench/core/paths.ts';
import { withClient } from '../../bench/db/connect.ts';
import { startCluster } from '../../bench/db/embedded.ts';
import { ensureEmbeddedDatabase } from '../../bench/db/resolve.ts';
import { manifestTable } from '../../bench/db/schema.ts';
import type { DbTarget } from '../../bench/db/target.ts';
import { readManifest } from '../../bench/dataset/manifest.ts';
import { loadCatalog } from '../../bench/migrate/catalog.ts';
import { migrateDown } from '../../bench/migrate/runner.ts';
import { ledgerConsistent, manifestConsistent, partialResultMarked } from './state-checks.ts';

export type Fault = 'SIGINT' | 'SIGTERM' | 'postmaster SIGKILL';
export const FAULTS: readonly Fault[] = ['SIGINT', 'SIGTERM', 'postmaster SIGKILL'];

export interface Phase {
  readonly name: string;
  /** Brings the cluster and the data to the state the phase starts from. */
  prepare(): Promise<void>;
  readonly args: () => string[];
  /** The fault is sent when stderr matches, or this many ms after the start. */
  readonly trigger: RegExp | number;
  /** Documented exit code per fault (docs/faults.md). */
  readonly expected: Readonly<Record<Fault, number>>;
  /** After the fault (cluster started again): does the phase work now? null = yes, else why not. */
  rerun(): Promise<string | null>;
}

export const SCALE = '0.005';
/** Scale of the run phases' variant schemas (geobench_baseline / geobench_opt1 of the smoke scenario). */
export const RUN_SCALE = '0.002';
let tmp: string | undefined; // made on first use, so importing this file creates nothing
let outCount = 0;
let lastOut = '';
export const newOut = (): string => (lastOut = path.join((tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-faults-'))), `run-${++outCount}`));
/** The output folder of the last command the suite started (the faulted one, when read in rerun). */
export const lastOutDir = (): string => lastOut;

export async function must(args: string[]): Promise<void> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`geobench ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-600)}`);
}

export const ok = async (args: string[], expect = 0): Promise<string | null> => {
  const r = await runCli(args);
  return r.code === expect ? null : `geobench ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-400)}`;
};

/** The cluster running with its database (in-process: a CLI start costs seconds on a loaded machine). */
export async function clusterUp(): Promise<DbTarget> {
  const target = await startCluster();
  await ensureEmbeddedDatabase(target);
  return target;
}

/** A dataset of SCALE at baseline in schema `geobench` (regenerated only when missing, incomplete or of another scale). */
export async function baselineDataset(): Promise<void> {
  const target = await clusterUp();
  const manifest = await withClient(target, async (c) =>
    (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [manifestTable(target.schema)])).rows[0]!.t ? readManifest(c, target.schema) : undefined);
  if (manifest?.status !== 'complete' || String(manifest.scale) !== SCALE) await must(['dataset', 'generate', '--scale', SCALE]);
  await migrateDown(target, loadCatalog(SQL_DIR), -1);
}

const RPC_SCHEMA = 'geobench_faults';
const RPC_SETUP = `
DROP SCHEMA IF EXISTS ${RPC_SCHEMA}_api CASCADE; DROP SCHEMA IF EXISTS ${RPC_SCHEMA} CASCADE;
CREATE SCHEMA ${RPC_SCHEMA}; CREATE SCHEMA ${RPC_SCHEMA}_api;
CREATE TABLE ${RPC_SCHEMA}.items AS SELECT g AS id FROM generate_series(1, 10000) AS g;
CREATE FUNCTION ${RPC_SCHEMA}_api.count_items(lo int) RETURNS TABLE(n bigint) LANGUAGE sql STABLE AS $$ SELECT count(*) FROM ${RPC_SCHEMA}.items WHERE id >= lo $$;`;

export const RPC_PHASE_SETUP = RPC_SETUP;

export const PHASES: readonly Phase[] = [
  {
    name: 'db start',
    prepare: async () => {
      await must(['db', 'start']);
      await must(['db', 'stop']);
    },
    args: () => ['db', 'start'],
    // Right after pg_ctl reports the server up, while the database and extensions are created.
    trigger: /embedded PostgreSQL started/,
    // db start installs no interrupt handler: a signal ends node at once (128 + signal); the
    // server it started keeps running. A killed postmaster fails the extension step (1).
    expected: { SIGINT: 130, SIGTERM: 143, 'postmaster SIGKILL': 1 },
    rerun: () => ok(['db', 'start']),
  },
  {
    name: 'dataset generate',
    prepare: async () => void (await clusterUp()),
    args: () => ['dataset', 'generate', '--scale', SCALE],
    trigger: /COPY/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => (await manifestConsistent()) ?? (await ok(['dataset', 'generate', '--scale', SCALE])) ?? ok(['dataset', 'verify']),
  },
  {
    name: 'migrate up',
    prepare: baselineDataset,
    args: () => ['migrate', 'up'],
    trigger: /OPT1|applying|1770470100/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => {
      const ledger = await ledgerConsistent();
      if (ledger) return ledger;
      return (await ok(['migrate', 'up'])) ?? ok(['migrate', 'down', '--to', 'baseline']);
    },
  },
  {
    name: 'run (measure)',
    prepare: async () => void (await clusterUp()),
    args: () => ['run', 'smoke', '--scale', RUN_SCALE, '--duration', '30', '--warmup', '0', '--repeat', '1', '--out', newOut()],
    trigger: /measure\s+2 s/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => {
      const partial = partialResultMarked(lastOutDir(), 'incomplete');
      if (partial) return partial;
      const out = newOut();
      const r = await runCli(['run', 'smoke', '--scale', RUN_SCALE, '--duration', '2', '--warmup', '0', '--repeat', '1', '--out', out]);
      if (!fs.existsSync(path.join(out, 'result.json'))) return `no result after the re-run (exit ${r.code}): ${r.stderr.slice(-400)}`;
      const result = readResult(out);
      return result.status === 'complete' ? null : `re-run ${result.status}: ${result.statusReason}`;
    },
  },
];

export const cleanupPhases = (): void => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
};
