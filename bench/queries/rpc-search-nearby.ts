import { RPC_DEFAULT_PAGE, rpcQueryType } from './rpc-call.ts';
import { LIVE } from './freshness.ts';
import { drawPoint } from './sampling.ts';

export const RPC_NEARBY_RADIUS_M = 1500;

/**
 * search_nearby within 1.5 km of a drawn point, nearest first. The base query filters with the
 * GiST on a degree box that holds the circle (as the function does) and then on the geodesic
 * distance, computed once per candidate.
 */
export const rpcSearchNearby = rpcQueryType({
  name: 'RPC_search_nearby',
  fn: 'search_nearby',
  title: 'RPC search_nearby vs the table: within 1.5 km, nearest first, GeoJSON',
  args: [{ name: 'lon', type: 'double precision' }, { name: 'lat', type: 'double precision' }, { name: 'radius_m', type: 'double precision' }],
  draw(rng) {
    const p = drawPoint(rng);
    return { lon: p.lon, lat: p.lat, radius_m: RPC_NEARBY_RADIUS_M };
  },
  baseRowsSql: `SELECT c.id, c.layer_id AS layer, c.created_at, c.updated_at, c.props, c.distance_m, ST_AsGeoJSON(c.geom)::jsonb AS geojson
  FROM (SELECT g.id, g.layer_id, g.created_at, g.updated_at, g.props, g.geom,
               ST_Distance(g.geom::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography) AS distance_m
          FROM geometrias AS g
         WHERE g.geom && ST_Expand(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326),
                                   $3::float8 / (111000.0 * cos(radians(abs($2::float8) + $3::float8 / 110000.0))), $3::float8 / 110000.0)
        OFFSET 0) AS c
 WHERE c.distance_m <= $3::float8
 ORDER BY c.distance_m, c.id LIMIT ${RPC_DEFAULT_PAGE}`,
  freshness: LIVE,
});
