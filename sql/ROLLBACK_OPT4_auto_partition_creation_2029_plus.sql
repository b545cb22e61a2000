-- Rollback of OPT4: back to OPT1's partitioning with every row kept. One transaction.
--   1. the four pg_cron jobs <data schema>:{partman-maintenance, constraint-check, analyze, vacuum}
--      are unscheduled (their past runs stay in cron.job_run_details);
--   2. pg_partman stops managing geometrias: its partman.part_config row and template table go.
--      partman.undo_partition is NOT used: it would move every row into a new table;
--   3. every partition OPT1 did not have (recorded in geometrias_opt1_partitions by OPT4: the
--      premade future months, the months between the data and the migration, months created by
--      reorganize) is detached and dropped; rows it holds are moved into geometrias_default,
--      where OPT1 keeps rows outside its months (a NOTICE says how many). OPT1's partitions,
--      including its own geometrias_default, were never renamed or rewritten and stay as they are;
--   4. the maintenance functions and geometrias_opt1_partitions are dropped (without CASCADE).
-- Runs with search_path = <variant schema>, public. OPT5, if applied, is rolled back first.

SET LOCAL TimeZone = 'UTC';

DO $$
DECLARE
    s          text := current_schema();
    parent     text := current_schema() || '.geometrias';
    template   text;
    p          record;
    n          bigint;
    moved      bigint := 0;
    dropped    integer := 0;
    missing    text;
BEGIN
    IF to_regclass(format('%I.geometrias_opt1_partitions', s)) IS NULL THEN
        RAISE EXCEPTION 'ROLLBACK_OPT4: %.geometrias_opt1_partitions is missing: OPT4 is not applied to this schema', s;
    END IF;

    -- 1. jobs
    PERFORM cron.unschedule(j.jobid)
       FROM cron.job j
      WHERE j.jobname IN (s || ':partman-maintenance', s || ':constraint-check', s || ':analyze', s || ':vacuum');

    -- 2. pg_partman config (no maintenance can run from here on)
    SELECT c.template_table INTO template FROM partman.part_config c WHERE c.parent_table = parent;
    DELETE FROM partman.part_config_sub WHERE sub_parent = parent;
    DELETE FROM partman.part_config WHERE parent_table = parent;
    IF template IS NOT NULL AND to_regclass(template) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', template::regclass);
    END IF;

    -- 3. partitions OPT1 did not have
    IF NOT EXISTS (SELECT 1 FROM geometrias_partitions() WHERE is_default AND partition_name = 'geometrias_default') THEN
        RAISE EXCEPTION 'ROLLBACK_OPT4: geometrias has no default partition geometrias_default to keep rows of the removed months';
    END IF;
    FOR p IN SELECT g.* FROM geometrias_partitions() g
              WHERE NOT g.is_default
                AND g.partition_name NOT IN (SELECT o.partition_name FROM geometrias_opt1_partitions o)
              ORDER BY g.range_from LOOP
        EXECUTE format('ALTER TABLE geometrias DETACH PARTITION %I', p.partition_name);
        -- the month is no longer covered by a partition, so geometrias_default accepts its rows
        EXECUTE format('INSERT INTO geometrias_default SELECT * FROM %I', p.partition_name);
        GET DIAGNOSTICS n = ROW_COUNT;
        EXECUTE format('DROP TABLE %I', p.partition_name);
        moved := moved + n;
        dropped := dropped + 1;
    END LOOP;
    IF moved > 0 THEN
        RAISE NOTICE 'ROLLBACK_OPT4: % rows of the dropped partitions were moved into geometrias_default', moved;
    END IF;
    SELECT string_agg(o.partition_name, ', ' ORDER BY o.range_from) INTO missing
      FROM geometrias_opt1_partitions o
     WHERE o.partition_name NOT IN (SELECT g.partition_name FROM geometrias_partitions() g);
    IF missing IS NOT NULL THEN
        RAISE NOTICE 'ROLLBACK_OPT4: OPT1 partitions no longer attached (left as they are): %', missing;
    END IF;
    RAISE NOTICE 'ROLLBACK_OPT4: dropped % partitions created since OPT4', dropped;
END
$$;

DROP FUNCTION geometrias_maintenance_analyze(interval);
DROP FUNCTION geometrias_maintenance_constraint_check();
DROP FUNCTION geometrias_maintenance_reorganize();
DROP FUNCTION geometrias_partitions();
DROP TABLE geometrias_opt1_partitions;
