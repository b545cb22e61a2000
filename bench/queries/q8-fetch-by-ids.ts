import type { QueryType } from './types.ts';
import { LIVE } from './freshness.ts';
import { drawIds } from './sampling.ts';

export const Q8_BATCH = 20;

/**
 * A batch of 20 rows by id (ids uniform over the dataset's 1..totalRows), with the geometry as
 * WKB. On OPT1 the primary key is (id, created_at) and id says nothing about the partition, so
 * every partition's key index is probed: the cost of partitioning for this access path.
 */
export const q8FetchByIds: QueryType = {
  name: 'Q8',
  title: 'fetch 20 rows by id (props and WKB geometry)',
  kind: 'read',
  sql: `SELECT id, layer_id, props, ST_AsBinary(geom) AS wkb
FROM geometrias
WHERE id = ANY($1::bigint[])`,
  params(rng, ctx) {
    return [drawIds(rng, Q8_BATCH, ctx.totalRows)];
  },
  routes: {
    // The same rows; the geometry comes as GeoJSON (what the API returns) instead of WKB.
    rpc: {
      title: 'OPT3 RPC get_by_ids (GeoJSON geometry)',
      requires: 'OPT3',
      exact: true,
      freshness: LIVE,
      sql: `SELECT id, layer AS layer_id, props, geojson
FROM get_by_ids(ids => $1::bigint[])`,
    },
  },
};
