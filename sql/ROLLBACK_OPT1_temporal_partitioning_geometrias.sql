-- Rollback of OPT1: back to the baseline plain heap table, rows in id order (the baseline's load
-- order), with the baseline's indexes under the same names. One transaction.

CREATE TABLE geometrias_unpartitioned (
    id          bigint      NOT NULL DEFAULT nextval('geometrias_id_seq'),
    layer_id    integer     NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    props       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    geom        geometry(Geometry, 4326) NOT NULL
);

INSERT INTO geometrias_unpartitioned (id, layer_id, created_at, updated_at, props, geom)
SELECT id, layer_id, created_at, updated_at, props, geom FROM geometrias ORDER BY id;

DROP TABLE geometrias;
ALTER TABLE geometrias_unpartitioned RENAME TO geometrias;

ALTER TABLE geometrias ADD CONSTRAINT geometrias_pkey PRIMARY KEY (id);
CREATE INDEX geometrias_geom_gist ON geometrias USING gist (geom);
CREATE INDEX geometrias_layer_created_idx ON geometrias (layer_id, created_at);
CREATE INDEX geometrias_created_idx ON geometrias (created_at);

-- geobench:after-commit
VACUUM (ANALYZE) geometrias;
