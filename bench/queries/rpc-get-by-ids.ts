import { rpcQueryType } from './rpc-call.ts';
import { LIVE } from './freshness.ts';
import { drawIds } from './sampling.ts';

export const RPC_IDS_BATCH = 20;

/** get_by_ids for 20 drawn ids (Q8's batch): the rows, ordered by id, with GeoJSON. */
export const rpcGetByIds = rpcQueryType({
  name: 'RPC_get_by_ids',
  fn: 'get_by_ids',
  title: 'RPC get_by_ids vs the table: 20 ids, GeoJSON',
  args: [{ name: 'ids', type: 'bigint[]' }],
  draw: (rng, totalRows) => ({ ids: drawIds(rng, RPC_IDS_BATCH, totalRows) }),
  baseRowsSql: `SELECT g.id, g.layer_id AS layer, g.created_at, g.updated_at, g.props, ST_AsGeoJSON(g.geom)::jsonb AS geojson
  FROM geometrias AS g
 WHERE g.id = ANY ($1::bigint[])
 ORDER BY g.id`,
  freshness: LIVE,
});
