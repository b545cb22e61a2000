import type pg from 'pg';
import { assertOwnSchema } from '../db/schema.ts';

/**
 * A seeded sample of real rows, taken once at import and stored next to the data, from which query
 * parameters are drawn for an imported dataset (points, boxes, layers, time windows land where the
 * data is, not where the synthetic model would put them). Chosen by a hash of the id with the
 * seed, so the same import gives the same sample.
 */
export const PARAM_SAMPLE_ROWS = 1000;

export const paramSampleTable = (schema: string): string => `${assertOwnSchema(schema)}.param_sample`;

export interface ParamSampleRow {
  readonly lon: number;
  readonly lat: number;
  readonly layerId: number;
  /** Unix seconds */
  readonly createdSec: number;
}

/** Creates (replaces) the sample table from `geometrias` of the same schema. */
export async function writeParamSample(client: pg.Client, schema: string, seed: number): Promise<number> {
  const table = paramSampleTable(schema);
  // CREATE TABLE AS takes no bind parameters: the seed is inlined as a checked integer.
  const hash = `hashtextextended(id::text, ${Math.trunc(seed)})`;
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  const res = await client.query(
    `CREATE TABLE ${table} AS
     SELECT row_number() OVER (ORDER BY ${hash}, id)::int AS n,
            ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat, layer_id,
            extract(epoch FROM created_at)::bigint AS created_sec
     FROM ${assertOwnSchema(schema)}.geometrias ORDER BY ${hash}, id LIMIT ${PARAM_SAMPLE_ROWS}`,
  );
  return res.rowCount ?? 0;
}

/** The stored sample in its seeded order, or undefined for a generated dataset (no sample table). */
export async function readParamSample(client: pg.Client, schema: string): Promise<ParamSampleRow[] | undefined> {
  const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [paramSampleTable(schema)]);
  if (!exists.rows[0].ok) return undefined;
  const res = await client.query(`SELECT lon, lat, layer_id, created_sec FROM ${paramSampleTable(schema)} ORDER BY n`);
  return res.rows.map((r) => ({ lon: Number(r.lon), lat: Number(r.lat), layerId: Number(r.layer_id), createdSec: Number(r.created_sec) }));
}
