import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { schemaJobRuns, schemaJobs } from '../../bench/evidence/cron-jobs.ts';
import { measureMaintenance } from '../../bench/validate/maintenance-cost.ts';
import type { ValidateContext } from '../../bench/validate/types.ts';

/**
 * OPT4 (pg_partman + pg_cron partition maintenance) and OPT5 (scheduled, logged MV refreshes and a
 * trigger-maintained live summary) on a tiny dataset in a schema of their own, on the real chain
 * baseline → OPT1 → OPT2 → OPT3 → OPT4 → OPT5 from sql/. pg_cron jobs and the partman.part_config
 * row live outside the data schema, so they are removed explicitly before and after (dropping
 * the schema does not remove them). Jobs are paused as soon as their definitions are checked, so
 * a scheduled run cannot move rows under the test's feet.
 */
const SCHEMA = 'geobench_opt45test';
const PARENT = `${SCHEMA}.geometrias`;
const SCALE = '0.002';
const OPT4_JOBS = ['analyze', 'constraint-check', 'partman-maintenance', 'vacuum'].map((j) => `${SCHEMA}:${j}`);
const OPT5_JOBS = ['refresh-by_layer', 'refresh-layer_day', 'refresh-layer_tag', 'refresh-search', 'refresh-tile'].map((j) => `${SCHEMA}:${j}`);
const TRIGGERS = ['geometrias_layer_day_live_delete', 'geometrias_layer_day_live_insert', 'geometrias_layer_day_live_truncate', 'geometrias_layer_day_live_update'];

const cli = (...args: string[]) => runCli(['--schema', SCHEMA, ...args]);

type Row = Record<string, unknown>;
const rowsOf = async (c: pg.Client, sql: string, params: unknown[] = []): Promise<Row[]> => (await c.query(sql, params)).rows as Row[];
const one = async (c: pg.Client, sql: string, params: unknown[] = []): Promise<Row> => (await rowsOf(c, sql, params))[0]!;

async function inSchema<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const target = await testDatabase();
  return withClient(target, async (c) => {
    await c.query(`SET search_path = ${SCHEMA}, public`);
    return fn(c);
  });
}

/** Runs `fn`, expecting it to throw; returns the error. */
async function rejects(fn: () => Promise<unknown>, what: string): Promise<{ code?: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  assert.unreachable(`${what} should have failed`);
  throw new Error('unreachable');
}

/** Everything OPT4/OPT5 leave outside the data schema, then the schemas themselves. */
async function cleanup(): Promise<void> {
  const target = await testDatabase();
  await withClient(target, async (c) => {
    await c.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE starts_with(jobname, $1) AND username = current_user`, [`${SCHEMA}:`]);
    await c.query(`DELETE FROM cron.job WHERE starts_with(jobname, $1)`, [`${SCHEMA}:`]);
    const cfg = await rowsOf(c, `SELECT template_table FROM partman.part_config WHERE parent_table = $1`, [PARENT]);
    await c.query(`DELETE FROM partman.part_config WHERE parent_table = $1`, [PARENT]);
    for (const r of cfg) if (r.template_table) await c.query(`DROP TABLE IF EXISTS ${String(r.template_table)}`);
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA}_api CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });
}

/** Relations (with kind), functions and triggers of the data schema: what a rollback must restore. */
async function catalogSnapshot(c: pg.Client): Promise<string[]> {
  return (await rowsOf(c, `
    SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS o FROM pg_class c WHERE c.relnamespace = $1::regnamespace
    UNION ALL SELECT 'fn ' || p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
    UNION ALL SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
               WHERE c.relnamespace = $1::regnamespace AND NOT t.tgisinternal
    ORDER BY 1`, [SCHEMA])).map((r) => String(r.o));
}

async function jobs(c: pg.Client): Promise<Row[]> {
  return rowsOf(c, `SELECT jobid, jobname, schedule, command, active FROM cron.job WHERE starts_with(jobname, $1) ORDER BY jobname`, [`${SCHEMA}:`]);
}

/** The live summary and a fresh GROUP BY over geometrias, rows that differ either way. */
const LIVE_DIFF = `
  WITH fresh AS (
    SELECT layer_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n,
           count(*) FILTER (WHERE ST_Dimension(geom) = 0) AS n_point,
           count(*) FILTER (WHERE ST_Dimension(geom) = 1) AS n_line,
           count(*) FILTER (WHERE ST_Dimension(geom) = 2) AS n_polygon,
           min(created_at) AS first_created_at, max(created_at) AS last_created_at
      FROM geometrias GROUP BY 1, 2),
  live AS (SELECT layer_id, day, n, n_point, n_line, n_polygon, first_created_at, last_created_at FROM geometrias_layer_day_live)
  SELECT 'missing from live' AS side, * FROM (SELECT * FROM fresh EXCEPT SELECT * FROM live) a
  UNION ALL SELECT 'extra in live', * FROM (SELECT * FROM live EXCEPT SELECT * FROM fresh) b`;

async function assertLiveExact(c: pg.Client, when: string): Promise<void> {
  const diff = await rowsOf(c, LIVE_DIFF);
  assert.equal(diff, [], `live summary differs from a fresh GROUP BY ${when}: ${JSON.stringify(diff.slice(0, 4))}`);
}

let afterOpt3: string[] = [];
let opt1Partitions: string[] = [];
/** uvu does not report an error thrown by a before hook, so setup failures are rethrown by every test. */
let setupError: unknown;

async function setup(): Promise<void> {
  await cleanup();
  const gen = await cli('dataset', 'generate', '--scale', SCALE, '--seed', '45');
  assert.is(gen.code, 0, gen.stderr);
  const opt1 = await cli('migrate', 'up', '--to', 'OPT1');
  assert.is(opt1.code, 0, opt1.stderr);
  opt1Partitions = await inSchema(async (c) => (await rowsOf(c, `
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'geometrias'::regclass ORDER BY 1`)).map((r) => String(r.relname)));
  const opt3 = await cli('migrate', 'up', '--to', 'OPT3');
  assert.is(opt3.code, 0, opt3.stderr);
  afterOpt3 = await inSchema(catalogSnapshot);
}

test.before(async () => {
  try {
    await setup();
  } catch (err) {
    setupError = err;
  }
});

test.before.each(() => {
  if (setupError) throw setupError;
});

test.after(async () => {
  await cleanup();
});

test('migrate up --to OPT5 on top of OPT3, then dataset verify passes', async () => {
  const up = await cli('migrate', 'up', '--to', 'OPT5');
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /applied: OPT4, OPT5/);
  const verify = await cli('dataset', 'verify');
  assert.is(verify.code, 0, verify.stderr + verify.stdout);
});

test('OPT4 + OPT5: 9 pg_cron jobs named with the schema, schema-qualified, active, on distinct minutes', async () => {
  await inSchema(async (c) => {
    const all = await jobs(c);
    assert.equal(all.map((j) => j.jobname), [...OPT4_JOBS, ...OPT5_JOBS].sort());
    for (const j of all) {
      assert.ok(j.active, `${String(j.jobname)} active`);
      assert.ok(String(j.command).includes(`${SCHEMA}.`), `${String(j.jobname)} command is schema-qualified: ${String(j.command)}`);
    }
    const byName = new Map(all.map((j) => [String(j.jobname), j]));
    assert.is(byName.get(`${SCHEMA}:partman-maintenance`)!.command, `SELECT ${SCHEMA}.geometrias_maintenance_reorganize()`);
    assert.is(byName.get(`${SCHEMA}:vacuum`)!.command, `VACUUM (SKIP_LOCKED) ${SCHEMA}.geometrias`);
    assert.is(byName.get(`${SCHEMA}:refresh-search`)!.command, `SELECT ${SCHEMA}.refresh_view_logged('vw_geometrias_search')`);
    // staggered: no two jobs of this schema share a minute (hourly/15-min jobs: the minute field)
    const minutes = all.filter((j) => !/^\d+ \d+ \* \* \*$/.test(String(j.schedule))).flatMap((j) => String(j.schedule).split(' ')[0]!.split(','));
    assert.is(new Set(minutes).size, minutes.length, `distinct minutes: ${minutes.join(' ')}`);
    // paused for the rest of the test: a scheduled run must not move rows while tests look at them
    await c.query(`SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE starts_with(jobname, $1)`, [`${SCHEMA}:`]);
  });
});

test('only jobs owned by the connecting role are the schema\'s: a look-alike job of another user is left out (issue 15)', async () => {
  await inSchema(async (c) => {
    const name = `${SCHEMA}:foreign-job`;
    // Written straight into cron.job (as the superuser may) so it is owned by another user without creating a role.
    const { rows } = await c.query<{ jobid: string }>(`INSERT INTO cron.job (schedule, command, nodename, nodeport, database, username, jobname, active)
      VALUES ('0 0 1 1 *', 'SELECT 1', 'localhost', 5432, current_database(), 'someone_else', $1, false) RETURNING jobid`, [name]);
    const jobid = rows[0]!.jobid;
    try {
      await c.query(`INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
        VALUES ($1, nextval('cron.runid_seq'), 0, current_database(), 'someone_else', 'SELECT 1', 'succeeded', 'x', now(), now())`, [jobid]);
      const mine = (await schemaJobs(c, SCHEMA))!.map((j) => j.jobname);
      assert.equal(mine, [...OPT4_JOBS, ...OPT5_JOBS].sort());
      const runs = await schemaJobRuns(c, SCHEMA, new Date(Date.now() - 3600_000).toISOString());
      assert.ok(!runs.some((r) => r.jobname === name), `a run of another user's job was counted: ${JSON.stringify(runs)}`);
    } finally {
      await c.query('DELETE FROM cron.job_run_details WHERE jobid = $1', [jobid]);
      await c.query('DELETE FROM cron.job WHERE jobid = $1', [jobid]);
    }
  });
});

test('OPT4: pg_partman manages geometrias (premake 36) and every month from the data to now + 36 months has a partition', async () => {
  await inSchema(async (c) => {
    const cfg = await one(c, `SELECT partition_type, partition_interval, control, premake, infinite_time_partitions, ignore_default_data,
                                     automatic_maintenance, template_table FROM partman.part_config WHERE parent_table = $1`, [PARENT]);
    assert.equal(
      { ...cfg, template_table: undefined },
      { partition_type: 'native', partition_interval: '1 mon', control: 'created_at', premake: 36, infinite_time_partitions: true,
        ignore_default_data: true, automatic_maintenance: 'off', template_table: undefined },
    );
    assert.ok((await one(c, `SELECT to_regclass($1) IS NOT NULL AS ok`, [cfg.template_table])).ok, 'template table exists');
    // contiguous UTC months from OPT1's first month through the month of now() + 36 months, plus the default
    const parts = await rowsOf(c, `
      SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'geometrias'::regclass ORDER BY 1`);
    const expected = await rowsOf(c, `
      SELECT 'geometrias_p' || to_char(m, 'YYYY_MM') AS relname,
             format('FOR VALUES FROM (%L) TO (%L)', m, m + interval '1 month') AS bound
        FROM generate_series(timestamptz '2023-01-01 00:00:00+00', date_trunc('month', now() + interval '36 months'), interval '1 month') AS m
      UNION ALL SELECT 'geometrias_default', 'DEFAULT' ORDER BY 1`);
    assert.equal(parts, expected);
    const last = String(parts.filter((p) => p.relname !== 'geometrias_default').at(-1)!.relname);
    assert.ok(last >= 'geometrias_p2029_11', `premade through ${last} ("2029 plus")`);
    // OPT1's partitions were adopted, not recreated: recorded for the rollback, with the data's months
    const recorded = (await rowsOf(c, `SELECT partition_name FROM geometrias_opt1_partitions ORDER BY 1`)).map((r) => String(r.partition_name));
    assert.equal(recorded, opt1Partitions);
    assert.is(recorded.length, 37, '36 months of data + the default partition');
    // pg_partman's partitions carry the table's indexes like OPT1's
    const idx = await one(c, `
      SELECT count(*) FILTER (WHERE c.relname = $1) AS future, count(*) FILTER (WHERE c.relname = 'geometrias_p2024_06') AS opt1
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
       WHERE c.relnamespace = $2::regnamespace`, [last, SCHEMA]);
    assert.ok(Number(idx.opt1) >= 3, `${idx.opt1} indexes on an OPT1 partition of this schema`);
    assert.is(Number(idx.future), Number(idx.opt1));
  });
});

test('OPT4: each maintenance task runs when called directly (and VACUUM as its job command)', async () => {
  await inSchema(async (c) => {
    assert.match(String((await one(c, `SELECT geometrias_maintenance_reorganize() AS r`)).r), /^moved 0 rows out of geometrias_default; run_maintenance done, 0 more partitions created; every month \d{4}-\d\d \.\. \d{4}-\d\d has a partition$/);
    assert.match(String((await one(c, `SELECT geometrias_maintenance_constraint_check() AS r`)).r), /^ok: \d+ monthly partitions, every month/);
    assert.match(String((await one(c, `SELECT geometrias_maintenance_analyze(interval '0 seconds') AS r`)).r), /^analyzed geometrias and its \d+ partitions/);
    assert.match(String((await one(c, `SELECT geometrias_maintenance_analyze() AS r`)).r), /^analyzed \d+ partitions/);
    const vacuum = (await jobs(c)).find((j) => j.jobname === `${SCHEMA}:vacuum`)!;
    await c.query(String(vacuum.command));
  });
});

test('OPT4: a row beyond the premade months lands in the default partition; the check fails; reorganize moves it to its month', async () => {
  await inSchema(async (c) => {
    const row = await one(c, `
      INSERT INTO geometrias (layer_id, created_at, updated_at, props, geom)
      VALUES (7, '2035-06-15 12:00:00+00', now(), '{"name": "far future (opt45)", "tag": "t", "source": 9}', 'SRID=4326;POINT(-46.6 -23.5)')
      RETURNING id`);
    assert.is((await one(c, `SELECT tableoid::regclass::text AS part FROM geometrias WHERE id = $1`, [row.id])).part, 'geometrias_default');
    const err = await rejects(() => c.query(`SELECT geometrias_maintenance_constraint_check()`), 'constraint check with a row in the default partition');
    assert.is(err.code, '23514');
    assert.match(err.message, /1 rows in geometrias_default \(created_at 2035-06-15 12:00:00\+00 \.\. 2035-06-15 12:00:00\+00\) lie outside every monthly partition/);
    assert.match(String((await one(c, `SELECT geometrias_maintenance_reorganize() AS r`)).r), /^moved 1 rows out of geometrias_default into 2035-06;/);
    const moved = await one(c, `SELECT g.tableoid::regclass::text AS part, pg_get_expr(k.relpartbound, k.oid) AS bound
                                  FROM geometrias g JOIN pg_class k ON k.oid = g.tableoid WHERE g.id = $1`, [row.id]);
    assert.equal(moved, { part: 'geometrias_p2035_06', bound: `FOR VALUES FROM ('2035-06-01 00:00:00+00') TO ('2035-07-01 00:00:00+00')` });
    assert.match(String((await one(c, `SELECT geometrias_maintenance_constraint_check() AS r`)).r), /^ok:/);
    // the move went straight into the partition: the live summary still counts the row once
    await assertLiveExact(c, 'after reorganize');
    // the row stays: the OPT4 rollback must move it back into OPT1's default partition
  });
});

test('OPT4: the constraint check raises on a missing month of the horizon and on a NOT VALID constraint that does not hold', async () => {
  await inSchema(async (c) => {
    const month = String((await one(c, `SELECT to_char(now() + interval '12 months', 'YYYY_MM') AS m`)).m);
    await c.query('BEGIN');
    try {
      await c.query(`ALTER TABLE geometrias DETACH PARTITION geometrias_p${month}`);
      await c.query('SAVEPOINT a');
      let err = await rejects(() => c.query(`SELECT geometrias_maintenance_constraint_check()`), 'check with a missing month');
      assert.is(err.code, '23514');
      assert.match(err.message, new RegExp(`no partition for ${month.replace('_', '-')} \\(premake 36 months\\)`));
      await c.query('ROLLBACK TO a');
      // reorganize cannot recreate a month whose table name is taken by the detached table: it says so
      err = await rejects(() => c.query(`SELECT geometrias_maintenance_reorganize()`), 'reorganize with a detached month');
      assert.match(err.message, new RegExp(`created no partition for ${month.replace('_', '-')} \\(is a table named geometrias_p${month} left detached\\?\\)`));
      await c.query('ROLLBACK TO a');
      await c.query(`ALTER TABLE geometrias ATTACH PARTITION geometrias_p${month} FOR VALUES FROM ('${month.replace('_', '-')}-01 00:00:00+00') TO ('${month.replace('_', '-')}-01 00:00:00+00'::timestamptz + interval '1 month')`);
      await c.query(`ALTER TABLE geometrias_p2024_03 ADD CONSTRAINT opt45_bad CHECK (layer_id < 0) NOT VALID`);
      await c.query(`ALTER TABLE geometrias_p2024_04 ADD CONSTRAINT opt45_good CHECK (layer_id > 0) NOT VALID`);
      await c.query('SAVEPOINT b');
      err = await rejects(() => c.query(`SELECT geometrias_maintenance_constraint_check()`), 'check with a violated NOT VALID constraint');
      assert.is(err.code, '23514');
      assert.match(err.message, /\(1 problem\): constraint opt45_bad on geometrias_p2024_03 does not hold: check constraint "opt45_bad" of relation "geometrias_p2024_03" is violated by some row/);
      await c.query('ROLLBACK TO b');
      await c.query(`ALTER TABLE geometrias_p2024_03 DROP CONSTRAINT opt45_bad`);
      assert.match(String((await one(c, `SELECT geometrias_maintenance_constraint_check() AS r`)).r), /, 1 NOT VALID constraints validated$/);
      assert.ok((await one(c, `SELECT convalidated FROM pg_constraint WHERE conname = 'opt45_good'`)).convalidated);
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

test('OPT5: the trigger keeps geometrias_layer_day_live equal to a fresh GROUP BY through inserts, updates, deletes and TRUNCATE', async () => {
  await inSchema(async (c) => {
    await assertLiveExact(c, 'right after the migration');
    const triggers = await rowsOf(c, `SELECT tgname FROM pg_trigger WHERE tgrelid = 'geometrias'::regclass AND NOT tgisinternal ORDER BY 1`);
    assert.equal(triggers.map((t) => t.tgname), TRIGGERS);
    // Only rows written here (ids from geometrias_id_seq, which `dataset verify` ignores) are changed.
    const mine = `id >= 1000000000000 AND props->>'name' LIKE 'opt45 %'`;
    // 1. a multi-row insert: points, lines, polygons over 2024 (groups shared with the dataset) and 2027 (new groups)
    await c.query(`
      INSERT INTO geometrias (layer_id, created_at, updated_at, props, geom)
      SELECT 1 + (i % 13), ts, ts, jsonb_build_object('name', 'opt45 ' || i, 'tag', 't' || (i % 3), 'source', 9),
             CASE i % 3 WHEN 0 THEN ST_SetSRID(ST_MakePoint(-46.6 + i * 1e-4, -23.5), 4326)
                        WHEN 1 THEN ST_SetSRID(ST_MakeLine(ST_MakePoint(-46.6, -23.5), ST_MakePoint(-46.6 + i * 1e-4, -23.4)), 4326)
                        ELSE ST_SetSRID(ST_Buffer(ST_MakePoint(-46.6, -23.5), 0.001 + i * 1e-6, 2), 4326) END
        FROM generate_series(1, 300) AS i,
             LATERAL (SELECT CASE WHEN i % 2 = 0 THEN timestamptz '2024-03-01 00:00:00+00' ELSE timestamptz '2027-01-01 00:00:00+00' END
                             + (i % 10) * interval '1 day' + i * interval '7 minutes' AS ts) AS t`);
    await assertLiveExact(c, 'after a 300-row insert');
    // 2. updates: across partitions (month), across layers, across kinds, props only, and a no-op
    await c.query(`UPDATE geometrias SET created_at = created_at + interval '40 days' WHERE ${mine} AND props->>'name' LIKE '%1'`);
    await c.query(`UPDATE geometrias SET layer_id = layer_id + 20 WHERE ${mine} AND props->>'name' LIKE '%2'`);
    await c.query(`UPDATE geometrias SET geom = ST_Centroid(geom) WHERE ${mine} AND props->>'name' LIKE '%3'`);
    await c.query(`UPDATE geometrias SET props = props || '{"tag": "changed"}' WHERE ${mine} AND props->>'name' LIKE '%4'`);
    await c.query(`UPDATE geometrias SET updated_at = updated_at WHERE ${mine}`);
    await assertLiveExact(c, 'after updates');
    // 3. deletes: the first and the last row of groups (first/last created_at recomputed), then whole groups
    await c.query(`DELETE FROM geometrias WHERE id IN (
      SELECT DISTINCT ON (layer_id, (created_at AT TIME ZONE 'UTC')::date) id FROM geometrias WHERE ${mine}
       ORDER BY layer_id, (created_at AT TIME ZONE 'UTC')::date, created_at)`);
    await c.query(`DELETE FROM geometrias WHERE id IN (
      SELECT DISTINCT ON (layer_id, (created_at AT TIME ZONE 'UTC')::date) id FROM geometrias WHERE ${mine}
       ORDER BY layer_id, (created_at AT TIME ZONE 'UTC')::date, created_at DESC)`);
    await assertLiveExact(c, 'after deleting the first and last rows of groups');
    await c.query(`DELETE FROM geometrias WHERE ${mine} AND created_at >= '2027-01-01'`);
    const gone = await one(c, `SELECT count(*)::int AS n FROM geometrias_layer_day_live WHERE day >= '2027-01-01' AND day < '2035-01-01'`);
    assert.is(gone.n, 0, 'groups emptied by a delete are removed');
    // 4. everything in one transaction, including an insert and a delete of the same row
    await c.query('BEGIN');
    await c.query(`INSERT INTO geometrias (layer_id, created_at, updated_at, props, geom)
                   VALUES (3, '2024-03-05 00:00:00+00', now(), '{"name": "opt45 tx", "source": 9}', 'SRID=4326;POINT(0 0)')`);
    await c.query(`UPDATE geometrias SET created_at = '2024-03-06 00:00:00+00' WHERE ${mine} AND props->>'name' = 'opt45 tx'`);
    await c.query(`DELETE FROM geometrias WHERE ${mine} AND props->>'name' = 'opt45 tx'`);
    await c.query('COMMIT');
    await assertLiveExact(c, 'after one transaction of several statements');
    await c.query(`DELETE FROM geometrias WHERE ${mine} AND created_at < '2035-01-01'`);
    await assertLiveExact(c, 'after deleting every row written here');
    // 5. TRUNCATE empties the summary (rolled back: the dataset stays)
    await c.query('BEGIN');
    try {
      await c.query('TRUNCATE geometrias');
      assert.is((await one(c, `SELECT count(*)::int AS n FROM geometrias_layer_day_live`)).n, 0);
      await assertLiveExact(c, 'after TRUNCATE');
    } finally {
      await c.query('ROLLBACK');
    }
    await assertLiveExact(c, 'after TRUNCATE was rolled back');
  });
});

test('OPT5: refresh_view_logged refreshes a view and logs it; skips when the view is being refreshed; rejects other names', async () => {
  await inSchema(async (c) => {
    const entry = await one(c, `SELECT * FROM refresh_view_logged('vw_geometrias_layer_day')`);
    assert.is(entry.view_name, 'vw_geometrias_layer_day');
    assert.is(entry.status, 'refreshed');
    assert.is(entry.concurrent, true);
    assert.is(entry.client, 'geobench', 'the caller\'s application_name');
    assert.ok(Number(entry.duration_ms) > 0 && (entry.finished_at as Date) >= (entry.started_at as Date));
    assert.is(Number(entry.rows), Number((await one(c, `SELECT count(*) AS n FROM vw_geometrias_layer_day`)).n));
    const logged = await rowsOf(c, `SELECT id FROM mv_refresh_log WHERE view_name = 'vw_geometrias_layer_day'`);
    assert.equal(logged.map((r) => String(r.id)), [String(entry.id)]);
    // freshly refreshed, the view's counts equal the trigger-maintained summary
    const diff = await one(c, `SELECT count(*)::int AS n FROM (
      (SELECT layer_id, day, n, n_point, n_line, n_polygon FROM vw_geometrias_layer_day
       EXCEPT SELECT layer_id, day, n, n_point, n_line, n_polygon FROM geometrias_layer_day_live)
      UNION ALL
      (SELECT layer_id, day, n, n_point, n_line, n_polygon FROM geometrias_layer_day_live
       EXCEPT SELECT layer_id, day, n, n_point, n_line, n_polygon FROM vw_geometrias_layer_day)) d`);
    assert.is(diff.n, 0);
    // another session refreshing the same view: this call logs 'skipped' instead of queueing behind it
    const target = await testDatabase();
    await withClient(target, async (other) => {
      await other.query('BEGIN');
      await other.query(`SELECT pg_advisory_xact_lock(hashtext('geobench refresh_view_logged'), hashtext($1))`, [`${SCHEMA}.vw_geometrias_by_layer`]);
      const skipped = await one(c, `SELECT status, rows FROM refresh_view_logged('vw_geometrias_by_layer')`);
      assert.equal(skipped, { status: 'skipped', rows: null });
      await other.query('ROLLBACK');
    });
    assert.is((await one(c, `SELECT status FROM refresh_view_logged('vw_geometrias_by_layer', false)`)).status, 'refreshed');
    const err = await rejects(() => c.query(`SELECT refresh_view_logged('geometrias')`), 'refresh of a table');
    assert.is(err.code, '22023');
    assert.match(err.message, /refresh_view_logged: 'geometrias' is not one of the five OPT3 materialized views/);
  });
});

test('down --to OPT3: jobs, triggers, partman config and the months OPT1 did not have are gone, rows kept; verify passes', async () => {
  const down = await cli('migrate', 'down', '--to', 'OPT3');
  assert.is(down.code, 0, down.stderr);
  await inSchema(async (c) => {
    assert.equal(await jobs(c), []);
    assert.equal(await rowsOf(c, `SELECT tgname FROM pg_trigger WHERE tgrelid = 'geometrias'::regclass AND NOT tgisinternal`), []);
    assert.equal(await rowsOf(c, `SELECT parent_table FROM partman.part_config WHERE parent_table = $1`, [PARENT]), []);
    assert.is((await one(c, `SELECT to_regclass('partman.template_${SCHEMA}_geometrias') AS t`)).t, null);
    const parts = (await rowsOf(c, `
      SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'geometrias'::regclass ORDER BY 1`)).map((r) => String(r.relname));
    assert.equal(parts, opt1Partitions);
    // the 2035 row of the reorganize test: back in OPT1's default partition
    const far = await rowsOf(c, `SELECT tableoid::regclass::text AS part FROM geometrias WHERE created_at >= '2035-01-01'`);
    assert.equal(far, [{ part: 'geometrias_default' }]);
    assert.equal(await catalogSnapshot(c), afterOpt3);
  });
  const verify = await cli('dataset', 'verify');
  assert.is(verify.code, 0, verify.stderr + verify.stdout);
});

test('down --to OPT1 then up --to OPT5 again: rows OPT1 kept in its default partition find their months; verify passes', async () => {
  const down = await cli('migrate', 'down', '--to', 'OPT1');
  assert.is(down.code, 0, down.stderr);
  let verify = await cli('dataset', 'verify');
  assert.is(verify.code, 0, verify.stderr + verify.stdout);
  // OPT1 keeps a row of a month without data in its default partition; OPT4 must route it into that month
  await inSchema(async (c) => {
    await c.query(`INSERT INTO geometrias (layer_id, created_at, updated_at, props, geom)
                   VALUES (9, '2027-05-10 08:00:00+00', now(), '{"name": "premade month (opt45)", "source": 9}', 'SRID=4326;POINT(-46.6 -23.5)')`);
    const at = await rowsOf(c, `SELECT tableoid::regclass::text AS part FROM geometrias WHERE created_at >= '2026-01-01' ORDER BY created_at`);
    assert.equal(at, [{ part: 'geometrias_default' }, { part: 'geometrias_default' }]);
  });
  const up = await cli('migrate', 'up', '--to', 'OPT5');
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /applied: OPT2, OPT3, OPT4, OPT5/);
  await inSchema(async (c) => {
    assert.is((await jobs(c)).length, 9);
    const parked = await rowsOf(c, `SELECT tableoid::regclass::text AS part FROM geometrias WHERE created_at >= '2026-01-01' ORDER BY created_at`);
    assert.equal(parked, [{ part: 'geometrias_p2027_05' }, { part: 'geometrias_p2035_06' }],
      'a premade month takes its row back; the migration runs reorganize for the row beyond them: the default partition is empty again');
    await assertLiveExact(c, 'after re-applying OPT5');
    await c.query(`SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE starts_with(jobname, $1)`, [`${SCHEMA}:`]);
  });
  verify = await cli('dataset', 'verify');
  assert.is(verify.code, 0, verify.stderr + verify.stdout);
});

test('maintenance cost: each job timed once after its interval\'s W1 rows, the rows removed after; a job that errors is reported with its error', async () => {
  const target = { ...(await testDatabase()), schema: SCHEMA };
  const broken = `${SCHEMA}:broken`;
  await inSchema((c) => c.query(`SELECT cron.schedule($1, '0 4 * * *', 'SELECT 1/0')`, [broken]));
  const lines: string[] = [];
  const ctx = { server: target, scale: Number(SCALE), seed: 45, signal: new AbortController().signal, log: (l: string) => lines.push(l) } as unknown as ValidateContext;
  try {
    const dataRows = async (): Promise<[number, number]> => inSchema(async (c) => {
      const r = await one(c, 'SELECT count(*) FILTER (WHERE id < 1000000000000) AS data, count(*) FILTER (WHERE id >= 1000000000000) AS workload FROM geometrias');
      return [Number(r.data), Number(r.workload)];
    });
    const before = await dataRows();
    // 1,000 ops/s at full scale × 0.002 (the dataset's scale) × 5% writes: 90 rows per 15 minutes, 360 per hour, 8,640 per day
    const m = await measureMaintenance(ctx, SCHEMA, { opsPerSec: 1000, description: null, source: 'test' });
    const byName = Object.fromEntries(m.jobs!.map((j) => [j.jobname.slice(SCHEMA.length + 1), j]));
    assert.equal(Object.keys(byName).sort(), ['analyze', 'broken', 'constraint-check', 'partman-maintenance', 'refresh-by_layer', 'refresh-layer_day', 'refresh-layer_tag', 'refresh-search', 'refresh-tile', 'vacuum']);
    assert.equal([byName['refresh-by_layer']!.windowRows, byName['refresh-search']!.windowRows, byName.vacuum!.windowRows], [90, 360, 8640]);
    assert.is(m.rowsWritten, 8640);
    for (const [name, j] of Object.entries(byName)) {
      if (name === 'broken') continue;
      assert.ok(j.error === undefined && j.durationMs !== null && j.durationMs > 0, `${name}: ${j.error}`);
      assert.is(j.msPerHour, j.durationMs! * j.runsPerHour);
    }
    assert.is(byName.broken!.durationMs, null);
    assert.match(byName.broken!.error!, /division by zero/);
    assert.equal(m.failures, [`${broken}: division by zero`]);
    assert.equal(await dataRows(), [before[0], 0], 'the dataset kept, the window\'s (workload-id) rows removed');
    await inSchema((c) => assertLiveExact(c, 'after the maintenance window\'s rows were written and removed'));
  } finally {
    await inSchema((c) => c.query(`SELECT cron.unschedule($1)`, [broken]));
  }
});

test.run();
