-- Rollback of OPT2: back to OPT1's exact state — the same monthly partitions (never dropped by
-- OPT2), rows in id order inside each partition (the order OPT1 copied them in), geometries with
-- PostGIS's cached bounding box again (re-serialized through EWKB, as any input path would store
-- them: no box for points), and OPT1's four indexes under their names and definitions.
-- Each partition is copied to a temporary table, truncated and refilled. One transaction.

DROP INDEX geometrias_created_brin;
DROP INDEX geometrias_geom_gist;
ALTER TABLE geometrias DROP CONSTRAINT geometrias_pkey;

DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT relid FROM pg_partition_tree('geometrias'::regclass) WHERE isleaf ORDER BY relid::text LOOP
        EXECUTE format('CREATE TEMP TABLE geometrias_opt2_stage ON COMMIT DROP AS SELECT * FROM %s', part);
        EXECUTE format('TRUNCATE %s', part);
        EXECUTE format(
            $sql$INSERT INTO %s (id, layer_id, created_at, updated_at, props, geom)
                 SELECT s.id, s.layer_id, s.created_at, s.updated_at, s.props,
                        CASE WHEN postgis_hasbbox(s.geom) THEN s.geom ELSE ST_GeomFromEWKB(ST_AsEWKB(s.geom)) END
                   FROM geometrias_opt2_stage s
                  ORDER BY s.id$sql$,
            part);
        DROP TABLE geometrias_opt2_stage;
    END LOOP;
END
$$;

ALTER TABLE geometrias ADD CONSTRAINT geometrias_pkey PRIMARY KEY (id, created_at);
CREATE INDEX geometrias_geom_gist ON geometrias USING gist (geom);
CREATE INDEX geometrias_layer_created_idx ON geometrias (layer_id, created_at);
CREATE INDEX geometrias_created_idx ON geometrias (created_at);

-- geobench:after-commit
VACUUM (ANALYZE) geometrias;
