import type { QueryType } from './types.ts';
import { drawWindow, envelopeParams } from './sampling.ts';

/** Window side, metres: ~50 km, drawn uniformly in [40 km, 60 km). */
export const Q2_MIN_SIDE_M = 40_000;
export const Q2_MAX_SIDE_M = 60_000;

export const q2LargeWindowCount: QueryType = {
  name: 'Q2',
  title: 'large window (~50 km): count of the geometries intersecting it',
  kind: 'read',
  sql: `SELECT count(*) AS n
FROM geometrias
WHERE geom && ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)
  AND ST_Intersects(geom, ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326))`,
  params(rng) {
    return envelopeParams(drawWindow(rng, Q2_MIN_SIDE_M, Q2_MAX_SIDE_M));
  },
};
