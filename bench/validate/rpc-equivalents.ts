import type pg from 'pg';
import type { Rng } from '../queries/sampling.ts';
import { rpcGetByIds } from '../queries/rpc-get-by-ids.ts';
import { rpcLayerStats } from '../queries/rpc-layer-stats.ts';
import { rpcSearchBbox } from '../queries/rpc-search-bbox.ts';
import { rpcSearchKnn } from '../queries/rpc-search-knn.ts';
import { rpcSearchLayerTime } from '../queries/rpc-search-layer-time.ts';
import { rpcSearchNearby } from '../queries/rpc-search-nearby.ts';

/**
 * For each OPT3 RPC function: a seeded argument generator (the RPC query type's, bench/queries/rpc-*.ts,
 * with the largest page, max_rows 1000, where the function pages) and the equivalent query on the
 * base table, so the validator can check that the function answers what the table says. Each
 * returns a comparable key list (ids in the function's order, or counts).
 */
export interface RpcEquivalent {
  readonly fn: string;
  readonly args: (rng: Rng, totalRows: number) => Record<string, unknown>;
  /** SQL of the function call with named arguments ($1… in the order of `args`' keys), returning the key column. */
  readonly keyOf: string;
  /** The base-table query returning the same keys, given the function's rows (some use the function's own result, e.g. the k-th distance). */
  base(client: pg.Client, args: Record<string, unknown>, fnKeys: readonly string[]): Promise<string[]>;
}

const ids = async (client: pg.Client, sql: string, params: unknown[]): Promise<string[]> =>
  (await client.query<{ k: string }>(sql, params)).rows.map((r) => String(r.k));

export const RPC_EQUIVALENTS: readonly RpcEquivalent[] = [
  {
    fn: 'search_bbox',
    args: (rng, totalRows) => ({ ...rpcSearchBbox.draw(rng, totalRows), max_rows: 1000 }),
    keyOf: 'id',
    base: (c, a) => ids(c, `SELECT id::text AS k FROM geometrias WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY id LIMIT 1000`, [a.min_lon, a.min_lat, a.max_lon, a.max_lat]),
  },
  {
    fn: 'search_nearby',
    args: (rng, totalRows) => ({ ...rpcSearchNearby.draw(rng, totalRows), max_rows: 1000 }),
    keyOf: 'id',
    // Distance <= radius exactly as the function defines it (ST_DWithin on geography rounds the
    // boundary differently), with the GiST prefilter a careful author would write (a degree box that holds the circle: at least
    // 110 km per degree of latitude and 111 km × cos(latitude) per degree of longitude here).
    base: (c, a) => ids(c, `SELECT id::text AS k FROM geometrias
      WHERE geom && ST_Expand(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326), $3::float8 / (111000.0 * cos(radians(abs($2::float8) + $3::float8 / 110000.0))), $3::float8 / 110000.0)
        AND ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography) <= $3::float8
      ORDER BY ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography), id LIMIT 1000`, [a.lon, a.lat, a.radius_m]),
  },
  {
    fn: 'search_knn',
    args: (rng, totalRows) => rpcSearchKnn.draw(rng, totalRows),
    keyOf: 'id',
    // No geometry nearer than the function's k-th may be missing: rank everything within twice its
    // k-th distance (plus 1 km) on the table and take k.
    base: async (c, a, fnKeys) => {
      const r = await c.query<{ d: number }>(`SELECT max(ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography)) AS d FROM geometrias WHERE id = ANY($3::bigint[])`, [a.lon, a.lat, fnKeys]);
      const radius = 2 * Number(r.rows[0]?.d ?? 0) + 1000;
      return ids(c, `SELECT id::text AS k FROM geometrias
        WHERE geom && ST_Expand(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326), $3::float8 / (111000.0 * cos(radians(abs($2::float8) + $3::float8 / 110000.0))), $3::float8 / 110000.0)
          AND ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography) <= $3::float8
        ORDER BY ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography), id LIMIT $4`, [a.lon, a.lat, radius, a.k]);
    },
  },
  {
    fn: 'search_layer_time',
    args: (rng, totalRows) => ({ ...rpcSearchLayerTime.draw(rng, totalRows), max_rows: 1000 }),
    keyOf: 'id',
    base: (c, a) => ids(c, `SELECT id::text AS k FROM geometrias WHERE layer_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at DESC, id DESC LIMIT 1000`, [a.layer_id, a.from_ts, a.to_ts]),
  },
  {
    fn: 'layer_stats',
    args: (rng, totalRows) => rpcLayerStats.draw(rng, totalRows),
    keyOf: 'n',
    base: (c, a) => ids(c, `SELECT count(*)::text AS k FROM geometrias WHERE layer_id = $1 AND created_at >= $2 AND created_at < $3 HAVING count(*) > 0`, [a.layer_id, a.from_ts, a.to_ts]),
  },
  {
    fn: 'get_by_ids',
    args: (rng, totalRows) => rpcGetByIds.draw(rng, totalRows),
    keyOf: 'id',
    base: (c, a) => ids(c, `SELECT id::text AS k FROM geometrias WHERE id = ANY($1::bigint[]) ORDER BY id`, [a.ids]),
  },
];
