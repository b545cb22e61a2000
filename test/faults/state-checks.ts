/**
 * What must hold after a fault, whatever the phase: each check returns null when the state is
 * consistent, else a sentence saying what is not. Read from the real cluster and files with the
 * functions behind `migrate status`, `dataset verify` and the history, plus SQL where only it can see.
 */
import fs from 'node:fs';
import path from 'node:path';
import { withClient } from '../../bench/db/connect.ts';
import { startCluster } from '../../bench/db/embedded.ts';
import { withSchema } from '../../bench/db/target.ts';
import { entryFolders, readHistory } from '../../bench/nightly/history-store.ts';
import { readResult } from '../../bench/result-file/result-file.ts';
import { SQL_DIR } from '../../bench/core/paths.ts';
import { readManifest } from '../../bench/dataset/manifest.ts';
import { verifyDataset } from '../../bench/dataset/verify.ts';
import { loadCatalog } from '../../bench/migrate/catalog.ts';
import { migrationStatus } from '../../bench/migrate/runner.ts';
import { DEFAULT_SCHEMA, ledgerTable, manifestTable } from '../../bench/db/schema.ts';
import type { DbTarget } from '../../bench/db/target.ts';

const targetFor = async (schema?: string): Promise<DbTarget> => withSchema(await startCluster(), schema ?? DEFAULT_SCHEMA);

/**
 * The migration ledger, as `migrate status` reads it: applied steps are a prefix followed only by
 * pending ones (nothing edited or unknown), and the schema agrees with it: OPT1 applied ⇔
 * geometrias is a partitioned table (a half-applied OPT1 would show as one without the other).
 * In-process (not through the CLI): each CLI start costs seconds on a loaded machine.
 */
export async function ledgerConsistent(schema?: string): Promise<string | null> {
  const target = await targetFor(schema);
  const exists = await withClient(target, async (c) => (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [ledgerTable(target.schema)])).rows[0]!.t);
  if (!exists) return null; // no dataset in this schema: nothing to be inconsistent
  const rows = await migrationStatus(target, loadCatalog(SQL_DIR));
  const listing = rows.map((r) => `${r.state} ${r.tag}`).join(', ');
  if (rows.some((r) => r.state !== 'applied' && r.state !== 'pending')) return `migrate status of ${target.schema}: ${listing}`;
  const firstPending = rows.findIndex((r) => r.state === 'pending');
  if (firstPending >= 0 && rows.slice(firstPending).some((r) => r.state === 'applied')) return `applied steps of ${target.schema} are not a prefix: ${listing}`;
  const opt1Applied = rows.some((r) => r.tag === 'OPT1' && r.state === 'applied');
  const relkind = await withClient(target, async (c) =>
    (await c.query<{ k: string | null }>(`SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS k`, [`${target.schema}.geometrias`])).rows[0]!.k);
  if (relkind !== null && (relkind === 'p') !== opt1Applied) return `${target.schema}: ledger says OPT1 ${opt1Applied ? 'applied' : 'not applied'} but geometrias has relkind ${relkind}`;
  return null;
}

/**
 * The dataset manifest: complete with rows matching its checksum (what `dataset verify` checks),
 * marked incomplete (a load stopped half-way: the next prepare or generate rebuilds it), or absent.
 */
export async function manifestConsistent(schema?: string): Promise<string | null> {
  const target = await targetFor(schema);
  const manifest = await withClient(target, async (c) => {
    const exists = (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [manifestTable(target.schema)])).rows[0]!.t;
    return exists ? readManifest(c, target.schema) : undefined;
  });
  if (!manifest || manifest.status === 'incomplete') return null;
  const r = await verifyDataset(target, { workers: 1 });
  return r.ok ? null : `${target.schema}: the dataset does not match its manifest (${r.actual.rows} rows / ${r.actual.hash}, manifest ${r.manifest.checksum?.rows} / ${r.manifest.checksum?.hash})`;
}

/** pg_cron: no job of the schema left at every minute and no saved-schedules table. */
export async function cronRestored(schema: string): Promise<string | null> {
  const target = await startCluster();
  return withClient(target, async (c) => {
    const minute = (await c.query<{ jobname: string }>(`SELECT jobname FROM cron.job WHERE starts_with(jobname, $1) AND schedule = '* * * * *'`, [`${schema}:`])).rows;
    const saved = (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${schema}.opt45_forced_schedules`])).rows[0]!.t;
    if (minute.length) return `jobs left at every minute: ${minute.map((j) => j.jobname).join(', ')}`;
    return saved ? `the saved-schedules table ${saved} is still there` : null;
  });
}

/**
 * The nightly history: index.json loads, and it lists exactly the entry folders stored (entry.json
 * present): a night stopped between two writes has its stored entries indexed and nothing else.
 * Returns the indexed folders too, so a caller can check which entries of a night were stored.
 */
export function historyConsistent(historyDir: string): { problem: string | null; stored: string[] } {
  let index;
  try {
    index = readHistory(historyDir);
  } catch (err) {
    return { problem: `the history index does not load: ${(err as Error).message}`, stored: [] };
  }
  const indexed = Object.values(index.series).flatMap((s) => s.runs.map((r) => r.dir)).sort();
  const folders = entryFolders(historyDir);
  const problem = JSON.stringify(indexed) === JSON.stringify(folders) ? null : `index lists [${indexed.join(', ')}], folders hold [${folders.join(', ')}]`;
  return { problem, stored: indexed };
}

/**
 * A run's output after a fault. `incomplete`: the fault came while measuring, so a result.json must
 * be kept and marked incomplete with a reason. `incomplete if any`: the command may have stopped
 * before writing one, but one written must be marked. `any`: a result written must load (the fault
 * came after the measurements).
 */
export function partialResultMarked(outDir: string, expect: 'incomplete' | 'incomplete if any' | 'any'): string | null {
  if (!fs.existsSync(path.join(outDir, 'result.json'))) return expect === 'incomplete' ? `no result.json in ${outDir}: the partial measurement was not kept` : null;
  let result;
  try {
    result = readResult(outDir);
  } catch (err) {
    return `result.json does not load: ${(err as Error).message}`;
  }
  if (expect !== 'any' && result.status !== 'incomplete') return `result.json says ${result.status} after a fault during the measurement`;
  if (result.status === 'incomplete' && !result.statusReason) return 'incomplete without a reason';
  return null;
}

/** Runs the checks one after the other; the first problem, or null. */
export async function firstProblem(...checks: (() => Promise<string | null> | string | null)[]): Promise<string | null> {
  for (const c of checks) {
    const r = await c();
    if (r !== null) return r;
  }
  return null;
}
