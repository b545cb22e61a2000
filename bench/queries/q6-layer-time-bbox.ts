import type { QueryType } from './types.ts';
import { drawDaysWindow, drawLayer, drawWindow, envelopeParams, isoFromSec } from './sampling.ts';

export const Q6_DAYS = 90;
/** Window side, metres: ~10 km, drawn uniformly in [8 km, 12 km). */
export const Q6_MIN_SIDE_M = 8_000;
export const Q6_MAX_SIDE_M = 12_000;

/**
 * One layer's geometries created in a 90-day window inside a ~10 km box: the planner chooses
 * between the (layer_id, created_at) btree, the GiST on geom, or a BitmapAnd of both.
 * Parameters: $1 layer, $2 window start, $3..$6 the envelope.
 */
export const q6LayerTimeBbox: QueryType = {
  name: 'Q6',
  title: 'layer + 90-day window + ~10 km bbox: ids',
  kind: 'read',
  sql: `SELECT id
FROM geometrias
WHERE layer_id = $1::int
  AND created_at >= $2::timestamptz AND created_at < $2::timestamptz + interval '${Q6_DAYS} days'
  AND geom && ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326)
  AND ST_Intersects(geom, ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326))`,
  params(rng) {
    const layer = drawLayer(rng);
    const start = isoFromSec(drawDaysWindow(rng, Q6_DAYS).startSec);
    return [layer, start, ...envelopeParams(drawWindow(rng, Q6_MIN_SIDE_M, Q6_MAX_SIDE_M))];
  },
};
