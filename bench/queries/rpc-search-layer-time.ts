import { RPC_DEFAULT_PAGE, rpcQueryType } from './rpc-call.ts';
import { SEARCH_VIEW } from './freshness.ts';
import { drawDaysWindow, drawLayer, isoFromSec } from './sampling.ts';

/**
 * search_layer_time: one layer's rows in a 30-day window, newest first, compact (name and tag,
 * geometry type, representative point). The function reads vw_geometrias_search (stale-bounded);
 * the base query computes the same columns from the table.
 */
export const rpcSearchLayerTime = rpcQueryType({
  name: 'RPC_search_layer_time',
  fn: 'search_layer_time',
  title: 'RPC search_layer_time vs the table: one layer, 30-day window, newest first, compact rows',
  args: [{ name: 'layer_id', type: 'integer' }, { name: 'from_ts', type: 'timestamp with time zone' }, { name: 'to_ts', type: 'timestamp with time zone' }],
  draw(rng) {
    const w = drawDaysWindow(rng, 30);
    return { layer_id: drawLayer(rng), from_ts: isoFromSec(w.startSec), to_ts: isoFromSec(w.endSec) };
  },
  baseRowsSql: `SELECT g.id, g.layer_id AS layer, g.created_at, g.updated_at,
       jsonb_build_object('name', g.props->>'name', 'tag', g.props->>'tag') AS props,
       GeometryType(g.geom) AS geometry_type, ST_X(ST_PointOnSurface(g.geom)) AS lon, ST_Y(ST_PointOnSurface(g.geom)) AS lat
  FROM geometrias AS g
 WHERE g.layer_id = $1::int AND g.created_at >= $2::timestamptz AND g.created_at < $3::timestamptz
 ORDER BY g.created_at DESC, g.id DESC LIMIT ${RPC_DEFAULT_PAGE}`,
  freshness: SEARCH_VIEW,
});
