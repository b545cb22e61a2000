import type { QueryType } from './types.ts';
import { drawInstantSec, drawLayer, drawPoint, drawPolygonWkt, drawTag, isoFromSec, pointWkt } from './sampling.ts';

/** Share of W1 writes that are points; the rest are small polygons (the dataset's kinds, lines aside). */
export const W1_POINT_SHARE = 0.7;
/** props.source of workload writes: the dataset uses 1..5, so written rows are recognizable. */
export const W1_SOURCE = 9;

/**
 * Inserts one new geometry. The id comes from the table's default, the sequence
 * geometrias_id_seq that starts at 10^12, outside the dataset's ids 1..N: `geobench dataset
 * verify` ignores such rows, so it still passes after a load test. created_at lies inside the
 * data's time range so a partitioned table (OPT1) routes the row to an existing month rather
 * than its DEFAULT partition. The geometry travels as WKT text in a parameter.
 * Parameters: $1 layer, $2 created_at (also updated_at), $3 props JSON, $4 WKT.
 */
export const w1Insert: QueryType = {
  name: 'W1',
  title: 'insert one geometry (point or small polygon) with an id from the sequence',
  kind: 'write',
  sql: `INSERT INTO geometrias (layer_id, created_at, updated_at, props, geom)
VALUES ($1::int, $2::timestamptz, $2::timestamptz, $3::jsonb, ST_GeomFromText($4::text, 4326))
RETURNING id`,
  params(rng) {
    const at = drawPoint(rng);
    const wkt = rng() < W1_POINT_SHARE ? pointWkt(at) : drawPolygonWkt(rng, at);
    const layer = drawLayer(rng);
    const created = isoFromSec(drawInstantSec(rng));
    const tag = drawTag(rng);
    const props = JSON.stringify({ name: `w1 ${at.place} ${tag}`, tag, source: W1_SOURCE });
    return [layer, created, props, wkt];
  },
};
