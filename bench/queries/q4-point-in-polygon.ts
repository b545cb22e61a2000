import type { QueryType } from './types.ts';
import { drawPoint } from './sampling.ts';

/**
 * Which polygons contain a point. ST_Contains carries an implicit `geom && point` (PostGIS's
 * support function), so the planner uses the GiST index; only polygons can contain a point with
 * area, and points/lines are rejected by the exact test. With 10–500 m polygons most model-drawn
 * points fall in none: an empty answer is the common, realistic case (a "what is here?" click).
 */
export const q4PointInPolygon: QueryType = {
  name: 'Q4',
  title: 'point-in-polygon: the polygons containing a point',
  kind: 'read',
  sql: `SELECT id, layer_id
FROM geometrias
WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))`,
  params(rng) {
    const p = drawPoint(rng);
    return [p.lon, p.lat];
  },
};
