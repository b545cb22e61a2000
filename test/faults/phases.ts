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

export const SCALE = '0.02';
let tmp: string | undefined; // made on first use, so importing this file creates nothing
let outCount = 0;
const newOut = (): string => path.join((tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-faults-'))), `run-${++outCount}`);

async function must(args: string[]): Promise<void> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`geobench ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-600)}`);
}

const ok = async (args: string[], expect = 0): Promise<string | null> => {
  const r = await runCli(args);
  return r.code === expect ? null : `geobench ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-400)}`;
};

/** A dataset of SCALE at baseline in schema `geobench` (regenerated only when missing or incomplete). */
async function baselineDataset(): Promise<void> {
  await must(['db', 'start']);
  const info = await runCli(['dataset', 'info']);
  if (info.code !== 0 || !/complete/.test(info.stdout + info.stderr) || /incomplete/.test(info.stdout + info.stderr) || !info.stdout.includes(SCALE)) {
    await must(['dataset', 'generate', '--scale', SCALE]);
  }
  const down = await runCli(['migrate', 'down', '--to', 'baseline']);
  if (down.code !== 0) throw new Error(`migrate down --to baseline: ${down.stderr.slice(-400)}`);
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
    prepare: async () => {
      await must(['db', 'start']);
    },
    args: () => ['dataset', 'generate', '--scale', SCALE],
    trigger: /COPY/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => (await ok(['dataset', 'generate', '--scale', SCALE])) ?? ok(['dataset', 'verify']),
  },
  {
    name: 'migrate up',
    prepare: baselineDataset,
    args: () => ['migrate', 'up'],
    trigger: /OPT1|applying|1770470100/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => {
      const status = await runCli(['migrate', 'status']);
      if (/edited|unknown/.test(status.stdout)) return `migrate status after the fault:\n${status.stdout}`;
      return (await ok(['migrate', 'up'])) ?? ok(['migrate', 'down', '--to', 'baseline']);
    },
  },
  {
    name: 'run (measure)',
    prepare: async () => {
      await must(['db', 'start']);
    },
    args: () => ['run', 'smoke', '--duration', '30', '--warmup', '0', '--repeat', '1', '--out', newOut()],
    trigger: /measure\s+2 s/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => {
      const out = newOut();
      const r = await runCli(['run', 'smoke', '--duration', '2', '--warmup', '0', '--repeat', '1', '--out', out]);
      if (!fs.existsSync(path.join(out, 'result.json'))) return `no result after the re-run (exit ${r.code}): ${r.stderr.slice(-400)}`;
      const result = readResult(out);
      return result.status === 'complete' ? null : `re-run ${result.status}: ${result.statusReason}`;
    },
  },
];

export const cleanupPhases = (): void => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
};
