/**
 * The PostgreSQL history store's schema, `geobench_history`, as numbered migrations. Like the
 * dataset schemas' ledger (bench/migrate/), a `schema_version` table records what was applied; the
 * store applies the missing ones at open, in one transaction under an advisory lock, so two
 * nightlies opening a new history at once create it once. Append a migration; never edit one.
 */
export const HISTORY_SCHEMA = 'geobench_history';

export interface HistoryMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const HISTORY_MIGRATIONS: readonly HistoryMigration[] = [
  {
    version: 1,
    description: 'entry runs (index record, series key, result.json, validation.json, plans) and night summaries',
    sql: `
      CREATE TABLE ${HISTORY_SCHEMA}.entry_runs (
        nightly_run_id text NOT NULL,
        entry text NOT NULL,
        series_id text NOT NULL,
        series_key jsonb NOT NULL,
        record jsonb NOT NULL,
        result jsonb,
        validation jsonb,
        plans jsonb NOT NULL DEFAULT '{}'::jsonb,
        stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (nightly_run_id, entry)
      );
      CREATE INDEX entry_runs_series ON ${HISTORY_SCHEMA}.entry_runs (series_id);
      CREATE TABLE ${HISTORY_SCHEMA}.night_summaries (
        nightly_run_id text PRIMARY KEY,
        markdown text NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );`,
  },
];

/** The advisory lock key every writer of the history takes (pg_advisory_xact_lock). */
export const HISTORY_LOCK_KEY = 0x67_62_68_73; // "gbhs"
