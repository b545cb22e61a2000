-- Rollback of OPT3: drops the six RPC functions, the <data schema>_api schema and the five
-- materialized views (with their indexes); geometrias and its rows are not touched. One transaction.
-- Nothing is dropped with CASCADE: an object someone added to the API schema or on top of a view
-- makes the rollback fail (and change nothing) instead of disappearing silently.
-- Runs with search_path = <variant schema>, public: the API schema is current_schema() || '_api'.

DO $$
DECLARE
    api text := current_schema() || '_api';
BEGIN
    EXECUTE format('DROP FUNCTION %I.search_bbox(double precision, double precision, double precision, double precision, integer, integer)', api);
    EXECUTE format('DROP FUNCTION %I.search_nearby(double precision, double precision, double precision, integer, integer)', api);
    EXECUTE format('DROP FUNCTION %I.search_knn(double precision, double precision, integer, integer)', api);
    EXECUTE format('DROP FUNCTION %I.search_layer_time(integer, timestamptz, timestamptz, text, double precision, double precision, double precision, double precision, integer)', api);
    EXECUTE format('DROP FUNCTION %I.layer_stats(integer, timestamptz, timestamptz)', api);
    EXECUTE format('DROP FUNCTION %I.get_by_ids(bigint[])', api);
    EXECUTE format('DROP SCHEMA %I', api);
END
$$;

DROP MATERIALIZED VIEW vw_geometrias_search;
DROP MATERIALIZED VIEW vw_geometrias_layer_tag;
DROP MATERIALIZED VIEW vw_geometrias_tile;
DROP MATERIALIZED VIEW vw_geometrias_layer_day;
DROP MATERIALIZED VIEW vw_geometrias_by_layer;
