-- OPT2 — compact storage of geometrias (roadmap: "columnar storage").
-- PostgreSQL 15 from Debian has no columnar table access method (no Citus / Hydra packages), so
-- this is NOT columnar storage: geometrias stays OPT1's heap, partitioned by month, with the same
-- columns, types, defaults, sequence and primary key. It gets smaller and faster to scan with what
-- PG15 + PostGIS offer, each step measured on 1.24M geometries (docs/migrations.md, OPT2):
--   1. Physical order inside every partition: four ~8-day blocks per month (days 1-8, 9-16, 17-24,
--      25-31, UTC), each block sorted along PostGIS's Hilbert curve (ORDER BY geom). Spatial
--      queries read far fewer heap pages (Q2: 6x fewer buffers), and created_at stays correlated
--      with the physical order at an 8-day grain, so a BRIN index can serve time windows.
--   2. Indexes: the btree on created_at becomes a BRIN (27 MB -> 0.9 MB); the btree on
--      (layer_id, created_at) is dropped: once OPT1 prunes by month no workload query needs it
--      (Q7 was faster scanning its 3 partitions than reading it; Q6 takes the GiST); the primary
--      key is rebuilt with fillfactor 100 (ids only grow, leaf pages are filled once: -10%).
--      The GiST on geom stays: it is what serves kNN (Q3) — SP-GiST was 27% larger and ~60x
--      slower for kNN, BRIN cannot order by distance at all.
--   3. Geometries are stored without PostGIS's cached bounding box (postgis_dropbbox: -16 bytes
--      per polygon or line, -2.7% heap); PostGIS recomputes it from the few vertices when needed.
--      The values are unchanged: ST_AsEWKB, Box2D, Box3D, ST_Envelope and ST_Extent gave the same
--      results on every row. Rows written later (W1) carry the box as usual.
-- Tried and left out (measured): lz4 (SET COMPRESSION lz4 + toast_tuple_target = 128) compresses
-- nothing — PostgreSQL only tries to compress rows longer than ~2 kB, these average ~250 bytes;
-- reordering columns to avoid alignment padding saves 0.75% and would change SELECT * order;
-- typed columns instead of props' jsonb keys would need an INSTEAD OF trigger behind a view,
-- because the workload inserts props as jsonb.
-- Each partition is copied to a temporary table, truncated and refilled in the new order (the
-- same tables: no detach/attach, no renames). Runs in one transaction with
-- search_path = <variant schema>, public (no schema name is written here); VACUUM (ANALYZE) after
-- the commit.

-- The indexes go first: the rows are rewritten below, and the indexes are rebuilt after, in bulk.
ALTER TABLE geometrias DROP CONSTRAINT geometrias_pkey;
DROP INDEX geometrias_geom_gist;
DROP INDEX geometrias_layer_created_idx;
DROP INDEX geometrias_created_idx;

DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT relid FROM pg_partition_tree('geometrias'::regclass) WHERE isleaf ORDER BY relid::text LOOP
        EXECUTE format('CREATE TEMP TABLE geometrias_opt2_stage ON COMMIT DROP AS SELECT * FROM %s', part);
        EXECUTE format('TRUNCATE %s', part);
        EXECUTE format(
            $sql$INSERT INTO %s (id, layer_id, created_at, updated_at, props, geom)
                 SELECT s.id, s.layer_id, s.created_at, s.updated_at, s.props, postgis_dropbbox(s.geom)
                   FROM geometrias_opt2_stage s
                  ORDER BY (extract(day FROM s.created_at AT TIME ZONE 'UTC')::int - 1) / 8, s.geom$sql$,
            part);
        DROP TABLE geometrias_opt2_stage;
    END LOOP;
END
$$;

ALTER TABLE geometrias ADD CONSTRAINT geometrias_pkey PRIMARY KEY (id, created_at) WITH (fillfactor = 100);
CREATE INDEX geometrias_geom_gist ON geometrias USING gist (geom);
-- BRIN on created_at, 16 pages per range (~500 rows: well inside one 8-day block); autosummarize:
-- autovacuum summarizes the ranges new rows fill (an unsummarized range is simply always read).
-- Built per partition and attached, so plans name it `<partition>_created_brin` rather than
-- reusing OPT1's btree names (`<partition>_created_at_idx`); a partition created later gets one
-- automatically (named by PostgreSQL).
CREATE INDEX geometrias_created_brin ON ONLY geometrias USING brin (created_at)
    WITH (pages_per_range = 16, autosummarize = on);
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT n.nspname AS nsp, c.relname AS rel
               FROM pg_partition_tree('geometrias'::regclass) t
               JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE t.isleaf ORDER BY c.relname LOOP
        EXECUTE format('CREATE INDEX %I ON %I.%I USING brin (created_at) WITH (pages_per_range = 16, autosummarize = on)',
                       p.rel || '_created_brin', p.nsp, p.rel);
        EXECUTE format('ALTER INDEX geometrias_created_brin ATTACH PARTITION %I.%I', p.nsp, p.rel || '_created_brin');
    END LOOP;
END
$$;

-- geobench:after-commit
-- Statements below run after the commit, outside a transaction (VACUUM cannot run inside one):
-- sets the visibility map and refreshes statistics (the physical order, hence correlation, changed).
VACUUM (ANALYZE) geometrias;
