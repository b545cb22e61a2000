-- OPT3 — indexed materialized views + RPC search functions (roadmap: "5 views indexadas",
-- "6 novos RPCs").
-- Five materialized views over geometrias, each answering a query shape of the workload from a
-- precomputed, much smaller relation, every one with a UNIQUE index so that OPT5 can keep it fresh
-- with REFRESH MATERIALIZED VIEW CONCURRENTLY (readers are never blocked); 12 indexes in total.
-- (On the two tiny views, 50 and 1,000 rows, the planner reads the whole view anyway: their
-- indexes are there for the concurrent refresh and for lookups once the views grow.)
-- Six search functions in a dedicated schema `<data schema>_api` (e.g. geobench_opt3 ->
-- geobench_opt3_api), the surface an HTTP RPC server calls with named arguments:
-- validated parameters (SQLSTATE 22023 invalid_parameter_value on bad input), capped result sizes,
-- JSON-friendly result columns (GeoJSON as jsonb).
--
-- Relies only on geometrias having id, layer_id, created_at, updated_at, props (jsonb: name, tag,
-- source) and geom (geometry, SRID 4326) — whatever OPT1/OPT2 do to its storage (a materialized
-- view over a partitioned table is fine). No schema name is written here: the data schema is
-- current_schema() (the runner's search_path = <variant schema>, public), so every variant schema
-- gets its own views and its own <schema>_api.
--
-- Freshness: a materialized view is a snapshot as of its last refresh (the migration itself, then
-- OPT5's schedule). Functions where freshness matters (bbox, radius, kNN, fetch by id) read the base
-- table; the per-layer statistics and the compact layer/time listing read the views.
-- Runs in one transaction with search_path = <variant schema>, public; VACUUM (ANALYZE) of the views
-- after the commit.

DO $$
BEGIN
    IF current_schema() IS NULL OR current_schema() = 'public' OR to_regclass(format('%I.geometrias', current_schema())) IS NULL THEN
        RAISE EXCEPTION 'OPT3 must run with search_path = <data schema>, public and geometrias in that schema (current_schema() = %)', current_schema();
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- 1. Per-layer totals (one row per layer: 50). Serves per-layer statistics (RPC layer_stats without a time
--    window: counts by geometry kind, first/last creation, extent) and a map legend's "which
--    layers are in this viewport" (GiST on the extent) — a full scan of geometrias otherwise.
--    The extent is what ST_Extent reports (PostGIS's cached float4 boxes, rounded outward).
CREATE MATERIALIZED VIEW vw_geometrias_by_layer AS
SELECT layer_id,
       count(*)                                          AS n,
       count(*) FILTER (WHERE ST_Dimension(geom) = 0)    AS n_point,
       count(*) FILTER (WHERE ST_Dimension(geom) = 1)    AS n_line,
       count(*) FILTER (WHERE ST_Dimension(geom) = 2)    AS n_polygon,
       min(created_at)                                   AS first_created_at,
       max(created_at)                                   AS last_created_at,
       max(updated_at)                                   AS last_updated_at,
       ST_XMin(ST_Extent(geom))                          AS min_lon,
       ST_YMin(ST_Extent(geom))                          AS min_lat,
       ST_XMax(ST_Extent(geom))                          AS max_lon,
       ST_YMax(ST_Extent(geom))                          AS max_lat,
       ST_SetSRID(ST_Extent(geom)::geometry, 4326)       AS extent
  FROM geometrias
 GROUP BY layer_id
WITH DATA;

CREATE UNIQUE INDEX vw_geometrias_by_layer_layer_uidx ON vw_geometrias_by_layer (layer_id);
CREATE INDEX vw_geometrias_by_layer_extent_gist ON vw_geometrias_by_layer USING gist (extent);

-- ---------------------------------------------------------------------------------------------
-- 2. Per layer x UTC day (<= 50 x 1096 rows for the 36-month dataset). Serves Q5 (count by layer
--    over a 30-day window: 30 days x 50 layers instead of ~1/36 of the table) and Q7 (per-layer
--    per-month counts: sum the days of each month), and RPC layer_stats with a time window, which is
--    exact for any window: whole UTC days from here, the partial first and last day from geometrias.
--    Days rather than months: a month grain cannot answer Q5's 30-day windows.
CREATE MATERIALIZED VIEW vw_geometrias_layer_day AS
SELECT layer_id,
       (created_at AT TIME ZONE 'UTC')::date             AS day,
       count(*)                                          AS n,
       count(*) FILTER (WHERE ST_Dimension(geom) = 0)    AS n_point,
       count(*) FILTER (WHERE ST_Dimension(geom) = 1)    AS n_line,
       count(*) FILTER (WHERE ST_Dimension(geom) = 2)    AS n_polygon,
       min(created_at)                                   AS first_created_at,
       max(created_at)                                   AS last_created_at,
       ST_XMin(ST_Extent(geom))                          AS min_lon,
       ST_YMin(ST_Extent(geom))                          AS min_lat,
       ST_XMax(ST_Extent(geom))                          AS max_lon,
       ST_YMax(ST_Extent(geom))                          AS max_lat
  FROM geometrias
 GROUP BY 1, 2
WITH DATA;

-- One layer over a window (layer_stats with layer_id; Q6-like per-layer timelines).
CREATE UNIQUE INDEX vw_geometrias_layer_day_uidx ON vw_geometrias_layer_day (layer_id, day);
-- All layers over a window (Q5, Q7, layer_stats without layer_id): index-only on (day) + counts.
CREATE INDEX vw_geometrias_layer_day_day_idx ON vw_geometrias_layer_day (day) INCLUDE (layer_id, n);

-- ---------------------------------------------------------------------------------------------
-- 3. Per 0.1-degree tile (~11 km), all layers, by each geometry's ST_PointOnSurface (400 x 390 =
--    156k tiles over the data's extent; 124k non-empty at scale 0.1, where the view is 10x smaller
--    than the table, at most ~156k at full scale, ~80x smaller). Serves Q2-style
--    large-window counts and heat maps: a ~50 km window covers ~25-36 tiles instead of tens of
--    thousands of rows. Tile-grained, so a count over an arbitrary window is an approximation
--    (tiles cut by the window's edge count whole); exact counts stay with geometrias (Q2).
--    Not per layer: a layer x tile grain had 267k rows at scale 0.1 (the rural 20% of the data
--    is spread so thinly that nearly every rural row is its own layer x tile group).
CREATE MATERIALIZED VIEW vw_geometrias_tile AS
SELECT tile_x, tile_y,
       count(*)                                          AS n,
       count(*) FILTER (WHERE dim = 0)                   AS n_point,
       count(*) FILTER (WHERE dim = 1)                   AS n_line,
       count(*) FILTER (WHERE dim = 2)                   AS n_polygon,
       ST_MakeEnvelope(tile_x / 10.0, tile_y / 10.0, (tile_x + 1) / 10.0, (tile_y + 1) / 10.0, 4326) AS tile
  FROM (SELECT floor(ST_X(p) * 10)::int AS tile_x,
               floor(ST_Y(p) * 10)::int AS tile_y,
               dim
          FROM (SELECT ST_PointOnSurface(geom) AS p, ST_Dimension(geom) AS dim FROM geometrias) AS s) AS t
 GROUP BY tile_x, tile_y
WITH DATA;

-- A tile server's lookups by tile coordinates (x/y ranges).
CREATE UNIQUE INDEX vw_geometrias_tile_uidx ON vw_geometrias_tile (tile_x, tile_y);
-- Tiles in a viewport (tile && window), the Q2 shape.
CREATE INDEX vw_geometrias_tile_gist ON vw_geometrias_tile USING gist (tile);

-- ---------------------------------------------------------------------------------------------
-- 4. Per layer x tag (<= 50 x 20 rows). Serves tag facets of a search UI ("how many in layer L
--    carry tag T") and the `tags` column of RPC layer_stats: on geometrias this is a full scan
--    grouping by props->>'tag', which has no index.
CREATE MATERIALIZED VIEW vw_geometrias_layer_tag AS
SELECT layer_id,
       props->>'tag'   AS tag,
       count(*)        AS n,
       min(created_at) AS first_created_at,
       max(created_at) AS last_created_at
  FROM geometrias
 GROUP BY 1, 2
WITH DATA;

-- Facets of one layer. (tag is NULL for untagged rows — none in the dataset: one such group per
-- layer; a concurrent refresh cannot match NULL keys, so it rewrites those rows each time.)
CREATE UNIQUE INDEX vw_geometrias_layer_tag_uidx ON vw_geometrias_layer_tag (layer_id, tag);
-- Which layers carry tag T (index-only).
CREATE INDEX vw_geometrias_layer_tag_tag_idx ON vw_geometrias_layer_tag (tag) INCLUDE (layer_id, n);

-- ---------------------------------------------------------------------------------------------
-- 5. Compact search rows: one per geometry, without the geometry and props (name and tag pulled
--    out of props, the representative point ST_PointOnSurface instead of the shape). Serves RPC
--    search_layer_time — a layer + time window listing, newest first, optionally by tag and by a
--    bbox on the point: the Q6 shape (layer + window + box). geometrias cannot filter the tag by
--    index, and it returns whole rows where a result list needs a name and a pin.
--    id is unique in the data (baseline primary key; OPT1's key is (id, created_at) but ids come
--    from the dataset and from geometrias_id_seq): the unique index also checks it at each refresh.
CREATE MATERIALIZED VIEW vw_geometrias_search AS
SELECT id,
       layer_id,
       created_at,
       updated_at,
       props->>'name'          AS name,
       props->>'tag'           AS tag,
       GeometryType(geom)      AS geometry_type,
       ST_PointOnSurface(geom) AS pt
  FROM geometrias
WITH DATA;

CREATE UNIQUE INDEX vw_geometrias_search_id_uidx ON vw_geometrias_search (id);
-- Layer + window, newest first (backward scan; id breaks ties).
CREATE INDEX vw_geometrias_search_layer_created_idx ON vw_geometrias_search (layer_id, created_at, id);
-- Layer + tag + window, newest first.
CREATE INDEX vw_geometrias_search_layer_tag_created_idx ON vw_geometrias_search (layer_id, tag, created_at, id);
-- Layer + window + bbox on the representative point (Q6 shape).
CREATE INDEX vw_geometrias_search_pt_gist ON vw_geometrias_search USING gist (pt);

-- ---------------------------------------------------------------------------------------------
-- The API schema, <data schema>_api. A leftover from an earlier OPT3 on a data schema that was
-- since dropped and regenerated (`dataset generate` drops the data schema, not this one) is
-- removed, but only if it holds nothing except these six functions; anything else stops the
-- migration.
DO $$
DECLARE
    api      text := current_schema() || '_api';
    api_oid  oid  := to_regnamespace(api);
    foreign_objects text;
BEGIN
    IF api_oid IS NOT NULL THEN
        SELECT string_agg(pg_describe_object(d.classid, d.objid, d.objsubid), ', ')
          INTO foreign_objects
          FROM pg_depend d
         WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = api_oid
           AND NOT (d.classid = 'pg_proc'::regclass
                    AND (SELECT p.proname FROM pg_proc p WHERE p.oid = d.objid)
                        IN ('search_bbox', 'search_nearby', 'search_knn', 'search_layer_time', 'layer_stats', 'get_by_ids'));
        IF foreign_objects IS NOT NULL THEN
            RAISE EXCEPTION 'schema % already exists and holds objects OPT3 does not create: %', api, foreign_objects
                USING HINT = 'move or drop them, then apply OPT3 again';
        END IF;
        RAISE NOTICE 'dropping % left over from an earlier OPT3 on a regenerated %', api, current_schema();
        EXECUTE format('DROP SCHEMA %I CASCADE', api);
    END IF;
    EXECUTE format('CREATE SCHEMA %I', api);
    EXECUTE format('COMMENT ON SCHEMA %I IS %L', api,
        'OPT3 RPC search functions over ' || current_schema() || '.geometrias and its materialized views');
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The six functions. They are created here in the data schema (so their text needs no schema
-- name), documented, then moved to <data schema>_api and given
--   SET search_path = <data schema>, public   (unqualified names resolve to this variant's data)
--   SET plan_cache_mode = force_custom_plan   (each call is planned with its actual arguments: the
--       optional filters fold away, and bbox / window selectivity is estimated from the values —
--       a generic plan would guess, and the windows' sizes vary by orders of magnitude)
-- by the DO block at the end. All are STABLE, SECURITY INVOKER (the caller's own privileges on
-- the data), PL/pgSQL (validation raises SQLSTATE 22023 invalid_parameter_value), take named
-- parameters and return JSON-friendly columns; a result size above 1000 is capped at 1000.
-- `#variable_conflict use_column`: an unqualified name in a query is the column; parameters are
-- written function.parameter.

CREATE FUNCTION search_bbox(
    min_lon  double precision,
    min_lat  double precision,
    max_lon  double precision,
    max_lat  double precision,
    layer_id integer DEFAULT NULL,
    max_rows integer DEFAULT 100
) RETURNS TABLE (id bigint, layer integer, created_at timestamptz, updated_at timestamptz, props jsonb, geojson jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER ROWS 100
AS $fn$
#variable_conflict use_column
DECLARE
    lim integer;
    box geometry;
BEGIN
    IF search_bbox.min_lon IS NULL OR search_bbox.min_lat IS NULL OR search_bbox.max_lon IS NULL OR search_bbox.max_lat IS NULL THEN
        RAISE EXCEPTION 'search_bbox: min_lon, min_lat, max_lon and max_lat are required' USING ERRCODE = '22023';
    END IF;
    IF search_bbox.min_lon = 'NaN' OR search_bbox.min_lat = 'NaN' OR search_bbox.max_lon = 'NaN' OR search_bbox.max_lat = 'NaN' THEN
        RAISE EXCEPTION 'search_bbox: the bbox coordinates must be numbers, got NaN' USING ERRCODE = '22023';
    END IF;
    IF search_bbox.min_lon < -180 OR search_bbox.max_lon > 180 OR search_bbox.min_lat < -90 OR search_bbox.max_lat > 90 THEN
        RAISE EXCEPTION 'search_bbox: bbox (%, %, %, %) is outside longitude -180..180 / latitude -90..90',
            search_bbox.min_lon, search_bbox.min_lat, search_bbox.max_lon, search_bbox.max_lat USING ERRCODE = '22023';
    END IF;
    IF search_bbox.min_lon > search_bbox.max_lon OR search_bbox.min_lat > search_bbox.max_lat THEN
        RAISE EXCEPTION 'search_bbox: invalid bbox: min_lon (%) must be <= max_lon (%) and min_lat (%) <= max_lat (%)',
            search_bbox.min_lon, search_bbox.max_lon, search_bbox.min_lat, search_bbox.max_lat USING ERRCODE = '22023',
            HINT = 'a box crossing the antimeridian must be split in two';
    END IF;
    IF search_bbox.max_rows IS NOT NULL AND search_bbox.max_rows < 1 THEN
        RAISE EXCEPTION 'search_bbox: max_rows must be >= 1, got %', search_bbox.max_rows USING ERRCODE = '22023';
    END IF;
    lim := least(coalesce(search_bbox.max_rows, 100), 1000);
    box := ST_MakeEnvelope(search_bbox.min_lon, search_bbox.min_lat, search_bbox.max_lon, search_bbox.max_lat, 4326);
    RETURN QUERY
        SELECT g.id, g.layer_id, g.created_at, g.updated_at, g.props, ST_AsGeoJSON(g.geom)::jsonb
          FROM geometrias AS g
         WHERE g.geom && box
           AND ST_Intersects(g.geom, box)
           AND (search_bbox.layer_id IS NULL OR g.layer_id = search_bbox.layer_id)
         ORDER BY g.id
         LIMIT lim;
END
$fn$;

COMMENT ON FUNCTION search_bbox(double precision, double precision, double precision, double precision, integer, integer) IS
'Geometries intersecting the box (min_lon, min_lat, max_lon, max_lat; degrees, SRID 4326), optionally of one layer_id, ordered by id, at most max_rows (default 100, capped at 1000). Reads geometrias (fresh; GiST on geom) — the Q1 map-viewport query. Returns id, layer, created_at, updated_at, props, geojson (the full geometry). Rejects with SQLSTATE 22023: a missing or NaN coordinate, coordinates outside -180..180 / -90..90, min > max (split antimeridian boxes), max_rows < 1.';

CREATE FUNCTION search_nearby(
    lon      double precision,
    lat      double precision,
    radius_m double precision,
    layer_id integer DEFAULT NULL,
    max_rows integer DEFAULT 100
) RETURNS TABLE (id bigint, layer integer, created_at timestamptz, updated_at timestamptz, props jsonb, distance_m double precision, geojson jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER ROWS 100
AS $fn$
#variable_conflict use_column
DECLARE
    lim    integer;
    pt     geometry;
    dlat   double precision;
    dlon   double precision;
    maxlat double precision;
    box    geometry;
BEGIN
    IF search_nearby.lon IS NULL OR search_nearby.lat IS NULL OR search_nearby.radius_m IS NULL THEN
        RAISE EXCEPTION 'search_nearby: lon, lat and radius_m are required' USING ERRCODE = '22023';
    END IF;
    IF search_nearby.lon = 'NaN' OR search_nearby.lat = 'NaN' OR search_nearby.lon < -180 OR search_nearby.lon > 180
       OR search_nearby.lat < -90 OR search_nearby.lat > 90 THEN
        RAISE EXCEPTION 'search_nearby: point (%, %) is not a longitude in -180..180 and a latitude in -90..90',
            search_nearby.lon, search_nearby.lat USING ERRCODE = '22023';
    END IF;
    IF search_nearby.radius_m = 'NaN' OR search_nearby.radius_m < 0 OR search_nearby.radius_m > 50000 THEN
        RAISE EXCEPTION 'search_nearby: radius_m must be between 0 and 50000 metres, got %', search_nearby.radius_m
            USING ERRCODE = '22023';
    END IF;
    IF search_nearby.max_rows IS NOT NULL AND search_nearby.max_rows < 1 THEN
        RAISE EXCEPTION 'search_nearby: max_rows must be >= 1, got %', search_nearby.max_rows USING ERRCODE = '22023';
    END IF;
    lim := least(coalesce(search_nearby.max_rows, 100), 1000);
    pt := ST_SetSRID(ST_MakePoint(search_nearby.lon, search_nearby.lat), 4326);
    -- A box in degrees that surely holds every point within radius_m (so the GiST index prefilters;
    -- the exact geodesic test follows): a degree of latitude is >= 110.5 km, a degree of longitude
    -- >= 111.3 km x cos(latitude) at every latitude the circle reaches. Near a pole or across the
    -- antimeridian the box spans all longitudes.
    dlat := search_nearby.radius_m / 110000.0;
    maxlat := least(abs(search_nearby.lat) + dlat, 90);
    dlon := CASE WHEN maxlat >= 89 THEN 360 ELSE search_nearby.radius_m / (111000.0 * cos(radians(maxlat))) END;
    IF search_nearby.lon - dlon < -180 OR search_nearby.lon + dlon > 180 THEN
        box := ST_MakeEnvelope(-180, greatest(search_nearby.lat - dlat, -90), 180, least(search_nearby.lat + dlat, 90), 4326);
    ELSE
        box := ST_MakeEnvelope(search_nearby.lon - dlon, greatest(search_nearby.lat - dlat, -90),
                               search_nearby.lon + dlon, least(search_nearby.lat + dlat, 90), 4326);
    END IF;
    -- The geodesic distance is computed once per candidate (OFFSET 0 keeps the planner from
    -- inlining the subquery, which would evaluate it in the filter and again in the output): on the
    -- spheroid it costs ~0.1 ms per polygon or line, the bulk of this function's time.
    RETURN QUERY
        SELECT c.id, c.layer_id, c.created_at, c.updated_at, c.props, c.distance_m, ST_AsGeoJSON(c.geom)::jsonb
          FROM (SELECT g.id, g.layer_id, g.created_at, g.updated_at, g.props, g.geom,
                       ST_Distance(g.geom::geography, pt::geography) AS distance_m
                  FROM geometrias AS g
                 WHERE g.geom && box
                   AND (search_nearby.layer_id IS NULL OR g.layer_id = search_nearby.layer_id)
                OFFSET 0) AS c
         WHERE c.distance_m <= search_nearby.radius_m
         ORDER BY c.distance_m, c.id
         LIMIT lim;
END
$fn$;

COMMENT ON FUNCTION search_nearby(double precision, double precision, double precision, integer, integer) IS
'Geometries within radius_m metres (geodesic, WGS84 spheroid) of the point (lon, lat), optionally of one layer_id, nearest first (ties by id), at most max_rows (default 100, capped at 1000). Reads geometrias (fresh; GiST prefilter on a box that surely holds the circle, then ST_Distance on geography <= radius_m). Returns id, layer, created_at, updated_at, props, distance_m, geojson. Rejects with SQLSTATE 22023: a missing or NaN value, a point outside -180..180 / -90..90, radius_m < 0 or > 50000, max_rows < 1.';

CREATE FUNCTION search_knn(
    lon      double precision,
    lat      double precision,
    k        integer DEFAULT 10,
    layer_id integer DEFAULT NULL
) RETURNS TABLE (id bigint, layer integer, created_at timestamptz, updated_at timestamptz, props jsonb, distance_m double precision, geojson jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER ROWS 10
AS $fn$
#variable_conflict use_column
DECLARE
    lim    integer;
    pt     geometry;
    r      double precision;
    dlat   double precision;
    dlon   double precision;
    maxlat double precision;
    box    geometry;
BEGIN
    IF search_knn.lon IS NULL OR search_knn.lat IS NULL THEN
        RAISE EXCEPTION 'search_knn: lon and lat are required' USING ERRCODE = '22023';
    END IF;
    IF search_knn.lon = 'NaN' OR search_knn.lat = 'NaN' OR search_knn.lon < -180 OR search_knn.lon > 180
       OR search_knn.lat < -90 OR search_knn.lat > 90 THEN
        RAISE EXCEPTION 'search_knn: point (%, %) is not a longitude in -180..180 and a latitude in -90..90',
            search_knn.lon, search_knn.lat USING ERRCODE = '22023';
    END IF;
    IF search_knn.k IS NOT NULL AND search_knn.k < 1 THEN
        RAISE EXCEPTION 'search_knn: k must be >= 1, got %', search_knn.k USING ERRCODE = '22023';
    END IF;
    lim := least(coalesce(search_knn.k, 10), 1000);
    pt := ST_SetSRID(ST_MakePoint(search_knn.lon, search_knn.lat), 4326);
    -- Exact geodesic k nearest in two index scans. 1) The k nearest in degrees (GiST-ordered <->,
    -- the Q3 query); the farthest of them, in metres, is r. 2) At least k geometries lie within r,
    -- so the true k nearest in metres do too: rank everything within r by geodesic distance.
    SELECT max(ST_Distance(c.geom::geography, pt::geography)) INTO r
      FROM (SELECT g.geom
              FROM geometrias AS g
             WHERE search_knn.layer_id IS NULL OR g.layer_id = search_knn.layer_id
             ORDER BY g.geom <-> pt
             LIMIT lim) AS c;
    IF r IS NULL THEN
        RETURN;
    END IF;
    r := r * (1 + 1e-9) + 1e-6;
    -- Same degree box as search_nearby.
    dlat := r / 110000.0;
    maxlat := least(abs(search_knn.lat) + dlat, 90);
    dlon := CASE WHEN maxlat >= 89 THEN 360 ELSE r / (111000.0 * cos(radians(maxlat))) END;
    IF search_knn.lon - dlon < -180 OR search_knn.lon + dlon > 180 THEN
        box := ST_MakeEnvelope(-180, greatest(search_knn.lat - dlat, -90), 180, least(search_knn.lat + dlat, 90), 4326);
    ELSE
        box := ST_MakeEnvelope(search_knn.lon - dlon, greatest(search_knn.lat - dlat, -90),
                               search_knn.lon + dlon, least(search_knn.lat + dlat, 90), 4326);
    END IF;
    RETURN QUERY
        SELECT c.id, c.layer_id, c.created_at, c.updated_at, c.props, c.distance_m, ST_AsGeoJSON(c.geom)::jsonb
          FROM (SELECT g.id, g.layer_id, g.created_at, g.updated_at, g.props, g.geom,
                       ST_Distance(g.geom::geography, pt::geography) AS distance_m
                  FROM geometrias AS g
                 WHERE g.geom && box
                   AND (search_knn.layer_id IS NULL OR g.layer_id = search_knn.layer_id)
                OFFSET 0) AS c
         WHERE c.distance_m <= r
         ORDER BY c.distance_m, c.id
         LIMIT lim;
END
$fn$;

COMMENT ON FUNCTION search_knn(double precision, double precision, integer, integer) IS
'The k geometries nearest to the point (lon, lat) by geodesic distance in metres (WGS84 spheroid; ties by id), optionally of one layer_id; k defaults to 10 and is capped at 1000. Reads geometrias (fresh): a GiST-ordered kNN in degrees (the Q3 query) bounds the search radius, then an exact geodesic ranking within it. Returns id, layer, created_at, updated_at, props, distance_m, geojson. Rejects with SQLSTATE 22023: a missing or NaN coordinate, a point outside -180..180 / -90..90, k < 1.';

CREATE FUNCTION search_layer_time(
    layer_id integer,
    from_ts  timestamptz DEFAULT NULL,
    to_ts    timestamptz DEFAULT NULL,
    tag      text DEFAULT NULL,
    min_lon  double precision DEFAULT NULL,
    min_lat  double precision DEFAULT NULL,
    max_lon  double precision DEFAULT NULL,
    max_lat  double precision DEFAULT NULL,
    max_rows integer DEFAULT 100
) RETURNS TABLE (id bigint, layer integer, created_at timestamptz, updated_at timestamptz, props jsonb, geometry_type text, lon double precision, lat double precision)
LANGUAGE plpgsql STABLE SECURITY INVOKER ROWS 100
AS $fn$
#variable_conflict use_column
DECLARE
    lim  integer;
    box  geometry;
    nbox integer := num_nulls(search_layer_time.min_lon, search_layer_time.min_lat, search_layer_time.max_lon, search_layer_time.max_lat);
BEGIN
    IF search_layer_time.layer_id IS NULL THEN
        RAISE EXCEPTION 'search_layer_time: layer_id is required' USING ERRCODE = '22023';
    END IF;
    IF search_layer_time.from_ts > search_layer_time.to_ts THEN
        RAISE EXCEPTION 'search_layer_time: invalid time window: from_ts (%) is after to_ts (%)',
            search_layer_time.from_ts, search_layer_time.to_ts USING ERRCODE = '22023';
    END IF;
    IF nbox NOT IN (0, 4) THEN
        RAISE EXCEPTION 'search_layer_time: give all of min_lon, min_lat, max_lon, max_lat or none of them' USING ERRCODE = '22023';
    END IF;
    IF nbox = 0 THEN
        IF search_layer_time.min_lon = 'NaN' OR search_layer_time.min_lat = 'NaN' OR search_layer_time.max_lon = 'NaN' OR search_layer_time.max_lat = 'NaN' THEN
            RAISE EXCEPTION 'search_layer_time: the bbox coordinates must be numbers, got NaN' USING ERRCODE = '22023';
        END IF;
        IF search_layer_time.min_lon < -180 OR search_layer_time.max_lon > 180 OR search_layer_time.min_lat < -90 OR search_layer_time.max_lat > 90 THEN
            RAISE EXCEPTION 'search_layer_time: bbox (%, %, %, %) is outside longitude -180..180 / latitude -90..90',
                search_layer_time.min_lon, search_layer_time.min_lat, search_layer_time.max_lon, search_layer_time.max_lat USING ERRCODE = '22023';
        END IF;
        IF search_layer_time.min_lon > search_layer_time.max_lon OR search_layer_time.min_lat > search_layer_time.max_lat THEN
            RAISE EXCEPTION 'search_layer_time: invalid bbox: min_lon (%) must be <= max_lon (%) and min_lat (%) <= max_lat (%)',
                search_layer_time.min_lon, search_layer_time.max_lon, search_layer_time.min_lat, search_layer_time.max_lat USING ERRCODE = '22023',
                HINT = 'a box crossing the antimeridian must be split in two';
        END IF;
        box := ST_MakeEnvelope(search_layer_time.min_lon, search_layer_time.min_lat, search_layer_time.max_lon, search_layer_time.max_lat, 4326);
    END IF;
    IF search_layer_time.max_rows IS NOT NULL AND search_layer_time.max_rows < 1 THEN
        RAISE EXCEPTION 'search_layer_time: max_rows must be >= 1, got %', search_layer_time.max_rows USING ERRCODE = '22023';
    END IF;
    lim := least(coalesce(search_layer_time.max_rows, 100), 1000);
    RETURN QUERY
        SELECT s.id, s.layer_id, s.created_at, s.updated_at, jsonb_build_object('name', s.name, 'tag', s.tag),
               s.geometry_type, ST_X(s.pt), ST_Y(s.pt)
          FROM vw_geometrias_search AS s
         WHERE s.layer_id = search_layer_time.layer_id
           AND (search_layer_time.from_ts IS NULL OR s.created_at >= search_layer_time.from_ts)
           AND (search_layer_time.to_ts IS NULL OR s.created_at < search_layer_time.to_ts)
           AND (search_layer_time.tag IS NULL OR s.tag = search_layer_time.tag)
           AND (box IS NULL OR s.pt && box)
         ORDER BY s.created_at DESC, s.id DESC
         LIMIT lim;
END
$fn$;

COMMENT ON FUNCTION search_layer_time(integer, timestamptz, timestamptz, text, double precision, double precision, double precision, double precision, integer) IS
'Compact listing of one layer_id''s geometries created in [from_ts, to_ts) (either bound may be null = open), newest first (ties by id desc), optionally with props tag = tag and with the representative point inside the box (min_lon, min_lat, max_lon, max_lat: all four or none), at most max_rows (default 100, capped at 1000). Reads the materialized view vw_geometrias_search (as of its last refresh). Returns id, layer, created_at, updated_at, props ({name, tag} only), geometry_type, lon, lat (ST_PointOnSurface of the geometry; the shape itself via get_by_ids). Rejects with SQLSTATE 22023: a missing layer_id, from_ts after to_ts, a partial / NaN / out-of-range / inverted bbox, max_rows < 1.';

CREATE FUNCTION layer_stats(
    layer_id integer DEFAULT NULL,
    from_ts  timestamptz DEFAULT NULL,
    to_ts    timestamptz DEFAULT NULL
) RETURNS TABLE (layer integer, n bigint, n_point bigint, n_line bigint, n_polygon bigint,
                 first_created_at timestamptz, last_created_at timestamptz,
                 min_lon double precision, min_lat double precision, max_lon double precision, max_lat double precision,
                 tags jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER ROWS 50
AS $fn$
#variable_conflict use_column
DECLARE
    lo       timestamptz := coalesce(layer_stats.from_ts, '-infinity');
    hi       timestamptz := coalesce(layer_stats.to_ts, 'infinity');
    day_lo   timestamptz;
    day_hi   timestamptz;
BEGIN
    IF layer_stats.from_ts > layer_stats.to_ts THEN
        RAISE EXCEPTION 'layer_stats: invalid time window: from_ts (%) is after to_ts (%)',
            layer_stats.from_ts, layer_stats.to_ts USING ERRCODE = '22023';
    END IF;
    IF layer_stats.from_ts IS NULL AND layer_stats.to_ts IS NULL THEN
        -- All time: the per-layer view and its tag facets.
        RETURN QUERY
            SELECT b.layer_id, b.n, b.n_point, b.n_line, b.n_polygon, b.first_created_at, b.last_created_at,
                   b.min_lon, b.min_lat, b.max_lon, b.max_lat, t.tags
              FROM vw_geometrias_by_layer AS b
              LEFT JOIN (SELECT lt.layer_id, jsonb_object_agg(coalesce(lt.tag, ''), lt.n) AS tags
                           FROM vw_geometrias_layer_tag AS lt
                          WHERE layer_stats.layer_id IS NULL OR lt.layer_id = layer_stats.layer_id
                          GROUP BY lt.layer_id) AS t ON t.layer_id = b.layer_id
             WHERE layer_stats.layer_id IS NULL OR b.layer_id = layer_stats.layer_id
             ORDER BY b.layer_id;
        RETURN;
    END IF;
    -- A window: whole UTC days [day_lo, day_hi) from vw_geometrias_layer_day, the partial days at
    -- either end [lo, day_lo) and [day_hi, hi) from geometrias — exact for any window.
    day_lo := date_trunc('day', lo, 'UTC');
    IF day_lo < lo THEN
        day_lo := day_lo + interval '24 hours';
    END IF;
    day_hi := date_trunc('day', hi, 'UTC');
    IF day_lo >= day_hi THEN
        day_lo := hi;
        day_hi := hi;
    END IF;
    RETURN QUERY
        SELECT p.layer_id, sum(p.n)::bigint, sum(p.n_point)::bigint, sum(p.n_line)::bigint, sum(p.n_polygon)::bigint,
               min(p.first_created_at), max(p.last_created_at),
               min(p.min_lon), min(p.min_lat), max(p.max_lon), max(p.max_lat), NULL::jsonb
          FROM (SELECT d.layer_id, d.n, d.n_point, d.n_line, d.n_polygon, d.first_created_at, d.last_created_at,
                       d.min_lon, d.min_lat, d.max_lon, d.max_lat
                  FROM vw_geometrias_layer_day AS d
                 WHERE d.day >= (day_lo AT TIME ZONE 'UTC')::date AND d.day < (day_hi AT TIME ZONE 'UTC')::date
                   AND (layer_stats.layer_id IS NULL OR d.layer_id = layer_stats.layer_id)
                UNION ALL
                SELECT g.layer_id, count(*),
                       count(*) FILTER (WHERE ST_Dimension(g.geom) = 0),
                       count(*) FILTER (WHERE ST_Dimension(g.geom) = 1),
                       count(*) FILTER (WHERE ST_Dimension(g.geom) = 2),
                       min(g.created_at), max(g.created_at),
                       ST_XMin(ST_Extent(g.geom)), ST_YMin(ST_Extent(g.geom)), ST_XMax(ST_Extent(g.geom)), ST_YMax(ST_Extent(g.geom))
                  FROM geometrias AS g
                 WHERE ((g.created_at >= lo AND g.created_at < day_lo) OR (g.created_at >= day_hi AND g.created_at < hi))
                   AND (layer_stats.layer_id IS NULL OR g.layer_id = layer_stats.layer_id)
                 GROUP BY g.layer_id) AS p
         GROUP BY p.layer_id
         ORDER BY p.layer_id;
END
$fn$;

COMMENT ON FUNCTION layer_stats(integer, timestamptz, timestamptz) IS
'Per-layer statistics, for one layer_id or all (null): layer, n, n_point, n_line, n_polygon, first_created_at, last_created_at, min_lon, min_lat, max_lon, max_lat (ST_Extent), tags (jsonb {tag: count}; untagged rows under ""). Without a window: reads vw_geometrias_by_layer and vw_geometrias_layer_tag. With a window [from_ts, to_ts) (either bound may be null = open): whole UTC days from vw_geometrias_layer_day plus the partial first and last day from geometrias, exact for any window; tags is then null (kept all-time only). The views are as of their last refresh. Rejects with SQLSTATE 22023: from_ts after to_ts.';

CREATE FUNCTION get_by_ids(
    ids bigint[]
) RETURNS TABLE (id bigint, layer integer, created_at timestamptz, updated_at timestamptz, props jsonb, geojson jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER ROWS 20
AS $fn$
#variable_conflict use_column
BEGIN
    IF get_by_ids.ids IS NULL THEN
        RAISE EXCEPTION 'get_by_ids: ids is required (an array of ids)' USING ERRCODE = '22023';
    END IF;
    IF cardinality(get_by_ids.ids) > 1000 THEN
        RAISE EXCEPTION 'get_by_ids: at most 1000 ids per call, got %', cardinality(get_by_ids.ids) USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
        SELECT g.id, g.layer_id, g.created_at, g.updated_at, g.props, ST_AsGeoJSON(g.geom)::jsonb
          FROM geometrias AS g
         WHERE g.id = ANY (get_by_ids.ids)
         ORDER BY g.id;
END
$fn$;

COMMENT ON FUNCTION get_by_ids(bigint[]) IS
'The geometries with these ids (at most 1000 per call; unknown ids are skipped, repeated ids give one row), ordered by id. Reads geometrias (fresh; primary key) — the Q8 query. Returns id, layer, created_at, updated_at, props, geojson (the full geometry). Rejects with SQLSTATE 22023: ids null or longer than 1000.';

-- Move the six functions to <data schema>_api and pin their settings (see above).
DO $$
DECLARE
    data_schema text := current_schema();
    api         text := current_schema() || '_api';
    f           regprocedure;
    moved       integer := 0;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure
          FROM pg_proc AS p
         WHERE p.pronamespace = to_regnamespace(data_schema)
           AND p.proname IN ('search_bbox', 'search_nearby', 'search_knn', 'search_layer_time', 'layer_stats', 'get_by_ids')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, public', f, data_schema);
        EXECUTE format('ALTER FUNCTION %s SET plan_cache_mode = force_custom_plan', f);
        EXECUTE format('ALTER FUNCTION %s SET SCHEMA %I', f, api);
        moved := moved + 1;
    END LOOP;
    IF moved <> 6 THEN
        RAISE EXCEPTION 'expected to move 6 functions to %, moved %', api, moved;
    END IF;
END
$$;

-- geobench:after-commit
-- Statements below run after the commit, outside a transaction: sets the views' visibility maps
-- (index-only scans on the INCLUDE indexes) and their statistics.
VACUUM (ANALYZE) vw_geometrias_by_layer;
VACUUM (ANALYZE) vw_geometrias_layer_day;
VACUUM (ANALYZE) vw_geometrias_tile;
VACUUM (ANALYZE) vw_geometrias_layer_tag;
VACUUM (ANALYZE) vw_geometrias_search;
