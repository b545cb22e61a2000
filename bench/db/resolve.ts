import { startCluster, EMBEDDED_DATABASE } from './embedded.ts';
import { connect, withClient } from './connect.ts';
import { ensureExtensions } from './extensions.ts';
import { resolveExternalTarget, withSchema, type DbTarget, type TargetOptions } from './target.ts';
import { DEFAULT_SCHEMA } from './schema.ts';

/**
 * The database for a command: an external server when one is named (--db, DATABASE_URL, PG*),
 * otherwise the embedded cluster, started on demand. Either way the required extensions exist
 * on return.
 */
export async function openDatabase(options: TargetOptions, log: (line: string) => void = () => {}): Promise<DbTarget> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const external = resolveExternalTarget(options);
  if (external) {
    await withClient(external, ensureExtensions);
    return withSchema(external, schema);
  }
  const embedded = await startCluster({ log });
  await ensureEmbeddedDatabase(embedded);
  return withSchema(embedded, schema);
}

export async function ensureEmbeddedDatabase(target: DbTarget): Promise<void> {
  const admin = await connect({ ...target, client: { ...target.client, database: 'postgres' } });
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end();
  }
  await withClient(target, ensureExtensions);
}
