/** geobench keeps everything it creates in its own schema; it never touches other schemas' objects. */
export const DATA_SCHEMA = 'geobench';
export const SEARCH_PATH = `${DATA_SCHEMA}, public`;
export const LEDGER_TABLE = `${DATA_SCHEMA}.schema_migrations`;
export const MANIFEST_TABLE = `${DATA_SCHEMA}.dataset_manifest`;

export const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
  version text PRIMARY KEY,
  tag text NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms numeric NOT NULL,
  after_commit_ms numeric NOT NULL DEFAULT 0
)`;
