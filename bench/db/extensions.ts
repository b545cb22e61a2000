import type pg from 'pg';
import { GeobenchError } from '../core/errors.ts';

/** The extensions geobench needs, and the Debian package that provides each. */
export const REQUIRED_EXTENSIONS = [
  { name: 'postgis', schema: 'public', debianPackage: 'postgresql-15-postgis-3' },
  { name: 'pg_stat_statements', schema: 'public', debianPackage: 'postgresql-contrib (part of postgresql-15)' },
  { name: 'pg_cron', schema: 'pg_catalog', debianPackage: 'postgresql-15-cron' },
  { name: 'pg_partman', schema: 'partman', debianPackage: 'postgresql-15-partman' },
] as const;

/**
 * Creates the required extensions where missing. A missing package or a missing preload is reported
 * with what to install or configure, before any data is touched.
 */
export async function ensureExtensions(client: pg.Client): Promise<void> {
  const available = await client.query<{ name: string }>('SELECT name FROM pg_available_extensions');
  const names = new Set(available.rows.map((r) => r.name));
  const missing = REQUIRED_EXTENSIONS.filter((e) => !names.has(e.name));
  if (missing.length > 0) {
    throw new GeobenchError(`PostgreSQL extension(s) not installed on the server: ${missing.map((e) => e.name).join(', ')}`, {
      hint: `install ${missing.map((e) => e.debianPackage).join(', ')} (scripts/setup does it for the embedded cluster)`,
    });
  }
  for (const ext of REQUIRED_EXTENSIONS) {
    try {
      if (ext.schema === 'partman') await client.query('CREATE SCHEMA IF NOT EXISTS partman');
      await client.query(`CREATE EXTENSION IF NOT EXISTS ${ext.name} SCHEMA ${ext.schema}`);
    } catch (err) {
      const message = (err as Error).message;
      const preload = /shared_preload_libraries|cron\.database_name|can only be loaded/i.test(message);
      throw new GeobenchError(`cannot create extension ${ext.name}: ${message}`, {
        hint: preload
          ? `add ${ext.name} to shared_preload_libraries (and set cron.database_name to this database) and restart the server`
          : 'geobench needs a role allowed to create extensions',
      });
    }
  }
}
