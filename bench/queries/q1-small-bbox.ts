import type { QueryType } from './types.ts';
import { LIVE } from './freshness.ts';
import { drawWindow, envelopeParams } from './sampling.ts';

/** Window side, metres: drawn uniformly in [1 km, 5 km). */
export const Q1_MIN_SIDE_M = 1_000;
export const Q1_MAX_SIDE_M = 5_000;
/**
 * A viewport never shows more than this many features: a 5 km window in downtown São Paulo holds
 * thousands of rows at full scale, and a map client would page or cluster rather than fetch them
 * all. The LIMIT keeps Q1 a viewport-sized answer (no ORDER BY: any 1000 will do, as a tile would).
 */
export const Q1_LIMIT = 1000;

export const q1SmallBbox: QueryType = {
  name: 'Q1',
  title: 'small bbox window (1–5 km): ids and layers of the geometries in a map viewport',
  kind: 'read',
  sql: `SELECT id, layer_id
FROM geometrias
WHERE geom && ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)
  AND ST_Intersects(geom, ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326))
LIMIT ${Q1_LIMIT}`,
  params(rng) {
    return envelopeParams(drawWindow(rng, Q1_MIN_SIDE_M, Q1_MAX_SIDE_M));
  },
  routes: {
    // The map client asking the API instead: same window, same page size. Not exact when the window
    // holds more than 1000 rows: the function returns the 1000 lowest ids (it orders by id), and it
    // builds GeoJSON for every row it returns — the cost of the API's answer, measured as such.
    rpc: {
      title: 'OPT3 RPC search_bbox (ordered by id, GeoJSON built per row)',
      requires: 'OPT3',
      exact: false,
      freshness: LIVE,
      sql: `SELECT id, layer AS layer_id
FROM search_bbox(min_lon => $1::float8, min_lat => $2::float8, max_lon => $3::float8, max_lat => $4::float8, max_rows => ${Q1_LIMIT})`,
    },
  },
};
