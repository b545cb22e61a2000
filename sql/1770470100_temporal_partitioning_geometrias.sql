-- OPT1 — temporal partitioning of geometrias (roadmap: "Validado em produção").
-- Monthly RANGE partitions on created_at covering every month that holds data (36 for the
-- standard dataset), plus a DEFAULT partition for rows outside them. The rows are moved in the
-- same transaction (all or nothing); `geobench dataset verify` proves nothing was lost.
-- The primary key must contain the partition key, so it becomes (id, created_at).
-- Runs in one transaction with search_path = geobench, public.

ALTER TABLE geometrias RENAME TO geometrias_unpartitioned;

CREATE TABLE geometrias (
    id          bigint      NOT NULL DEFAULT nextval('geometrias_id_seq'),
    layer_id    integer     NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    props       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    geom        geometry(Geometry, 4326) NOT NULL
) PARTITION BY RANGE (created_at);

DO $$
DECLARE
    first_month timestamptz;
    last_month  timestamptz;
    m           timestamptz;
BEGIN
    SELECT date_trunc('month', min(created_at)), date_trunc('month', max(created_at))
      INTO first_month, last_month
      FROM geometrias_unpartitioned;
    IF first_month IS NULL THEN
        first_month := date_trunc('month', now());
        last_month := first_month;
    END IF;
    m := first_month;
    WHILE m <= last_month LOOP
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF geometrias FOR VALUES FROM (%L) TO (%L)',
            'geometrias_p' || to_char(m, 'YYYY_MM'), m, m + interval '1 month');
        m := m + interval '1 month';
    END LOOP;
END
$$;

CREATE TABLE geometrias_default PARTITION OF geometrias DEFAULT;

INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
SELECT id, layer_id, created_at, updated_at, props, geom FROM geometrias_unpartitioned;

DROP TABLE geometrias_unpartitioned;

ALTER TABLE geometrias ADD CONSTRAINT geometrias_pkey PRIMARY KEY (id, created_at);
CREATE INDEX geometrias_geom_gist ON geometrias USING gist (geom);
CREATE INDEX geometrias_layer_created_idx ON geometrias (layer_id, created_at);
CREATE INDEX geometrias_created_idx ON geometrias (created_at);

-- geobench:after-commit
-- Statements below run after the commit, outside a transaction (VACUUM cannot run inside one):
-- sets the visibility map so index-only scans and pruning measure fairly, and refreshes statistics.
VACUUM (ANALYZE) geometrias;
