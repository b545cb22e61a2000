-- OPT4 — automatic partition creation and maintenance (roadmap: "auto partition creation 2029+",
-- "36 meses auto-criados", "4 tasks: analyze, vacuum, reorg, constraint-check").
-- Hands OPT1's monthly partitions of geometrias to pg_partman 4.7 (native, monthly, premake 36,
-- so partitions always exist from the current month to ~36 months ahead: 2029-11 on 2026-11-26)
-- and schedules four maintenance tasks with pg_cron. Requires OPT1 (geometrias partitioned by
-- RANGE (created_at) into geometrias_pYYYY_MM + geometrias_default) and the extensions pg_partman
-- (schema partman) and pg_cron (in this database: cron.database_name).
--
-- How pg_partman takes over existing partitions: partman.create_parent(p_start_partition := the
-- first OPT1 month) walks every month from there to now + 36 months and creates the ones whose
-- table name (geometrias_pYYYY_MM: pg_partman's own native monthly naming) does not exist yet, so
-- OPT1's partitions are adopted as they are (no rename, no data movement) and the gap between the
-- data and today is filled too. create_parent also unconditionally creates `geometrias_default`
-- and fails if that name is taken, so OPT1's default partition is detached and renamed for the
-- duration of the call, then put back (rows it held, if any, are re-routed into the new months).
-- Config afterwards: infinite_time_partitions = true (premake counts from now(), not from the
-- newest row: the dataset ends 2026-01-01), ignore_default_data = true (a stray future row in the
-- default partition must not make run_maintenance jump years ahead), automatic_maintenance = off
-- (a global partman.run_maintenance() elsewhere does not touch this variant; our own job does it).
--
-- Four pg_cron jobs, named `<data schema>:<task>` (several variant schemas can carry OPT4 in one
-- database), each a one-line, schema-qualified command; times are UTC:
--   <schema>:partman-maintenance  '5 * * * *'   hourly :05  geometrias_maintenance_reorganize()
--   <schema>:constraint-check     '35 * * * *'  hourly :35  geometrias_maintenance_constraint_check()
--   <schema>:analyze              '15 2 * * *'  daily 02:15 geometrias_maintenance_analyze()
--   <schema>:vacuum               '15 3 * * *'  daily 03:15 VACUUM (SKIP_LOCKED) <schema>.geometrias
-- The task bodies are PL/pgSQL functions in the data schema (callable directly too), except
-- VACUUM: PostgreSQL refuses VACUUM inside any function or procedure, so that job's command is
-- the VACUUM statement itself. pg_cron 1.4 has minute granularity ("N seconds" schedules came in
-- 1.5): to force a run, cron.alter_job(jobid, schedule := '* * * * *') and wait up to a minute.
-- Runs (and the constraint check's failures) are recorded in cron.job_run_details.
--
-- Honest limits: pg_partman and PostgreSQL already guarantee the monthly bounds, so the constraint
-- check mostly watches what can actually drift: the premake horizon (maintenance not running),
-- rows parked in the default partition, non-monthly or misnamed partitions and NOT VALID
-- constraints. Rows written for a month that has no partition (beyond the horizon) sit in the
-- default partition until the next hourly reorganize run. VACUUM of the partitioned table visits
-- every partition (cold ones are skipped page-wise through the visibility map).
-- `geobench dataset generate` drops the data schema but cannot drop the jobs or the
-- partman.part_config row: they fail visibly in cron.job_run_details until OPT4 is applied again
-- to the new schema (which replaces them) or rolled back.
-- Runs in one transaction with search_path = <variant schema>, public; no schema name is written
-- here (the data schema is current_schema()).

SET LOCAL TimeZone = 'UTC';

-- ---------------------------------------------------------------------------------------------
-- Prerequisites: OPT1's table, the two extensions, pg_cron running for this database.
DO $$
DECLARE
    s        text := current_schema();
    parent   regclass;
    strat    "char";
    keycols  text;
    bad      text;
    cfg      record;
BEGIN
    IF s IS NULL OR s = 'public' THEN
        RAISE EXCEPTION 'OPT4 must run with search_path = <data schema>, public (current_schema() = %)', s;
    END IF;
    IF length(s) > 43 THEN
        RAISE EXCEPTION 'OPT4: schema name % is too long for its pg_cron job names (% + '':partman-maintenance'' must fit in 63 bytes)', s, s;
    END IF;
    parent := to_regclass(format('%I.geometrias', s));
    IF parent IS NULL THEN
        RAISE EXCEPTION 'OPT4 needs %.geometrias (run `geobench dataset generate` and OPT1 first)', s;
    END IF;
    SELECT p.partstrat, (SELECT string_agg(a.attname, ',') FROM pg_attribute a WHERE a.attrelid = p.partrelid AND a.attnum = ANY (p.partattrs))
      INTO strat, keycols
      FROM pg_partitioned_table p WHERE p.partrelid = parent;
    IF strat IS DISTINCT FROM 'r' OR keycols IS DISTINCT FROM 'created_at' THEN
        RAISE EXCEPTION 'OPT4 requires OPT1: %.geometrias must be partitioned by RANGE (created_at)', s
            USING HINT = 'geobench migrate up --to OPT1';
    END IF;
    SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), '; ')
      INTO bad
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent
       AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
       AND CASE WHEN c.relname ~ '^geometrias_p[0-9]{4}_[0-9]{2}$'
                THEN format('FOR VALUES FROM (%L) TO (%L)', to_timestamp(substr(c.relname, 13), 'YYYY_MM'),
                            to_timestamp(substr(c.relname, 13), 'YYYY_MM') + interval '1 month')
                     IS DISTINCT FROM pg_get_expr(c.relpartbound, c.oid)
                ELSE true END;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'OPT4: pg_partman adopts existing partitions by name (geometrias_pYYYY_MM = that UTC month); these do not match: %', bad;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_partman')
       OR to_regnamespace('partman') IS NULL
       OR (SELECT extnamespace FROM pg_extension WHERE extname = 'pg_partman') <> to_regnamespace('partman') THEN
        RAISE EXCEPTION 'OPT4 needs the extension pg_partman in schema partman (created by `geobench db start`)';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RAISE EXCEPTION 'OPT4 needs the extension pg_cron in this database (created by `geobench db start`)';
    END IF;
    IF current_setting('cron.database_name', true) IS DISTINCT FROM current_database() THEN
        RAISE EXCEPTION 'OPT4: pg_cron runs jobs in database %, not in %', current_setting('cron.database_name', true), current_database();
    END IF;
    -- A partman.part_config row for this table while OPT4 is not in the ledger: a leftover of an
    -- earlier OPT4 on a schema that `dataset generate` has since dropped and recreated. Removed
    -- (with its template table) only if it is what OPT4 creates; anything else stops here.
    SELECT * INTO cfg FROM partman.part_config WHERE parent_table = s || '.geometrias';
    IF FOUND THEN
        IF cfg.partition_type <> 'native' OR cfg.control <> 'created_at' OR cfg.partition_interval::interval <> interval '1 month' THEN
            RAISE EXCEPTION 'OPT4: partman.part_config already manages %.geometrias with another configuration (%, %, %)',
                s, cfg.partition_type, cfg.control, cfg.partition_interval;
        END IF;
        RAISE NOTICE 'removing the partman config left over from an earlier OPT4 on a regenerated %', s;
        DELETE FROM partman.part_config_sub WHERE sub_parent = cfg.parent_table;
        DELETE FROM partman.part_config WHERE parent_table = cfg.parent_table;
        IF cfg.template_table IS NOT NULL AND to_regclass(cfg.template_table) IS NOT NULL THEN
            EXECUTE format('DROP TABLE %s', cfg.template_table::regclass);
        END IF;
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- OPT1's partitions, as they are now: the rollback keeps these and removes every other one.
CREATE TABLE geometrias_opt1_partitions (
    partition_name name        PRIMARY KEY,
    is_default     boolean     NOT NULL,
    range_from     timestamptz,
    range_to       timestamptz
);
COMMENT ON TABLE geometrias_opt1_partitions IS
'OPT4: the partitions geometrias had before pg_partman took over (OPT1''s). ROLLBACK_OPT4 keeps these and drops every partition created since, moving any rows they hold into geometrias_default.';

-- The partitions of geometrias with their bounds (used by the maintenance functions, the
-- rollback and the validator).
CREATE FUNCTION geometrias_partitions()
RETURNS TABLE (partition_name name, is_default boolean, range_from timestamptz, range_to timestamptz)
LANGUAGE sql STABLE
AS $fn$
    SELECT c.relname,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
           b[1]::timestamptz,
           b[2]::timestamptz
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      LEFT JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$^FOR VALUES FROM \('([^']*)'\) TO \('([^']*)'\)$$re$) AS b ON true
     WHERE i.inhparent = 'geometrias'::regclass
     ORDER BY 3 NULLS FIRST, 1
$fn$;
COMMENT ON FUNCTION geometrias_partitions() IS
'OPT4: the partitions of geometrias (name, whether it is the DEFAULT partition, [range_from, range_to) for a range partition), ordered by range (default first).';

INSERT INTO geometrias_opt1_partitions SELECT * FROM geometrias_partitions();

-- ---------------------------------------------------------------------------------------------
-- Hand the table to pg_partman. create_parent creates geometrias_default itself, so OPT1's default
-- partition steps aside under another name (with its rows parked in a temporary table: a new
-- partition cannot be attached while the default holds rows of its range), and comes back after.
DO $$
DECLARE
    s             text := current_schema();
    has_default   boolean := to_regclass(format('%I.geometrias_default', s)) IS NOT NULL
                             AND EXISTS (SELECT 1 FROM geometrias_partitions() WHERE is_default AND partition_name = 'geometrias_default');
    first_month   timestamptz;
    parked        bigint := 0;
BEGIN
    IF EXISTS (SELECT 1 FROM geometrias_partitions() WHERE is_default AND partition_name <> 'geometrias_default') THEN
        RAISE EXCEPTION 'OPT4: the default partition of geometrias must be named geometrias_default (pg_partman''s name)';
    END IF;
    SELECT min(range_from) INTO first_month FROM geometrias_partitions() WHERE NOT is_default;
    first_month := coalesce(first_month, date_trunc('month', now()));

    IF has_default THEN
        CREATE TEMP TABLE geometrias_opt4_parked ON COMMIT DROP AS SELECT * FROM geometrias_default;
        GET DIAGNOSTICS parked = ROW_COUNT;
        TRUNCATE geometrias_default;
        ALTER TABLE geometrias DETACH PARTITION geometrias_default;
        ALTER TABLE geometrias_default RENAME TO geometrias_default_opt4_aside;
    END IF;

    PERFORM partman.create_parent(
        p_parent_table     := s || '.geometrias',
        p_control          := 'created_at',
        p_type             := 'native',
        p_interval         := 'monthly',
        p_premake          := 36,
        p_start_partition  := to_char(first_month, 'YYYY-MM-DD HH24:MI:SSOF'),
        p_jobmon           := false);

    IF has_default THEN
        -- partman's fresh (empty) default goes; OPT1's own table, indexes and all, comes back.
        ALTER TABLE geometrias DETACH PARTITION geometrias_default;
        DROP TABLE geometrias_default;
        ALTER TABLE geometrias_default_opt4_aside RENAME TO geometrias_default;
        ALTER TABLE geometrias ATTACH PARTITION geometrias_default DEFAULT;
        IF parked > 0 THEN
            -- back through the parent: rows of a month that now has a partition go there
            INSERT INTO geometrias SELECT * FROM geometrias_opt4_parked;
            RAISE NOTICE 'OPT4: % rows of geometrias_default re-routed (those beyond the premade months stay there until reorganize)', parked;
        END IF;
        DROP TABLE geometrias_opt4_parked;
    END IF;

    UPDATE partman.part_config
       SET infinite_time_partitions = true,
           ignore_default_data = true,
           automatic_maintenance = 'off'
     WHERE parent_table = s || '.geometrias';
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The maintenance tasks. Created here in the data schema (so their text needs no schema name),
-- then pinned to SET search_path = <data schema>, public and SET TimeZone = 'UTC' (pg_partman
-- names and bounds months in the session's time zone; OPT1's months are UTC months).

-- Task "reorg": rows parked in the default partition go to a partition of their own month
-- (created through pg_partman), then partman.run_maintenance premakes the next months, and any
-- month of the premake horizon still missing is created explicitly (run_maintenance measures
-- premake from the last partition, so one far-future partition would otherwise stop it).
CREATE FUNCTION geometrias_maintenance_reorganize()
RETURNS text
LANGUAGE plpgsql
AS $fn$
DECLARE
    parent    text := current_schema() || '.geometrias';
    premake   integer;
    m         timestamptz;
    target    name;
    n         bigint;
    moved     bigint := 0;
    months    text[] := '{}';
    made      integer := 0;
    stranded  bigint;
    horizon   timestamptz;
BEGIN
    SELECT c.premake INTO premake FROM partman.part_config c WHERE c.parent_table = parent;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'geometrias_maintenance_reorganize: % is not managed by pg_partman (no partman.part_config row): is OPT4 applied?', parent;
    END IF;
    -- pg_partman's own lock (run_maintenance only tries it and silently skips when another run
    -- holds it): wait for it instead, so this run never skips; taken for the whole transaction.
    PERFORM pg_advisory_xact_lock(hashtext('pg_partman run_maintenance'));

    FOR m IN SELECT DISTINCT date_trunc('month', d.created_at) FROM geometrias_default d
              WHERE isfinite(d.created_at) ORDER BY 1 LOOP
        -- out of the default first: a partition cannot be attached while the default holds rows of its range
        EXECUTE 'CREATE TEMP TABLE IF NOT EXISTS geometrias_reorganize_stage (LIKE geometrias_default) ON COMMIT DROP';
        EXECUTE 'WITH d AS (DELETE FROM geometrias_default WHERE created_at >= $1 AND created_at < $2 RETURNING *)
                 INSERT INTO geometrias_reorganize_stage SELECT * FROM d'
          USING m, m + interval '1 month';
        GET DIAGNOSTICS n = ROW_COUNT;
        PERFORM partman.create_partition_time(parent, ARRAY[m], false);
        SELECT p.partition_name INTO target FROM geometrias_partitions() p
         WHERE NOT p.is_default AND p.range_from <= m AND m < p.range_to;
        IF target IS NULL THEN
            RAISE EXCEPTION 'geometrias_maintenance_reorganize: pg_partman created no partition for % (is a table named geometrias_p% left detached?)',
                to_char(m, 'YYYY-MM'), to_char(m, 'YYYY_MM');
        END IF;
        -- straight into the partition: a move, not a new row (OPT5's statement triggers on the parent stay quiet)
        EXECUTE format('INSERT INTO %I SELECT * FROM geometrias_reorganize_stage', target);
        EXECUTE 'TRUNCATE geometrias_reorganize_stage';
        moved := moved + n;
        months := months || to_char(m, 'YYYY-MM');
    END LOOP;

    PERFORM partman.run_maintenance(p_parent_table := parent, p_jobmon := false);

    horizon := now() + premake * interval '1 month';
    FOR m IN SELECT g FROM generate_series(date_trunc('month', now()), horizon, interval '1 month') AS g
              WHERE NOT EXISTS (SELECT 1 FROM geometrias_partitions() p
                                 WHERE NOT p.is_default AND p.range_from <= g AND g < p.range_to) LOOP
        IF NOT partman.create_partition_time(parent, ARRAY[m], false) THEN
            RAISE EXCEPTION 'geometrias_maintenance_reorganize: pg_partman created no partition for % (is a table named geometrias_p% left detached?)',
                to_char(m, 'YYYY-MM'), to_char(m, 'YYYY_MM');
        END IF;
        made := made + 1;
    END LOOP;

    SELECT count(*) INTO stranded FROM geometrias_default;
    RETURN format('moved %s rows out of geometrias_default%s; run_maintenance done, %s more partitions created; every month %s .. %s has a partition%s',
                  moved,
                  CASE WHEN moved > 0 THEN ' into ' || array_to_string(months, ', ') ELSE '' END,
                  made,
                  to_char(now(), 'YYYY-MM'), to_char(horizon, 'YYYY-MM'),
                  CASE WHEN stranded > 0 THEN format(' (%s rows with an infinite created_at stay in the default partition)', stranded) ELSE '' END);
END
$fn$;

COMMENT ON FUNCTION geometrias_maintenance_reorganize() IS
'OPT4 task "reorg" (pg_cron job <schema>:partman-maintenance, hourly at :05 UTC): moves rows parked in geometrias_default into a partition of their own month (created through pg_partman), runs partman.run_maintenance for this table (premake 36 months), then creates any month of the horizon [this month, now + premake] still missing. Returns a summary.';

-- Task "constraint-check": raises (SQLSTATE 23514, so the pg_cron run is "failed") when the
-- partition scheme is not what OPT4 promises. Read-only except for validating NOT VALID constraints.
CREATE FUNCTION geometrias_maintenance_constraint_check()
RETURNS text
LANGUAGE plpgsql
AS $fn$
DECLARE
    parent     text := current_schema() || '.geometrias';
    premake    integer;
    problems   text[] := '{}';
    r          record;
    n          bigint;
    lo         timestamptz;
    hi         timestamptz;
    missing    text;
    parts      integer := 0;
    validated  integer := 0;
BEGIN
    SELECT c.premake INTO premake FROM partman.part_config c WHERE c.parent_table = parent;
    IF NOT FOUND THEN
        problems := problems || format('%s has no partman.part_config row: pg_partman does not maintain it', parent);
    END IF;

    -- 1. every range partition is one whole UTC calendar month named geometrias_pYYYY_MM
    --    (pg_partman finds existing months by name; a misnamed one would be created twice)
    FOR r IN SELECT * FROM geometrias_partitions() p WHERE NOT p.is_default LOOP
        parts := parts + 1;
        IF r.range_from IS NULL OR r.range_from <> date_trunc('month', r.range_from)
           OR r.range_to <> r.range_from + interval '1 month'
           OR r.partition_name <> 'geometrias_p' || to_char(r.range_from, 'YYYY_MM') THEN
            problems := problems || format('partition %s is not one UTC month named geometrias_pYYYY_MM (bounds %s .. %s)',
                                           r.partition_name, r.range_from, r.range_to);
        END IF;
    END LOOP;

    -- 2. the premake horizon: a partition for every month from this one to now + premake months
    SELECT string_agg(to_char(g, 'YYYY-MM'), ', ' ORDER BY g) INTO missing
      FROM generate_series(date_trunc('month', now()), now() + coalesce(premake, 36) * interval '1 month', interval '1 month') AS g
     WHERE NOT EXISTS (SELECT 1 FROM geometrias_partitions() p WHERE NOT p.is_default AND p.range_from <= g AND g < p.range_to);
    IF missing IS NOT NULL THEN
        problems := problems || format('no partition for %s (premake %s months): the partman-maintenance job is not keeping up',
                                       missing, coalesce(premake, 36));
    END IF;

    -- 3. rows outside every monthly partition: parked in the default partition
    SELECT count(*), min(created_at), max(created_at) INTO n, lo, hi FROM geometrias_default;
    IF n > 0 THEN
        problems := problems || format('%s rows in geometrias_default (created_at %s .. %s) lie outside every monthly partition; geometrias_maintenance_reorganize() moves them',
                                       n, lo, hi);
    END IF;

    -- 4. rows outside their partition's bounds (PostgreSQL enforces the bounds on every write and
    --    at ATTACH, so this only catches a damaged catalog; two index range probes per partition)
    FOR r IN SELECT * FROM geometrias_partitions() p WHERE NOT p.is_default AND p.range_from IS NOT NULL LOOP
        EXECUTE format('SELECT count(*) FROM %I WHERE created_at < $1 OR created_at >= $2', r.partition_name)
           INTO n USING r.range_from, r.range_to;
        IF n > 0 THEN
            problems := problems || format('%s rows of %s lie outside its bounds %s .. %s', n, r.partition_name, r.range_from, r.range_to);
        END IF;
    END LOOP;

    -- 5. NOT VALID constraints on the table or its partitions: validated now, or reported
    FOR r IN SELECT con.conname, con.conrelid::regclass AS rel
               FROM pg_constraint con
              WHERE NOT con.convalidated
                AND (con.conrelid = 'geometrias'::regclass
                     OR con.conrelid IN (SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = 'geometrias'::regclass))
              ORDER BY 2, 1 LOOP
        BEGIN
            EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', r.rel, r.conname);
            validated := validated + 1;
        EXCEPTION WHEN OTHERS THEN
            problems := problems || format('constraint %s on %s does not hold: %s', r.conname, r.rel, SQLERRM);
        END;
    END LOOP;

    IF cardinality(problems) > 0 THEN
        RAISE EXCEPTION 'geometrias constraint check failed in schema % (% problem%): %', current_schema(),
              cardinality(problems), CASE WHEN cardinality(problems) > 1 THEN 's' ELSE '' END, array_to_string(problems, '; ')
              USING ERRCODE = 'check_violation',
                    HINT = format('run SELECT %I.geometrias_maintenance_reorganize() and look at cron.job_run_details', current_schema());
    END IF;
    RETURN format('ok: %s monthly partitions, every month %s .. %s has one, geometrias_default is empty%s', parts,
                  to_char(now(), 'YYYY-MM'), to_char(now() + premake * interval '1 month', 'YYYY-MM'),
                  CASE WHEN validated > 0 THEN format(', %s NOT VALID constraints validated', validated) ELSE '' END);
END
$fn$;

COMMENT ON FUNCTION geometrias_maintenance_constraint_check() IS
'OPT4 task "constraint-check" (pg_cron job <schema>:constraint-check, hourly at :35 UTC): raises SQLSTATE 23514 naming every problem when a partition is not one UTC month named geometrias_pYYYY_MM, a month of the premake horizon has no partition, rows sit in geometrias_default, rows lie outside their partition''s bounds, or a NOT VALID constraint does not hold (valid ones are validated). Returns a summary when all is well.';

-- Task "analyze": autovacuum analyzes partitions but never the partitioned table itself, so the
-- statistics of geometrias as a whole (used when a query is not pruned to few partitions) only
-- come from a manual ANALYZE. In PG15 that ANALYZE also re-analyzes every partition, so it runs
-- when the parent's statistics are older than parent_max_age; otherwise only partitions that were
-- never analyzed (new ones) or changed by more than 10% since their last analyze are analyzed.
CREATE FUNCTION geometrias_maintenance_analyze(parent_max_age interval DEFAULT interval '20 hours')
RETURNS text
LANGUAGE plpgsql
AS $fn$
DECLARE
    last_parent timestamptz;
    r           record;
    done        text[] := '{}';
BEGIN
    SELECT greatest(s.last_analyze, s.last_autoanalyze) INTO last_parent
      FROM pg_stat_user_tables s WHERE s.relid = 'geometrias'::regclass;
    IF last_parent IS NULL OR last_parent < now() - parent_max_age THEN
        ANALYZE geometrias;
        RETURN format('analyzed geometrias and its %s partitions (parent statistics were %s)',
                      (SELECT count(*) FROM geometrias_partitions()),
                      coalesce('from ' || last_parent::text, 'missing'));
    END IF;
    FOR r IN SELECT p.partition_name
               FROM geometrias_partitions() p
               JOIN pg_stat_user_tables s ON s.relid = format('%I', p.partition_name)::regclass
              WHERE greatest(s.last_analyze, s.last_autoanalyze) IS NULL
                 OR s.n_mod_since_analyze > 50 + 0.1 * s.n_live_tup
              ORDER BY 1 LOOP
        EXECUTE format('ANALYZE %I', r.partition_name);
        done := done || r.partition_name::text;
    END LOOP;
    RETURN format('analyzed %s partitions%s (parent statistics from %s)', cardinality(done),
                  CASE WHEN cardinality(done) > 0 THEN ': ' || array_to_string(done, ', ') ELSE '' END, last_parent);
END
$fn$;

COMMENT ON FUNCTION geometrias_maintenance_analyze(interval) IS
'OPT4 task "analyze" (pg_cron job <schema>:analyze, daily at 02:15 UTC): ANALYZE geometrias (the partitioned table and, in PG15, every partition) when its statistics are older than parent_max_age (autovacuum never analyzes a partitioned table); otherwise ANALYZE only partitions never analyzed or changed by > 10% since. Returns a summary.';

DO $$
DECLARE
    s text := current_schema();
    f regprocedure;
    pinned integer := 0;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = to_regnamespace(s)
                AND p.proname IN ('geometrias_partitions', 'geometrias_maintenance_reorganize',
                                  'geometrias_maintenance_constraint_check', 'geometrias_maintenance_analyze') LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, public', f, s);
        EXECUTE format('ALTER FUNCTION %s SET TimeZone = %L', f, 'UTC');
        pinned := pinned + 1;
    END LOOP;
    IF pinned <> 4 THEN
        RAISE EXCEPTION 'OPT4: expected 4 functions in %, found %', s, pinned;
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- First runs, in this transaction: anything broken fails the migration rather than the first job.
SELECT geometrias_maintenance_reorganize();
SELECT geometrias_maintenance_analyze();
SELECT geometrias_maintenance_constraint_check();

-- The four jobs. Jobs of the same names left over from an earlier OPT4 on a schema that
-- `dataset generate` has since recreated are removed first (cron.schedule would update their
-- schedule and command but keep them inactive if someone had paused them).
DO $$
DECLARE
    s text := current_schema();
    names text[] := ARRAY[s || ':partman-maintenance', s || ':constraint-check', s || ':analyze', s || ':vacuum'];
    n integer;
BEGIN
    SELECT count(cron.unschedule(j.jobid)) INTO n FROM cron.job j WHERE j.jobname = ANY (names);
    IF n > 0 THEN
        RAISE NOTICE 'OPT4: replaced % pg_cron jobs left over from an earlier OPT4 on a regenerated %', n, s;
    END IF;
    PERFORM cron.schedule(s || ':partman-maintenance', '5 * * * *',  format('SELECT %I.geometrias_maintenance_reorganize()', s));
    PERFORM cron.schedule(s || ':constraint-check',    '35 * * * *', format('SELECT %I.geometrias_maintenance_constraint_check()', s));
    PERFORM cron.schedule(s || ':analyze',             '15 2 * * *', format('SELECT %I.geometrias_maintenance_analyze()', s));
    PERFORM cron.schedule(s || ':vacuum',              '15 3 * * *', format('VACUUM (SKIP_LOCKED) %I.geometrias', s));
END
$$;
