-- Rollback of OPT5: back to OPT3's state. Unschedules the five refresh jobs
-- <data schema>:refresh-{by_layer, layer_tag, layer_day, tile, search} (their past runs stay in
-- cron.job_run_details), drops the four triggers on geometrias, the trigger function, the refresh
-- function, geometrias_layer_day_live and mv_refresh_log. The five views keep the data of their
-- last refresh. Nothing is dropped with CASCADE: an object someone built on these makes the
-- rollback fail and change nothing. One transaction with search_path = <variant schema>, public.

DO $$
DECLARE
    s text := current_schema();
BEGIN
    PERFORM cron.unschedule(j.jobid)
       FROM cron.job j
      WHERE j.jobname IN (s || ':refresh-by_layer', s || ':refresh-layer_tag', s || ':refresh-layer_day',
                          s || ':refresh-tile', s || ':refresh-search');
END
$$;

DROP TRIGGER geometrias_layer_day_live_insert ON geometrias;
DROP TRIGGER geometrias_layer_day_live_update ON geometrias;
DROP TRIGGER geometrias_layer_day_live_delete ON geometrias;
DROP TRIGGER geometrias_layer_day_live_truncate ON geometrias;
DROP FUNCTION geometrias_layer_day_live_maintain();
DROP FUNCTION refresh_view_logged(text, boolean);
DROP TABLE geometrias_layer_day_live;
DROP TABLE mv_refresh_log;
