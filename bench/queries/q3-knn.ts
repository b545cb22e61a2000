import type { QueryType } from './types.ts';
import { drawPoint } from './sampling.ts';

export const Q3_K = 10;

/**
 * The 10 geometries nearest to a point. `<->` between geometries is the planar distance in the
 * SRID's units (degrees for 4326) and is what the GiST index orders by (an index-ordered scan);
 * the returned distance is that same value, in degrees.
 */
export const q3Knn: QueryType = {
  name: 'Q3',
  title: 'kNN: the 10 geometries nearest to a point (GiST-ordered <->)',
  kind: 'read',
  sql: `SELECT id, geom <-> ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS distance
FROM geometrias
ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)
LIMIT ${Q3_K}`,
  params(rng) {
    const p = drawPoint(rng);
    return [p.lon, p.lat];
  },
};
