import { rpcQueryType } from './rpc-call.ts';
import { LIVE } from './freshness.ts';
import { drawPoint } from './sampling.ts';

export const RPC_KNN_K = 10;

/**
 * search_knn: the 10 geodesically nearest to a drawn point. The base query is the exact method on
 * the table in one statement: the k nearest in degrees (Q3's GiST-ordered scan) give a radius r in
 * metres that holds at least k geometries; everything within r (degree box, then geodesic
 * distance) is ranked and the first k taken.
 */
export const rpcSearchKnn = rpcQueryType({
  name: 'RPC_search_knn',
  fn: 'search_knn',
  title: 'RPC search_knn vs the table: 10 geodesically nearest, GeoJSON',
  args: [{ name: 'lon', type: 'double precision' }, { name: 'lat', type: 'double precision' }, { name: 'k', type: 'integer' }],
  draw(rng) {
    const p = drawPoint(rng);
    return { lon: p.lon, lat: p.lat, k: RPC_KNN_K };
  },
  baseRowsSql: `WITH pt AS (SELECT ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS p),
     r AS (SELECT max(ST_Distance(c.geom::geography, (SELECT p FROM pt)::geography)) * (1 + 1e-9) + 1e-6 AS m
             FROM (SELECT g.geom FROM geometrias AS g ORDER BY g.geom <-> (SELECT p FROM pt) LIMIT $3::int) AS c)
SELECT c.id, c.layer_id AS layer, c.created_at, c.updated_at, c.props, c.distance_m, ST_AsGeoJSON(c.geom)::jsonb AS geojson
  FROM (SELECT g.id, g.layer_id, g.created_at, g.updated_at, g.props, g.geom,
               ST_Distance(g.geom::geography, (SELECT p FROM pt)::geography) AS distance_m
          FROM geometrias AS g, r
         WHERE g.geom && ST_Expand((SELECT p FROM pt), r.m / (111000.0 * cos(radians(least(abs($2::float8) + r.m / 110000.0, 89)))), r.m / 110000.0)
        OFFSET 0) AS c, r
 WHERE c.distance_m <= r.m
 ORDER BY c.distance_m, c.id LIMIT $3::int`,
  freshness: LIVE,
});
