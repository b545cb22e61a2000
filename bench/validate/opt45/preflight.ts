import type pg from 'pg';
import { GeobenchError } from '../../core/errors.ts';
import { scalar } from './shared.ts';

/**
 * pg_cron and pg_partman must be in the database (and pg_cron must run its jobs here) before the
 * validator changes anything: a clear error naming what is missing otherwise.
 */
export async function requireOpt45Extensions(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ extname: string }>(`SELECT extname FROM pg_extension WHERE extname IN ('pg_cron', 'pg_partman')`);
  const have = new Set(rows.map((r) => r.extname));
  for (const [ext, pkg] of [['pg_cron', 'postgresql-15-cron'], ['pg_partman', 'postgresql-15-partman']] as const) {
    if (!have.has(ext)) {
      throw new GeobenchError(`validate opt45 needs the extension ${ext} in database ${await scalar<string>(client, 'SELECT current_database()')}, and it is not installed there`, {
        hint: ext === 'pg_cron'
          ? `install ${pkg}, add pg_cron to shared_preload_libraries, set cron.database_name to this database, restart, then CREATE EXTENSION pg_cron`
          : `install ${pkg}, then CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman`,
      });
    }
  }
  const cronDb = await scalar<string | null>(client, `SELECT current_setting('cron.database_name', true)`);
  const db = await scalar<string>(client, 'SELECT current_database()');
  if (cronDb !== db) {
    throw new GeobenchError(`validate opt45 needs pg_cron to run jobs in database ${db}, but cron.database_name is ${cronDb ?? 'not set'}`, { hint: `set cron.database_name = '${db}' and restart the server` });
  }
}
