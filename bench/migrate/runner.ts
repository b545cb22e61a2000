import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { GeobenchError, InterruptedError } from '../core/errors.ts';
import { connect } from '../db/connect.ts';
import { redact } from '../db/redact.ts';
import { ledgerDdl, ledgerTable, searchPath } from '../db/schema.ts';
import { datasetRows, schemaBytes } from '../db/schema-footprint.ts';
import { stepProgress, type StepProgress } from '../core/step-progress.ts';
import { recordSteps, stepKey } from '../core/step-rates.ts';
import type { DbTarget } from '../db/target.ts';
import { BASELINE_TAG, type Migration } from './catalog.ts';
import { firstCodeLine, splitMigration, type SqlStatement } from './sql-split.ts';

export interface LedgerRow {
  readonly version: string;
  readonly tag: string;
  readonly name: string;
  readonly checksum: string;
  readonly applied_at: Date;
  readonly duration_ms: string;
  readonly after_commit_ms: string;
}

export interface RunOptions {
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Same key for every geobench migration run: two runners never interleave on one database. */
const MIGRATION_LOCK_KEY = 7_770_470_000;

export async function readLedger(client: pg.Client, schema: string): Promise<LedgerRow[]> {
  const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [ledgerTable(schema)]);
  if (!exists.rows[0].ok) return [];
  const res = await client.query<LedgerRow>(`SELECT * FROM ${ledgerTable(schema)} ORDER BY version`);
  return res.rows;
}

/** Checks that the ledger is a prefix of the catalog and that no applied file was edited; returns how many are applied. */
export function checkLedger(ledger: readonly LedgerRow[], catalog: readonly Migration[]): number {
  const applied = ledger.filter((r) => r.tag !== BASELINE_TAG);
  if (!ledger.some((r) => r.tag === BASELINE_TAG)) {
    throw new GeobenchError('no dataset in this database (the ledger has no baseline)', { hint: 'run `geobench dataset generate` first' });
  }
  applied.forEach((row, i) => {
    const m = catalog[i];
    if (!m || m.version !== row.version) {
      throw new GeobenchError(`applied migration ${row.version}_${row.name} (${row.tag}) does not match sql/ (expected ${m ? `${m.version}_${m.name}` : 'nothing'} at position ${i + 1})`, {
        hint: 'the sql/ folder differs from what was applied to this database',
      });
    }
    if (m.checksum !== row.checksum) {
      throw new GeobenchError(`migration ${path.basename(m.file)} (${m.tag}) was edited after it was applied: ledger sha256 ${row.checksum.slice(0, 12)}…, file ${m.checksum.slice(0, 12)}…; refusing`, {
        hint: 'restore the applied version of the file (git checkout), roll it back, then apply the new version',
      });
    }
  });
  return applied.length;
}

/** Cancels the running statement of `client` when `signal` fires (Ctrl-C). */
function cancelOnAbort(target: DbTarget, client: pg.Client, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => {};
  const pid = (client as unknown as { processID: number }).processID;
  const onAbort = (): void => {
    void connect(target, 'geobench-cancel')
      .then(async (c) => {
        await c.query('SELECT pg_cancel_backend($1)', [pid]);
        await c.end();
      })
      .catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

async function runStatements(client: pg.Client, file: string, statements: readonly SqlStatement[], signal: AbortSignal | undefined, log: (l: string) => void, progress: StepProgress, doneBefore: number): Promise<void> {
  for (const [i, st] of statements.entries()) {
    if (signal?.aborted) throw new InterruptedError(`${path.basename(file)} before line ${st.line}`);
    const started = performance.now();
    try {
      await client.query(st.text);
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError(`${path.basename(file)} at line ${st.line}`);
      throw new GeobenchError(`${path.basename(file)} failed at line ${st.line} (${firstCodeLine(st.text).slice(0, 100)}): ${redact((err as Error).message)}`);
    }
    progress.update(doneBefore + i + 1);
    const ms = performance.now() - started;
    if (ms > 1000) log(`  ${path.basename(file)}:${st.line} ${firstCodeLine(st.text).slice(0, 70)} — ${(ms / 1000).toFixed(1)} s`);
  }
}

/**
 * Applies one script: its transactional part in a single transaction together with the ledger
 * change (so a failure leaves both untouched), then its after-commit statements.
 */
async function applyScript(target: DbTarget, client: pg.Client, file: string, label: string, ledgerChange: (c: pg.Client, ms: number) => Promise<void>, options: RunOptions): Promise<void> {
  const log = options.log ?? (() => {});
  const { transactional, afterCommit } = splitMigration(fs.readFileSync(file, 'utf8'));
  const stopCancel = cancelOnAbort(target, client, options.signal);
  const progress = stepProgress({ label: `${label} ${target.schema}`, total: transactional.length + afterCommit.length, unit: 'statements', showRate: false });
  const started = performance.now();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL search_path = ${searchPath(target.schema)}`);
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await runStatements(client, file, transactional, options.signal, log, progress, 0);
    await ledgerChange(client, performance.now() - started);
    await client.query('COMMIT');
  } catch (err) {
    progress.finish();
    await client.query('ROLLBACK').catch(() => {});
    stopCancel();
    if (err instanceof GeobenchError) {
      throw new GeobenchError(`${err.message}\n  rolled back: schema and ledger are unchanged`, { exitCode: err.exitCode, ...(err.hint ? { hint: err.hint } : {}) });
    }
    // Outside a statement of the file (BEGIN, search_path, the lock, the ledger row): e.g. the
    // server died. Still a clear failure (exit 1), not an internal error.
    throw new GeobenchError(`${path.basename(file)} failed: ${(err as Error)?.message ?? String(err)}\n  rolled back: schema and ledger are unchanged`, { cause: err });
  }
  try {
    if (afterCommit.length > 0) {
      const t = performance.now();
      await client.query(`SET search_path = ${searchPath(target.schema)}`);
      await runStatements(client, file, afterCommit, options.signal, log, progress, transactional.length);
      const ledger = ledgerTable(target.schema);
      await client.query(`UPDATE ${ledger} SET after_commit_ms = $1 WHERE version = (SELECT max(version) FROM ${ledger})`, [performance.now() - t]).catch(() => {});
    }
  } finally {
    progress.finish();
    stopCancel();
  }
}

/**
 * Keeps the measured time of one migration step and the schema's size after it (step rates for the
 * sign-off plan). Never fails the migration: a size that cannot be read is left out.
 */
async function recordMigrationStep(client: pg.Client, schema: string, rows: number | null, step: MigrationStep, stateAfter: string, log: (l: string) => void): Promise<void> {
  if (!rows) return;
  const bytes = await schemaBytes(client, schema).catch(() => null);
  const problem = recordSteps([
    { key: stepKey.migrate(step.direction, step.migration.tag), rows, seconds: step.seconds },
    ...(bytes === null ? [] : [{ key: stepKey.size(stateAfter), rows, bytes }]),
  ]);
  if (problem) log(problem);
}

export interface MigrationStep {
  readonly migration: Migration;
  readonly direction: 'up' | 'down';
  readonly seconds: number;
}

export async function migrateUp(target: DbTarget, catalog: readonly Migration[], toIndex: number, options: RunOptions = {}): Promise<MigrationStep[]> {
  const log = options.log ?? (() => {});
  const client = await connect(target, 'geobench-migrate');
  try {
    await client.query(ledgerDdl(target.schema));
    const applied = checkLedger(await readLedger(client, target.schema), catalog);
    const rows = await datasetRows(client, target.schema).catch(() => null);
    const steps: MigrationStep[] = [];
    for (let i = applied; i <= toIndex; i++) {
      const m = catalog[i]!;
      log(`applying ${m.tag} ${path.basename(m.file)}`);
      const t = performance.now();
      await applyScript(target, client, m.file, `${m.tag} up (${i + 1 - applied}/${toIndex + 1 - applied})`, async (c, ms) => {
        await c.query(`INSERT INTO ${ledgerTable(target.schema)} (version, tag, name, checksum, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [m.version, m.tag, m.name, m.checksum, ms]);
      }, options);
      steps.push({ migration: m, direction: 'up', seconds: (performance.now() - t) / 1000 });
      log(`applied ${m.tag} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await recordMigrationStep(client, target.schema, rows, steps[steps.length - 1]!, m.tag, log);
    }
    return steps;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function migrateDown(target: DbTarget, catalog: readonly Migration[], toIndex: number, options: RunOptions = {}): Promise<MigrationStep[]> {
  const log = options.log ?? (() => {});
  const client = await connect(target, 'geobench-migrate');
  try {
    const applied = checkLedger(await readLedger(client, target.schema), catalog);
    const rows = await datasetRows(client, target.schema).catch(() => null);
    const steps: MigrationStep[] = [];
    for (let i = applied - 1; i > toIndex; i--) {
      const m = catalog[i]!;
      log(`rolling back ${m.tag} with ${path.basename(m.rollbackFile)}`);
      const t = performance.now();
      await applyScript(target, client, m.rollbackFile, `${m.tag} down (${applied - i}/${applied - 1 - toIndex})`, async (c) => {
        await c.query(`DELETE FROM ${ledgerTable(target.schema)} WHERE version = $1`, [m.version]);
      }, options);
      steps.push({ migration: m, direction: 'down', seconds: (performance.now() - t) / 1000 });
      log(`rolled back ${m.tag} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await recordMigrationStep(client, target.schema, rows, steps[steps.length - 1]!, i > 0 ? catalog[i - 1]!.tag : BASELINE_TAG, log);
    }
    return steps;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface StatusRow {
  readonly tag: string;
  readonly file: string;
  readonly state: 'applied' | 'pending' | 'edited' | 'unknown';
  readonly appliedAt?: Date;
  readonly durationMs?: number;
}

export async function migrationStatus(target: DbTarget, catalog: readonly Migration[]): Promise<StatusRow[]> {
  const client = await connect(target, 'geobench-migrate');
  try {
    const ledger = await readLedger(client, target.schema);
    const byVersion = new Map(ledger.map((r) => [r.version, r]));
    const rows: StatusRow[] = [];
    const base = ledger.find((r) => r.tag === BASELINE_TAG);
    rows.push(base
      ? { tag: BASELINE_TAG, file: 'sql/baseline/', state: 'applied', appliedAt: base.applied_at, durationMs: Number(base.duration_ms) }
      : { tag: BASELINE_TAG, file: 'sql/baseline/', state: 'pending' });
    for (const m of catalog) {
      const row = byVersion.get(m.version);
      const file = path.basename(m.file);
      if (!row) rows.push({ tag: m.tag, file, state: 'pending' });
      else rows.push({ tag: m.tag, file, state: row.checksum === m.checksum ? 'applied' : 'edited', appliedAt: row.applied_at, durationMs: Number(row.duration_ms) + Number(row.after_commit_ms) });
    }
    for (const r of ledger) {
      if (r.tag !== BASELINE_TAG && !catalog.some((m) => m.version === r.version)) rows.push({ tag: r.tag, file: `${r.version}_${r.name}.sql`, state: 'unknown', appliedAt: r.applied_at });
    }
    return rows;
  } finally {
    await client.end().catch(() => {});
  }
}
