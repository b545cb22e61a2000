import { RPC_DEFAULT_PAGE, rpcQueryType } from './rpc-call.ts';
import { LIVE } from './freshness.ts';
import { drawWindow, envelopeParams } from './sampling.ts';

/** search_bbox over a 1–5 km viewport (Q1's windows): rows intersecting the box, ordered by id. */
export const rpcSearchBbox = rpcQueryType({
  name: 'RPC_search_bbox',
  fn: 'search_bbox',
  title: 'RPC search_bbox vs the table: a 1–5 km viewport, first page by id, GeoJSON',
  args: [{ name: 'min_lon', type: 'double precision' }, { name: 'min_lat', type: 'double precision' }, { name: 'max_lon', type: 'double precision' }, { name: 'max_lat', type: 'double precision' }],
  draw(rng) {
    const [min_lon, min_lat, max_lon, max_lat] = envelopeParams(drawWindow(rng, 1000, 5000));
    return { min_lon, min_lat, max_lon, max_lat };
  },
  baseRowsSql: `SELECT g.id, g.layer_id AS layer, g.created_at, g.updated_at, g.props, ST_AsGeoJSON(g.geom)::jsonb AS geojson
  FROM geometrias AS g
 WHERE g.geom && ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)
   AND ST_Intersects(g.geom, ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326))
 ORDER BY g.id LIMIT ${RPC_DEFAULT_PAGE}`,
  freshness: LIVE,
});
