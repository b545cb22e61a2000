import type pg from 'pg';
import { assertOwnSchema, manifestTable } from './schema.ts';

/**
 * What one of geobench's schemas takes on disk and how many dataset rows it holds: the two figures
 * the step rates are per (bytes per row of a schema state, seconds per row of a step). Catalog reads
 * only; cheap at any scale.
 */

/**
 * Bytes of every table, partition and materialized view of the schema with their indexes and TOAST
 * (pg_total_relation_size; a partitioned parent has no storage of its own, its partitions count).
 */
export async function schemaBytes(client: pg.Client, schema: string): Promise<number> {
  const res = await client.query<{ bytes: string | null }>(
    `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`, [assertOwnSchema(schema)]);
  return Number(res.rows[0]?.bytes ?? 0);
}

/** The dataset's row count from the schema's manifest (total_rows), or null without a manifest. */
export async function datasetRows(client: pg.Client, schema: string): Promise<number | null> {
  const exists = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [manifestTable(schema)]);
  if (!exists.rows[0]?.ok) return null;
  const res = await client.query<{ n: string }>(`SELECT total_rows AS n FROM ${manifestTable(schema)}`);
  return res.rows[0] ? Number(res.rows[0].n) : null;
}
