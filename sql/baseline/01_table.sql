-- geobench baseline schema: the unoptimized table a team would start from.
-- A plain heap table; indexes are built after the bulk load (02_indexes.sql), as a DBA would.
-- Runs with search_path = geobench, public (PostGIS lives in public).

-- Ids for rows written by the workload (W1) start far above any dataset id, so the dataset's
-- checksum (ids 1..N) stays verifiable after a load test. Not OWNED BY the table: OPT1 and its
-- rollback rebuild the table and must keep the sequence.
CREATE SEQUENCE IF NOT EXISTS geometrias_id_seq START WITH 1000000000000;

CREATE TABLE geometrias (
    id          bigint      NOT NULL DEFAULT nextval('geometrias_id_seq'),
    layer_id    integer     NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    props       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    geom        geometry(Geometry, 4326) NOT NULL
);
