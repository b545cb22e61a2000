-- Baseline indexes: primary key, GiST on geom, btree on layer and on time.
ALTER TABLE geometrias ADD CONSTRAINT geometrias_pkey PRIMARY KEY (id);
CREATE INDEX geometrias_geom_gist ON geometrias USING gist (geom);
CREATE INDEX geometrias_layer_created_idx ON geometrias (layer_id, created_at);
CREATE INDEX geometrias_created_idx ON geometrias (created_at);
