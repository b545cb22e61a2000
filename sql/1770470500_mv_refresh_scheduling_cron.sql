-- OPT5 — refresh strategies for OPT3's five materialized views (roadmap: "MV refresh scheduling
-- cron", "5 views + incremental strategies", "trigger-based refresh", "data staleness < 5 min").
-- Requires OPT3 (the five views, each with a UNIQUE index) and pg_cron in this database
-- (cron.database_name). Does not depend on OPT4.
--
-- 1. Scheduled REFRESH MATERIALIZED VIEW CONCURRENTLY (readers are never blocked) through
--    refresh_view_logged(view_name), which records every run in mv_refresh_log (view, start, end,
--    duration, rows in the view afterwards, who ran it), so the cost of refreshing and the age of
--    each view are measurable. Five pg_cron jobs, named `<data schema>:refresh-<view>` (several
--    variant schemas can carry OPT5 in one database), staggered on distinct minutes (UTC) so
--    refreshes do not pile up, and off OPT4's minutes (:05, :35, 02:15, 03:15):
--      <schema>:refresh-by_layer   '2,17,32,47 * * * *'  every 15 min  (0.5 s at scale 0.1)
--      <schema>:refresh-layer_tag  '7,22,37,52 * * * *'  every 15 min  (0.4 s)
--      <schema>:refresh-layer_day  '12 * * * *'          hourly        (1.6 s; fresh counts: 2.)
--      <schema>:refresh-tile       '27 * * * *'          hourly        (3.7 s)
--      <schema>:refresh-search     '42 * * * *'          hourly        (14.6 s: the big one)
--    pg_cron never starts a job while its previous run is still going, and refresh_view_logged
--    skips (logging status 'skipped') when another session is refreshing the same view.
--    pg_cron 1.4 has minute granularity ("N seconds" schedules came in 1.5): to force a run,
--    cron.alter_job(jobid, schedule := '* * * * *') and wait up to a minute. Take durations from
--    mv_refresh_log: end_time - start_time in cron.job_run_details is not the run's duration with
--    background workers (observed 0.09 s for a 0.9 s refresh, 1.0 s for a 2 s sleep).
-- 2. Trigger-based incremental maintenance where seconds matter: geometrias_layer_day_live holds
--    per layer x UTC day the counts of vw_geometrias_layer_day (n, n_point, n_line, n_polygon,
--    first/last created_at), kept exact by statement-level AFTER INSERT / UPDATE / DELETE triggers
--    on geometrias with transition tables (PostgreSQL 15 allows them on a partitioned table's
--    statement triggers; the transition tables hold the rows of every partition, also for an
--    UPDATE that moves a row to another partition) and an AFTER TRUNCATE trigger. One grouped
--    upsert per statement, groups locked in key order (no deadlocks between writers); when rows
--    are deleted or updated, a group's first/last created_at is recomputed from geometrias only if
--    a removed row was its first or last. Initialized here from geometrias itself (not from the
--    possibly stale view) while writes to geometrias are blocked (SHARE ROW EXCLUSIVE lock).
--
-- Honest limits: the other four views and the bounds columns of vw_geometrias_layer_day are as
-- fresh as their last scheduled refresh (up to an hour + refresh time; the < 5 min staleness target
-- holds only for geometrias_layer_day_live). The trigger adds work to every write statement on
-- geometrias, and writers of the same layer x day serialize on its summary row until commit (a
-- hot spot when all writes are "today"). Writes made directly to a partition (not through
-- geometrias) fire no trigger on geometrias: OPT4's reorganize moves rows that way, which changes
-- no group; anything else that writes into partitions directly makes the summary drift (rebuild it
-- by rolling OPT5 back and applying it again). TRUNCATE of a single partition likewise.
-- `geobench dataset generate` drops the data schema but cannot drop the jobs: they fail visibly
-- in cron.job_run_details until OPT5 is applied again to the new schema (replacing them).
-- Runs in one transaction with search_path = <variant schema>, public; no schema name is written
-- here (the data schema is current_schema()). VACUUM (ANALYZE) of the summary after the commit.

-- ---------------------------------------------------------------------------------------------
-- Prerequisites: OPT3's five views with their unique indexes, pg_cron running for this database.
DO $$
DECLARE
    s        text := current_schema();
    v        text;
    problems text[] := '{}';
BEGIN
    IF s IS NULL OR s = 'public' OR to_regclass(format('%I.geometrias', s)) IS NULL THEN
        RAISE EXCEPTION 'OPT5 must run with search_path = <data schema>, public and geometrias in that schema (current_schema() = %)', s;
    END IF;
    IF octet_length(s || ':refresh-layer_day') > 63 THEN
        RAISE EXCEPTION 'OPT5: schema name % is too long for its pg_cron job names (63 bytes)', s;
    END IF;
    FOREACH v IN ARRAY ARRAY['vw_geometrias_by_layer', 'vw_geometrias_layer_day', 'vw_geometrias_tile',
                             'vw_geometrias_layer_tag', 'vw_geometrias_search'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_matviews m WHERE m.schemaname = s AND m.matviewname = v) THEN
            problems := problems || format('materialized view %s is missing', v);
        ELSIF NOT EXISTS (SELECT 1 FROM pg_matviews m WHERE m.schemaname = s AND m.matviewname = v AND m.ispopulated) THEN
            problems := problems || format('%s is not populated (REFRESH ... CONCURRENTLY needs a populated view)', v);
        ELSIF NOT EXISTS (SELECT 1 FROM pg_index i
                           WHERE i.indrelid = format('%I.%I', s, v)::regclass
                             AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL) THEN
            problems := problems || format('%s has no plain UNIQUE index (REFRESH ... CONCURRENTLY needs one)', v);
        END IF;
    END LOOP;
    IF cardinality(problems) > 0 THEN
        RAISE EXCEPTION 'OPT5 requires OPT3 in schema %: %', s, array_to_string(problems, '; ')
            USING HINT = 'geobench migrate up --to OPT3';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RAISE EXCEPTION 'OPT5 needs the extension pg_cron in this database (created by `geobench db start`)';
    END IF;
    IF current_setting('cron.database_name', true) IS DISTINCT FROM current_database() THEN
        RAISE EXCEPTION 'OPT5: pg_cron runs jobs in database %, not in %', current_setting('cron.database_name', true), current_database();
    END IF;
END
$$;

-- No writes to geometrias from here to the commit: the summary starts exact and the triggers take
-- over from exactly that point. Readers are not blocked.
LOCK TABLE geometrias IN SHARE ROW EXCLUSIVE MODE;

-- ---------------------------------------------------------------------------------------------
-- 1. The refresh log and the logged refresh.
CREATE TABLE mv_refresh_log (
    id               bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    view_name        name             NOT NULL,
    started_at       timestamptz      NOT NULL,
    finished_at      timestamptz      NOT NULL,
    duration_ms      double precision NOT NULL,
    rows             bigint,
    concurrent       boolean          NOT NULL,
    status           text             NOT NULL CHECK (status IN ('refreshed', 'skipped')),
    client           text             NOT NULL,
    username         name             NOT NULL DEFAULT current_user
);
CREATE INDEX mv_refresh_log_view_started_idx ON mv_refresh_log (view_name, started_at);
COMMENT ON TABLE mv_refresh_log IS
'OPT5: one row per refresh_view_logged() call (pg_cron jobs <schema>:refresh-* and direct calls): view, start, end, duration, rows in the view after the refresh, CONCURRENTLY or not, refreshed/skipped, client (application_name, or the backend type when that is empty: pg_cron for the jobs'' background workers). A failed refresh rolls its row back; its error is in cron.job_run_details. Rows older than 90 days are pruned by the next refresh of the same view.';

CREATE FUNCTION refresh_view_logged(view_name text, concurrent boolean DEFAULT true)
RETURNS mv_refresh_log
LANGUAGE plpgsql
AS $fn$
DECLARE
    started timestamptz := clock_timestamp();
    n       bigint;
    entry   mv_refresh_log;
    -- pg_cron's background workers have no application_name; their backend type is 'pg_cron'
    who     text := coalesce(nullif(current_setting('application_name'), ''),
                             (SELECT a.backend_type FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()), '');
BEGIN
    IF view_name IS NULL OR view_name NOT IN ('vw_geometrias_by_layer', 'vw_geometrias_layer_day', 'vw_geometrias_tile',
                                              'vw_geometrias_layer_tag', 'vw_geometrias_search') THEN
        RAISE EXCEPTION 'refresh_view_logged: % is not one of the five OPT3 materialized views (vw_geometrias_by_layer, vw_geometrias_layer_day, vw_geometrias_tile, vw_geometrias_layer_tag, vw_geometrias_search)',
            coalesce(quote_literal(view_name), 'NULL') USING ERRCODE = '22023';
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtext('geobench refresh_view_logged'), hashtext(current_schema() || '.' || view_name)) THEN
        -- another session is refreshing this view right now: do not queue a second refresh behind it
        INSERT INTO mv_refresh_log AS l (view_name, started_at, finished_at, duration_ms, rows, concurrent, status, client)
        VALUES (refresh_view_logged.view_name, started, clock_timestamp(),
                1000 * extract(epoch FROM clock_timestamp() - started), NULL, refresh_view_logged.concurrent, 'skipped', who)
        RETURNING l.* INTO entry;
        RETURN entry;
    END IF;
    IF concurrent THEN
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I', view_name);
    ELSE
        EXECUTE format('REFRESH MATERIALIZED VIEW %I', view_name);
    END IF;
    -- REFRESH reports no row count; counting costs a scan of the view (~1/10 of the refresh for the largest)
    EXECUTE format('SELECT count(*) FROM %I', view_name) INTO n;
    INSERT INTO mv_refresh_log AS l (view_name, started_at, finished_at, duration_ms, rows, concurrent, status, client)
    VALUES (refresh_view_logged.view_name, started, clock_timestamp(),
            1000 * extract(epoch FROM clock_timestamp() - started), n, refresh_view_logged.concurrent, 'refreshed', who)
    RETURNING l.* INTO entry;
    DELETE FROM mv_refresh_log AS l
     WHERE l.view_name = refresh_view_logged.view_name AND l.started_at < now() - interval '90 days';
    RETURN entry;
END
$fn$;

COMMENT ON FUNCTION refresh_view_logged(text, boolean) IS
'OPT5: REFRESH MATERIALIZED VIEW [CONCURRENTLY] one of the five OPT3 views of this schema and record it in mv_refresh_log (returned). Skips (status skipped) when another session is refreshing the same view. Called by the pg_cron jobs <schema>:refresh-*. Rejects other names with SQLSTATE 22023.';

-- ---------------------------------------------------------------------------------------------
-- 2. The live per layer x day summary and its triggers.
CREATE TABLE geometrias_layer_day_live (
    layer_id         integer     NOT NULL,
    day              date        NOT NULL,
    n                bigint      NOT NULL,
    n_point          bigint      NOT NULL,
    n_line           bigint      NOT NULL,
    n_polygon        bigint      NOT NULL,
    first_created_at timestamptz NOT NULL,
    last_created_at  timestamptz NOT NULL,
    changed_at       timestamptz NOT NULL,
    PRIMARY KEY (layer_id, day)
) WITH (fillfactor = 80);
-- fillfactor 80 and no index on the counters: trigger updates stay HOT (no index writes).
COMMENT ON TABLE geometrias_layer_day_live IS
'OPT5: per layer x UTC day, the counts of vw_geometrias_layer_day (n, n by ST_Dimension, first/last created_at), kept exact at every write statement on geometrias by the geometrias_layer_day_live_* triggers; changed_at = when a trigger last changed the row. Writes made directly to a partition are not seen.';

INSERT INTO geometrias_layer_day_live (layer_id, day, n, n_point, n_line, n_polygon, first_created_at, last_created_at, changed_at)
SELECT layer_id,
       (created_at AT TIME ZONE 'UTC')::date,
       count(*),
       count(*) FILTER (WHERE ST_Dimension(geom) = 0),
       count(*) FILTER (WHERE ST_Dimension(geom) = 1),
       count(*) FILTER (WHERE ST_Dimension(geom) = 2),
       min(created_at),
       max(created_at),
       now()
  FROM geometrias
 GROUP BY 1, 2;

CREATE FUNCTION geometrias_layer_day_live_maintain()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    src        text;
    k_layer    integer[];
    k_day      date[];
    d_n        bigint[];
    d_point    bigint[];
    d_line     bigint[];
    d_polygon  bigint[];
    add_first  timestamptz[];
    add_last   timestamptz[];
    del_first  timestamptz[];
    del_last   timestamptz[];
    e_layer    integer[];
    e_day      date[];
    first_at   timestamptz;
    last_at    timestamptz;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM geometrias_layer_day_live;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        -- The common case (W1-style writes), one static statement with a cached plan: add the new
        -- rows' counts, widen first/last created_at. Groups are locked in key order.
        INSERT INTO geometrias_layer_day_live AS l
               (layer_id, day, n, n_point, n_line, n_polygon, first_created_at, last_created_at, changed_at)
        SELECT r.layer_id, (r.created_at AT TIME ZONE 'UTC')::date, count(*),
               count(*) FILTER (WHERE ST_Dimension(r.geom) = 0),
               count(*) FILTER (WHERE ST_Dimension(r.geom) = 1),
               count(*) FILTER (WHERE ST_Dimension(r.geom) = 2),
               min(r.created_at), max(r.created_at), statement_timestamp()
          FROM new_rows AS r
         GROUP BY 1, 2
         ORDER BY 1, 2
        ON CONFLICT (layer_id, day) DO UPDATE
           SET n                = l.n + EXCLUDED.n,
               n_point          = l.n_point + EXCLUDED.n_point,
               n_line           = l.n_line + EXCLUDED.n_line,
               n_polygon        = l.n_polygon + EXCLUDED.n_polygon,
               first_created_at = least(l.first_created_at, EXCLUDED.first_created_at),
               last_created_at  = greatest(l.last_created_at, EXCLUDED.last_created_at),
               changed_at       = EXCLUDED.changed_at;
        RETURN NULL;
    END IF;
    -- UPDATE and DELETE: the statement's rows, +1 for new rows, -1 for old ones (an UPDATE is both).
    src := CASE TG_OP
        WHEN 'DELETE' THEN 'SELECT layer_id, created_at, ST_Dimension(geom) AS dim, -1 AS sign FROM old_rows'
        ELSE 'SELECT layer_id, created_at, ST_Dimension(geom) AS dim, 1 AS sign FROM new_rows
              UNION ALL SELECT layer_id, created_at, ST_Dimension(geom), -1 FROM old_rows'
    END;
    -- Net change per group, in key order. Groups an UPDATE leaves as they were (same counts, same
    -- first/last created_at among the rows removed and added, e.g. a props-only update) drop out.
    EXECUTE format($q$
        SELECT array_agg(layer_id ORDER BY layer_id, day), array_agg(day ORDER BY layer_id, day),
               array_agg(n ORDER BY layer_id, day), array_agg(n_point ORDER BY layer_id, day),
               array_agg(n_line ORDER BY layer_id, day), array_agg(n_polygon ORDER BY layer_id, day),
               array_agg(add_first ORDER BY layer_id, day), array_agg(add_last ORDER BY layer_id, day),
               array_agg(del_first ORDER BY layer_id, day), array_agg(del_last ORDER BY layer_id, day)
          FROM (SELECT layer_id, (created_at AT TIME ZONE 'UTC')::date AS day,
                       sum(sign) AS n,
                       coalesce(sum(sign) FILTER (WHERE dim = 0), 0) AS n_point,
                       coalesce(sum(sign) FILTER (WHERE dim = 1), 0) AS n_line,
                       coalesce(sum(sign) FILTER (WHERE dim = 2), 0) AS n_polygon,
                       min(created_at) FILTER (WHERE sign > 0) AS add_first,
                       max(created_at) FILTER (WHERE sign > 0) AS add_last,
                       min(created_at) FILTER (WHERE sign < 0) AS del_first,
                       max(created_at) FILTER (WHERE sign < 0) AS del_last
                  FROM (%s) AS ch
                 GROUP BY 1, 2) AS d
         WHERE n <> 0 OR n_point <> 0 OR n_line <> 0 OR n_polygon <> 0
            OR add_first IS DISTINCT FROM del_first OR add_last IS DISTINCT FROM del_last
        $q$, src)
       INTO k_layer, k_day, d_n, d_point, d_line, d_polygon, add_first, add_last, del_first, del_last;
    IF k_layer IS NULL THEN
        RETURN NULL;
    END IF;

    -- Lock the existing groups in key order, and note those whose first or last row was removed.
    SELECT array_agg(x.layer_id), array_agg(x.day) INTO e_layer, e_day
      FROM (SELECT l.layer_id, l.day,
                   d.del_first <= l.first_created_at OR d.del_last >= l.last_created_at AS edge
              FROM geometrias_layer_day_live AS l
              JOIN unnest(k_layer, k_day, del_first, del_last) AS d(layer_id, day, del_first, del_last)
                ON l.layer_id = d.layer_id AND l.day = d.day
             ORDER BY l.layer_id, l.day
               FOR UPDATE OF l) AS x
     WHERE x.edge;

    -- Apply the net change (a group first seen here is inserted).
    INSERT INTO geometrias_layer_day_live AS l
           (layer_id, day, n, n_point, n_line, n_polygon, first_created_at, last_created_at, changed_at)
    SELECT d.layer_id, d.day, d.n, d.n_point, d.n_line, d.n_polygon,
           coalesce(d.add_first, d.del_first), coalesce(d.add_last, d.del_last), statement_timestamp()
      FROM unnest(k_layer, k_day, d_n, d_point, d_line, d_polygon, add_first, add_last, del_first, del_last)
           AS d(layer_id, day, n, n_point, n_line, n_polygon, add_first, add_last, del_first, del_last)
     ORDER BY d.layer_id, d.day
    ON CONFLICT (layer_id, day) DO UPDATE
       SET n                = l.n + EXCLUDED.n,
           n_point          = l.n_point + EXCLUDED.n_point,
           n_line           = l.n_line + EXCLUDED.n_line,
           n_polygon        = l.n_polygon + EXCLUDED.n_polygon,
           first_created_at = least(l.first_created_at, EXCLUDED.first_created_at),
           last_created_at  = greatest(l.last_created_at, EXCLUDED.last_created_at),
           changed_at       = EXCLUDED.changed_at;

    -- Groups left empty go; the first/last created_at of the noted groups still there is read
    -- again from geometrias (this statement's changes are visible to the AFTER trigger).
    DELETE FROM geometrias_layer_day_live AS l
     USING unnest(k_layer, k_day) AS d(layer_id, day)
     WHERE l.layer_id = d.layer_id AND l.day = d.day AND l.n <= 0;
    IF e_layer IS NULL THEN
        NULL;
    ELSIF cardinality(e_layer) <= 100 THEN
        -- one group at a time: each query is planned for the one partition holding that day
        -- (the set-based query below is planned over every partition, ~8 ms, at each statement)
        FOR i IN 1 .. cardinality(e_layer) LOOP
            SELECT min(x.created_at), max(x.created_at) INTO first_at, last_at
              FROM geometrias AS x
             WHERE x.layer_id = e_layer[i]
               AND x.created_at >= e_day[i]::timestamp AT TIME ZONE 'UTC'
               AND x.created_at <  (e_day[i] + 1)::timestamp AT TIME ZONE 'UTC';
            IF first_at IS NOT NULL THEN
                UPDATE geometrias_layer_day_live AS l
                   SET first_created_at = first_at, last_created_at = last_at
                 WHERE l.layer_id = e_layer[i] AND l.day = e_day[i];
            END IF;
        END LOOP;
    ELSE
        UPDATE geometrias_layer_day_live AS l
           SET first_created_at = g.first_created_at,
               last_created_at  = g.last_created_at
          FROM unnest(e_layer, e_day) AS e(layer_id, day)
         CROSS JOIN LATERAL (
               SELECT min(x.created_at) AS first_created_at, max(x.created_at) AS last_created_at
                 FROM geometrias AS x
                WHERE x.layer_id = e.layer_id
                  AND x.created_at >= e.day::timestamp AT TIME ZONE 'UTC'
                  AND x.created_at <  (e.day + 1)::timestamp AT TIME ZONE 'UTC') AS g
         WHERE l.layer_id = e.layer_id AND l.day = e.day AND g.first_created_at IS NOT NULL;
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION geometrias_layer_day_live_maintain() IS
'OPT5: statement-level AFTER INSERT/UPDATE/DELETE/TRUNCATE trigger function on geometrias keeping geometrias_layer_day_live exact: one grouped upsert of the net change per layer x UTC day (from the transition tables new_rows/old_rows), groups locked in key order, empty groups deleted, first/last created_at recomputed from geometrias when a removed row was the group''s first or last.';

CREATE TRIGGER geometrias_layer_day_live_insert
    AFTER INSERT ON geometrias REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION geometrias_layer_day_live_maintain();
CREATE TRIGGER geometrias_layer_day_live_update
    AFTER UPDATE ON geometrias REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION geometrias_layer_day_live_maintain();
CREATE TRIGGER geometrias_layer_day_live_delete
    AFTER DELETE ON geometrias REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION geometrias_layer_day_live_maintain();
CREATE TRIGGER geometrias_layer_day_live_truncate
    AFTER TRUNCATE ON geometrias
    FOR EACH STATEMENT EXECUTE FUNCTION geometrias_layer_day_live_maintain();

-- Pin both functions to this schema: the trigger fires in sessions with any search_path, and the
-- jobs call refresh_view_logged schema-qualified.
DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('ALTER FUNCTION refresh_view_logged(text, boolean) SET search_path = %I, public', s);
    EXECUTE format('ALTER FUNCTION geometrias_layer_day_live_maintain() SET search_path = %I, public', s);
END
$$;

-- ---------------------------------------------------------------------------------------------
-- 3. The five refresh jobs. Jobs of the same names left over from an earlier OPT5 on a schema that
-- `dataset generate` has since recreated are removed first (cron.schedule would update their
-- schedule and command but keep them inactive if someone had paused them).
DO $$
DECLARE
    s text := current_schema();
    names text[] := ARRAY[s || ':refresh-by_layer', s || ':refresh-layer_tag', s || ':refresh-layer_day',
                          s || ':refresh-tile', s || ':refresh-search'];
    n integer;
BEGIN
    SELECT count(cron.unschedule(j.jobid)) INTO n FROM cron.job j WHERE j.jobname = ANY (names);
    IF n > 0 THEN
        RAISE NOTICE 'OPT5: replaced % pg_cron jobs left over from an earlier OPT5 on a regenerated %', n, s;
    END IF;
    PERFORM cron.schedule(s || ':refresh-by_layer',  '2,17,32,47 * * * *', format('SELECT %I.refresh_view_logged(%L)', s, 'vw_geometrias_by_layer'));
    PERFORM cron.schedule(s || ':refresh-layer_tag', '7,22,37,52 * * * *', format('SELECT %I.refresh_view_logged(%L)', s, 'vw_geometrias_layer_tag'));
    PERFORM cron.schedule(s || ':refresh-layer_day', '12 * * * *',         format('SELECT %I.refresh_view_logged(%L)', s, 'vw_geometrias_layer_day'));
    PERFORM cron.schedule(s || ':refresh-tile',      '27 * * * *',         format('SELECT %I.refresh_view_logged(%L)', s, 'vw_geometrias_tile'));
    PERFORM cron.schedule(s || ':refresh-search',    '42 * * * *',         format('SELECT %I.refresh_view_logged(%L)', s, 'vw_geometrias_search'));
END
$$;

-- geobench:after-commit
-- Statements below run after the commit, outside a transaction: visibility map and statistics of
-- the new summary table.
VACUUM (ANALYZE) geometrias_layer_day_live;
