/**
 * The PostgreSQL history store: the history in the `geobench_history` schema of any PostgreSQL
 * (the embedded cluster or another server), created and migrated at open (history-migrations.ts).
 * One row per entry run holds its index record, series key, result.json, validation.json and
 * plans; the index is read from the rows. Each write is one transaction under an advisory lock,
 * so concurrent nightlies serialise their appends and accept marks. Messages show the target's
 * display form only (never a password); driver errors pass through redact().
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { clientConfig, describeConnectError } from '../db/connect.ts';
import { redact } from '../db/redact.ts';
import type { DbTarget } from '../db/target.ts';
import { parseRunResult } from '../formats/run-result.ts';
import type { Check } from '../validate/checks.ts';
import { appendRun, emptyIndex, ENTRY_RECORD_SHAPE, type HistoryIndex, type HistoryRunRecord } from './history-index.ts';
import { HISTORY_LOCK_KEY, HISTORY_MIGRATIONS, HISTORY_SCHEMA } from './history-migrations.ts';
import type { EntryRunData } from './judgement.ts';
import { seriesId, type SeriesKey } from './series-key.ts';
import type { HistoryStore } from './store.ts';

const S = HISTORY_SCHEMA;

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [HISTORY_LOCK_KEY]);
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** Creates the schema and applies the missing migrations; refuses a schema newer than this code. */
export async function migrateHistorySchema(pool: pg.Pool): Promise<number> {
  return inTransaction(pool, async (c) => {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${S}.schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await c.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${S}.schema_version`);
    const current = rows[0]?.v ?? 0;
    const newest = HISTORY_MIGRATIONS[HISTORY_MIGRATIONS.length - 1]!.version;
    if (current > newest) throw new GeobenchError(`history schema ${S} is at version ${current}, newer than this geobench knows (${newest})`, { hint: 'use the geobench version that wrote it, or another history', exitCode: 2 });
    for (const m of HISTORY_MIGRATIONS.filter((x) => x.version > current)) {
      await c.query(m.sql);
      await c.query(`INSERT INTO ${S}.schema_version (version, description) VALUES ($1, $2)`, [m.version, m.description]);
    }
    return newest;
  });
}

function readPlans(dir: string): Record<string, string> {
  const root = path.join(dir, 'plans');
  if (!fs.existsSync(root)) return {};
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(root, { recursive: true }).map(String)) {
    const file = path.join(root, f);
    if (fs.statSync(file).isFile()) out[f.split(path.sep).join('/')] = fs.readFileSync(file, 'utf8');
  }
  return out;
}

const readJson = (file: string): unknown => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);

export async function postgresStore(target: DbTarget): Promise<HistoryStore> {
  const pool = new pg.Pool({ ...clientConfig(target, 'geobench-history'), max: 2 });
  pool.on('error', () => {});
  const fail = (what: string, err: unknown): GeobenchError => {
    if (err instanceof GeobenchError) return err;
    const code = (err as { code?: string }).code;
    if (code && /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|28|3D)/.test(code)) return describeConnectError(target, err);
    return new GeobenchError(`history ${target.display}: ${what} failed: ${redact((err as Error).message)}`);
  };
  try {
    await migrateHistorySchema(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw fail('creating or migrating the history schema', err);
  }
  const readIndex = async (): Promise<HistoryIndex> => {
    try {
      const { rows } = await pool.query<{ series_key: unknown; record: unknown }>(`SELECT series_key, record FROM ${S}.entry_runs ORDER BY stored_at, nightly_run_id, entry`);
      let index = emptyIndex();
      for (const row of rows) {
        const parsed = ENTRY_RECORD_SHAPE.safeParse({ key: row.series_key, record: row.record });
        if (!parsed.success) throw new GeobenchError(`history ${target.display} holds a corrupt row: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        index = appendRun(index, parsed.data.key, parsed.data.record);
      }
      return index;
    } catch (err) {
      throw fail('reading the index', err);
    }
  };
  return {
    display: target.display,
    kind: 'postgres',
    readIndex,
    readRun: async (record): Promise<EntryRunData | null> => {
      try {
        const { rows } = await pool.query<{ result: unknown; validation: { checks?: unknown } | null }>(`SELECT result, validation FROM ${S}.entry_runs WHERE nightly_run_id = $1 AND entry = $2`, [record.nightlyRunId, record.entry]);
        const row = rows[0];
        if (!row) return null;
        const result = row.result ? parseRunResult(row.result, `history run ${record.nightlyRunId}/${record.entry}`) : null;
        const checks = row.validation && Array.isArray(row.validation.checks) ? (row.validation.checks as Check[]) : null;
        return result || checks ? { result, checks } : null;
      } catch {
        return null;
      }
    },
    storeRun: async (sourceDir: string, key: SeriesKey, record: HistoryRunRecord): Promise<HistoryIndex> => {
      try {
        await inTransaction(pool, (c) => c.query(
          `INSERT INTO ${S}.entry_runs (nightly_run_id, entry, series_id, series_key, record, result, validation, plans) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [record.nightlyRunId, record.entry, seriesId(key), JSON.stringify(key), JSON.stringify(record), JSON.stringify(readJson(path.join(sourceDir, 'result.json'))), JSON.stringify(readJson(path.join(sourceDir, 'validation.json'))), JSON.stringify(readPlans(sourceDir))],
        ));
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new GeobenchError(`history ${target.display} already holds ${record.nightlyRunId}/${record.entry}`);
        throw fail(`storing ${record.nightlyRunId}/${record.entry}`, err);
      }
      return readIndex();
    },
    accept: async (nightlyRunId) => {
      try {
        const r = await inTransaction(pool, (c) => c.query(`UPDATE ${S}.entry_runs SET record = jsonb_set(record, '{accepted}', 'true'::jsonb) WHERE nightly_run_id = $1`, [nightlyRunId]));
        return r.rowCount ?? 0;
      } catch (err) {
        throw fail(`accepting ${nightlyRunId}`, err);
      }
    },
    saveSummary: async (nightlyRunId, markdown) => {
      try {
        await pool.query(`INSERT INTO ${S}.night_summaries (nightly_run_id, markdown) VALUES ($1, $2) ON CONFLICT (nightly_run_id) DO UPDATE SET markdown = EXCLUDED.markdown, stored_at = clock_timestamp()`, [nightlyRunId, markdown]);
      } catch (err) {
        throw fail('saving the summary', err);
      }
    },
    close: () => pool.end(),
  };
}
