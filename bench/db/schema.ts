import { GeobenchError } from '../core/errors.ts';

/**
 * geobench keeps everything it creates in schemas of its own — `geobench` by default, and
 * `geobench_<variant>` for the schema variants a load run compares — and never touches other
 * schemas' objects. A schema holds the dataset table, the migration ledger and the manifest.
 */
export const DEFAULT_SCHEMA = 'geobench';

const OWN_SCHEMA = /^geobench(_[a-z0-9_]{1,40})?$/;

export function assertOwnSchema(name: string): string {
  if (!OWN_SCHEMA.test(name)) {
    throw new GeobenchError(`schema '${name}' is not one of geobench's own (geobench or geobench_<name>, lower-case letters, digits, _)`, { exitCode: 2 });
  }
  return name;
}

/** The schema a variant of a load run lives in. */
export const variantSchema = (variant: string): string => assertOwnSchema(`geobench_${variant.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`);

export const searchPath = (schema: string): string => `${assertOwnSchema(schema)}, public`;
/** The API schema OPT3 creates next to a data schema (its RPC functions). */
export const apiSchema = (schema: string): string => `${assertOwnSchema(schema)}_api`;
/**
 * What the workload's connections see: the data schema, then its API schema, so a query type's
 * routes can call the RPC functions unqualified (a schema that does not exist is skipped).
 */
export const workloadSearchPath = (schema: string): string => `${assertOwnSchema(schema)}, ${apiSchema(schema)}, public`;
export const ledgerTable = (schema: string): string => `${assertOwnSchema(schema)}.schema_migrations`;
export const manifestTable = (schema: string): string => `${assertOwnSchema(schema)}.dataset_manifest`;

export const ledgerDdl = (schema: string): string => `CREATE TABLE IF NOT EXISTS ${ledgerTable(schema)} (
  version text PRIMARY KEY,
  tag text NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms numeric NOT NULL,
  after_commit_ms numeric NOT NULL DEFAULT 0
)`;
