import { rpcQueryType } from './rpc-call.ts';
import { LAYER_DAY_VIEW } from './freshness.ts';
import { drawDaysWindow, drawLayer, isoFromSec } from './sampling.ts';

/**
 * layer_stats for one layer over a 90-day window: counts by dimension, first/last created_at and
 * the extent. The function sums whole UTC days from vw_geometrias_layer_day (stale-bounded) plus
 * the partial days from the table; the base query aggregates the table.
 */
export const rpcLayerStats = rpcQueryType({
  name: 'RPC_layer_stats',
  fn: 'layer_stats',
  title: 'RPC layer_stats vs the table: one layer over 90 days, counts and extent',
  args: [{ name: 'layer_id', type: 'integer' }, { name: 'from_ts', type: 'timestamp with time zone' }, { name: 'to_ts', type: 'timestamp with time zone' }],
  draw(rng) {
    const w = drawDaysWindow(rng, 90);
    return { layer_id: drawLayer(rng), from_ts: isoFromSec(w.startSec), to_ts: isoFromSec(w.endSec) };
  },
  baseRowsSql: `SELECT g.layer_id AS layer, count(*) AS n,
       count(*) FILTER (WHERE ST_Dimension(g.geom) = 0) AS n_point,
       count(*) FILTER (WHERE ST_Dimension(g.geom) = 1) AS n_line,
       count(*) FILTER (WHERE ST_Dimension(g.geom) = 2) AS n_polygon,
       min(g.created_at) AS first_created_at, max(g.created_at) AS last_created_at,
       ST_XMin(ST_Extent(g.geom)) AS min_lon, ST_YMin(ST_Extent(g.geom)) AS min_lat,
       ST_XMax(ST_Extent(g.geom)) AS max_lon, ST_YMax(ST_Extent(g.geom)) AS max_lat, NULL::jsonb AS tags
  FROM geometrias AS g
 WHERE g.layer_id = $1::int AND g.created_at >= $2::timestamptz AND g.created_at < $3::timestamptz
 GROUP BY g.layer_id`,
  freshness: LAYER_DAY_VIEW,
});
