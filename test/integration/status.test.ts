import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { SQL_DIR } from '../../bench/core/paths.ts';
import { rowsForScale } from '../../bench/dataset/model.ts';
import { StatusReportSchema, type StatusReport } from '../../bench/status/model.ts';

/**
 * `geobench status` against a real cluster: a tiny dataset in a schema of its own, migrated to
 * OPT3 (baseline, OPT1, OPT2, OPT3 copied from sql/, so migrations being written next to them do
 * not change this test), then the human and the JSON output checked against the catalogs.
 */
const SCHEMA = 'geobench_statustest';
const EMPTY = 'geobench_statusempty';
const SCALE = '0.002';
const TOTAL_ROWS = rowsForScale(Number(SCALE));
const VIEWS = ['vw_geometrias_by_layer', 'vw_geometrias_layer_day', 'vw_geometrias_layer_tag', 'vw_geometrias_search', 'vw_geometrias_tile'];
const OTHER_JOB = 'geobench_statustestx:analyze';
/** A database of the same cluster without pg_cron (it can only live in cron.database_name's database). */
const NOCRON_DB = 'geobench_statusnocron';

let sqlDir = '';
const cli = (...args: string[]) => runCli(['--schema', SCHEMA, ...args], { GEOBENCH_SQL_DIR: sqlDir });
const db = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => withClient(await testDatabase(), fn);

async function statusJson(): Promise<StatusReport> {
  const res = await cli('status', '--json');
  assert.is(res.code, 0, res.stderr);
  return StatusReportSchema.parse(JSON.parse(res.stdout));
}

async function cleanup(c: pg.Client): Promise<void> {
  await c.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'geobench\\_statustest%' OR command LIKE '%geobench\\_statustest%'`);
  for (const s of [`${SCHEMA}_api`, SCHEMA, EMPTY]) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
}

/** uvu does not report an error thrown by a before hook: kept here and rethrown by every test. */
let setupError: unknown;

test.before(async () => {
  try {
    await db(cleanup);
    sqlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-status-sql-'));
    fs.cpSync(path.join(SQL_DIR, 'baseline'), path.join(sqlDir, 'baseline'), { recursive: true });
    for (const f of fs.readdirSync(SQL_DIR)) {
      if (/^(17704701|17704702|17704703)\d\d_|^ROLLBACK_OPT[123]_/.test(f)) fs.copyFileSync(path.join(SQL_DIR, f), path.join(sqlDir, f));
    }
    const gen = await cli('dataset', 'generate', '--scale', SCALE);
    assert.is(gen.code, 0, gen.stderr);
    const up = await cli('migrate', 'up', '--to', 'OPT3');
    assert.is(up.code, 0, up.stderr);
  } catch (err) {
    setupError = err;
  }
});

test.before.each(() => {
  if (setupError) throw setupError;
});

test.after(async () => {
  await db(async (c) => {
    await c.query(`DELETE FROM cron.job_run_details WHERE command = 'ANALYZE geobench_statustest.geometrias'`);
    await cleanup(c);
    await c.query(`DROP DATABASE IF EXISTS ${NOCRON_DB} WITH (FORCE)`);
  });
  if (sqlDir) fs.rmSync(sqlDir, { recursive: true, force: true });
});

test('status --json: a valid document with the real tables, views, indexes, partitions and ledger', async () => {
  const s = await statusJson();
  assert.is(s.schema, SCHEMA);
  assert.not.match(s.server.target, /:[^/@]+@/, 'no password in the target');
  assert.equal(s.dataset && { status: s.dataset.status, totalRows: s.dataset.totalRows }, { status: 'complete', totalRows: TOTAL_ROWS });

  // Tables: geometrias (partitioned, largest) first; sizes add up.
  const g = s.tables[0]!;
  assert.is(g.name, 'geometrias');
  assert.is(g.kind, 'partitioned table');
  assert.is(g.partitions, 37);
  assert.ok(g.heapBytes > 0 && g.indexBytes > 0 && g.totalBytes === g.heapBytes + g.toastBytes + g.indexBytes, JSON.stringify(g));
  assert.is(g.rowEstimate, TOTAL_ROWS, 'VACUUM (ANALYZE) after OPT1/OPT2 sampled every row of these small partitions');
  assert.ok(s.tables.some((t) => t.name === 'schema_migrations' && t.totalBytes > 0));
  const sizes = s.tables.map((t) => t.totalBytes);
  assert.equal(sizes, [...sizes].sort((a, b) => b - a), 'largest first');
  const real = await db(async (c) => (await c.query(`SELECT sum(pg_total_relation_size(relid))::bigint AS n FROM pg_partition_tree($1::regclass)`, [`${SCHEMA}.geometrias`])).rows[0].n);
  assert.is(g.totalBytes, Number(real));

  // Materialized views: the 5 of OPT3, populated, no refresh log yet → unknown, not invented.
  assert.equal(s.materializedViews.map((v) => v.name), VIEWS);
  for (const v of s.materializedViews) {
    assert.ok(v.populated && v.totalBytes > 0 && v.indexBytes > 0, v.name);
    assert.equal(v.lastRefresh, { at: null, source: 'unknown', status: null });
  }

  // Indexes: geometrias' partitioned indexes summed over 37 partitions; 12 on the views.
  const pkey = s.indexes.find((i) => i.name === 'geometrias_pkey')!;
  assert.ok(pkey.primary && pkey.unique && pkey.valid && pkey.partitions === 37 && pkey.bytes > 0, JSON.stringify(pkey));
  assert.ok(s.indexes.some((i) => i.table === 'geometrias' && i.method === 'brin'), 'OPT2 BRIN');
  assert.is(s.indexes.filter((i) => VIEWS.includes(i.table)).length, 12);
  assert.ok(s.indexes.every((i) => i.bytes > 0));

  // Partitions: 36 months in order, contiguous bounds, DEFAULT last; estimates add up to the rows.
  assert.is(s.partitionTrees.length, 1);
  const tree = s.partitionTrees[0]!;
  assert.is(tree.key, 'RANGE (created_at)');
  assert.is(tree.partitions.length, 37);
  const months = tree.partitions.slice(0, 36);
  months.forEach((p, i) => {
    const m = /^geometrias_p(\d{4})_(\d{2})$/.exec(p.name);
    assert.ok(m, p.name);
    assert.match(p.bound!, new RegExp(`^FOR VALUES FROM \\('${m![1]}-${m![2]}-01 00:00:00\\+00'\\) TO \\('\\d{4}-\\d{2}-01 00:00:00\\+00'\\)$`));
    if (i > 0) assert.is(p.bound!.match(/FROM \('([^']+)'/)![1], months[i - 1]!.bound!.match(/TO \('([^']+)'/)![1], `${p.name} starts where the previous ends`);
    assert.ok(p.isLeaf && p.level === 1 && p.parent === 'geometrias' && p.totalBytes > 0);
  });
  assert.equal({ name: tree.partitions[36]!.name, bound: tree.partitions[36]!.bound }, { name: 'geometrias_default', bound: 'DEFAULT' });
  assert.is(tree.partitions.reduce((n, p) => n + (p.rowEstimate ?? 0), 0), TOTAL_ROWS);

  assert.equal(s.api.functions.map((f) => f.name), ['get_by_ids', 'layer_stats', 'search_bbox', 'search_knn', 'search_layer_time', 'search_nearby']);
  assert.equal({ installed: s.cron.installed, jobs: s.cron.jobs }, { installed: true, jobs: [] });
  assert.equal(s.migrations.map((m) => `${m.state} ${m.tag}`), ['applied baseline', 'applied OPT1', 'applied OPT2', 'applied OPT3']);
  assert.ok(s.migrations.every((m) => m.appliedAt !== null && (m.durationMs ?? -1) >= 0));
  assert.equal(s.warnings, []);
});

test('status: human-readable tables on stdout, no password anywhere', async () => {
  const res = await cli('status');
  assert.is(res.code, 0, res.stderr);
  const out = res.stdout;
  for (const section of ['TABLES (largest first)', 'MATERIALIZED VIEWS', 'INDEXES', 'PARTITIONS', `API FUNCTIONS (${SCHEMA}_api)`, 'CRON JOBS (pg_cron)', 'MIGRATIONS']) assert.ok(out.includes(section), section);
  assert.match(out, new RegExp(`^geobench status — schema ${SCHEMA} `, 'm'));
  assert.match(out, /^schema: {2}baseline \+ OPT1, OPT2, OPT3$/m);
  assert.match(out, /^geometrias +partitioned +37 +24,800 /m);
  assert.match(out, /^geometrias: RANGE \(created_at\), 37 partitions$/m);
  assert.is(out.match(/^ {2}geometrias_p\d{4}_\d{2} +[\d,]+ +[\d.]+ [kM]B +FROM \('[^']+'\) TO \('[^']+'\)$/gm)?.length, 36);
  assert.match(out, /^ {2}geometrias_default +0 +[\d.]+ kB +DEFAULT$/m);
  for (const v of VIEWS) assert.match(out, new RegExp(`^${v} +yes +[\\d,]+ .* unknown$`, 'm'));
  assert.match(out, /no jobs for this schema/);
  assert.match(out, /^applied +OPT3 +1770470300_indexed_views_rpc_search\.sql +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +/m);
  const password = fs.readFileSync(path.join(process.env.GEOBENCH_HOME!, 'pgpass'), 'utf8').trim().split(':').pop()!;
  assert.ok(password.length >= 8);
  assert.not.ok(out.includes(password) || res.stderr.includes(password), 'the password is never printed');
});

test('cron jobs of the schema with their last run; refresh times from mv_refresh_log', async () => {
  await db(async (c) => {
    await c.query(`SELECT cron.schedule('geobench_statustest:analyze', '0 3 * * *', 'ANALYZE geobench_statustest.geometrias')`);
    await c.query(`SELECT cron.schedule('refresh-tile', '*/5 * * * *', 'REFRESH MATERIALIZED VIEW CONCURRENTLY "geobench_statustest".vw_geometrias_tile')`);
    await c.query(`SELECT cron.schedule($1, '0 4 * * *', 'ANALYZE geobench_statustestx.geometrias')`, [OTHER_JOB]);
    await c.query(`UPDATE cron.job SET active = false WHERE jobname = 'refresh-tile'`);
    // pg_cron 1.4 schedules by the minute at best: rather than wait for a run, record one as its worker would.
    await c.query(`INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status, return_message, start_time, end_time)
                   SELECT jobid, 4242, database, username, command, 'failed', 'ERROR:  could not obtain lock', now() - interval '3 s', now() - interval '1 s'
                     FROM cron.job WHERE jobname = 'geobench_statustest:analyze'`);
    // OPT5's log shape (view_name of type name, status refreshed / skipped); a skipped run is no refresh.
    await c.query(`CREATE TABLE ${SCHEMA}.mv_refresh_log (id bigserial, view_name name NOT NULL, started_at timestamptz, finished_at timestamptz, status text)`);
    await c.query(`INSERT INTO ${SCHEMA}.mv_refresh_log (view_name, finished_at, status) VALUES
                     ('${SCHEMA}.vw_geometrias_tile', '2026-02-07T10:00:00Z', 'refreshed'),
                     ('vw_geometrias_tile', '2026-02-07T10:05:00Z', 'skipped'),
                     ('vw_geometrias_search', '2026-02-07T09:00:00Z', 'refreshed'),
                     ('vw_geometrias_search', NULL, 'refreshed'),
                     ('vw_geometrias_layer_tag', '2026-02-07T09:30:00Z', 'skipped'),
                     ('geobench_other.vw_geometrias_by_layer', '2026-02-07T11:00:00Z', 'refreshed')`);
  });
  const s = await statusJson();
  assert.equal(s.cron.jobs.map((j) => [j.name, j.active]), [['geobench_statustest:analyze', true], ['refresh-tile', false]], 'named <schema>:… or naming the schema; not another schema\'s');
  const analyze = s.cron.jobs[0]!;
  assert.is(analyze.schedule, '0 3 * * *');
  assert.equal([analyze.runs, analyze.failedRuns], [1, 1]);
  assert.is(analyze.lastRun?.status, 'failed');
  assert.is(analyze.lastRun?.returnMessage, 'ERROR:  could not obtain lock');
  assert.ok(Date.parse(analyze.lastRun!.end!) - Date.parse(analyze.lastRun!.start!) === 2000);
  assert.is(s.cron.jobs[1]!.lastRun, null);
  const refresh = Object.fromEntries(s.materializedViews.map((v) => [v.name, v.lastRefresh]));
  assert.equal(refresh.vw_geometrias_tile, { at: '2026-02-07T10:00:00.000Z', source: 'mv_refresh_log', status: 'refreshed' }, 'the later skipped run is not a refresh');
  assert.equal(refresh.vw_geometrias_search, { at: '2026-02-07T09:00:00.000Z', source: 'mv_refresh_log', status: 'refreshed' });
  assert.equal(refresh.vw_geometrias_layer_tag, { at: null, source: 'unknown', status: null }, 'only skipped: never refreshed as far as the log knows');
  assert.equal(refresh.vw_geometrias_by_layer, { at: null, source: 'unknown', status: null }, "another schema's view is not this one");

  const human = await cli('status');
  assert.is(human.code, 0, human.stderr);
  assert.match(human.stdout, /^geobench_statustest:analyze +0 3 \* \* \* +yes +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(2\.0 s\) +failed +1\/1 +ERROR: could not obtain lock$/m);
  assert.match(human.stdout, /^refresh-tile +\*\/5 \* \* \* \* +no +never +- +0\/0$/m);
  assert.match(human.stdout, /^vw_geometrias_tile +yes .* 2026-02-07 10:00:00Z \(refreshed\)$/m);
  assert.not.match(human.stdout, /geobench_statustestx/);

  // A log of another shape is not guessed at: times unknown, with a warning.
  await db(async (c) => {
    await c.query(`ALTER TABLE ${SCHEMA}.mv_refresh_log RENAME COLUMN finished_at TO done_at`);
  });
  const odd = await statusJson();
  assert.ok(odd.materializedViews.every((v) => v.lastRefresh.source === 'unknown' && v.lastRefresh.at === null));
  assert.equal(odd.warnings, [`${SCHEMA}.mv_refresh_log has no view_name / finished_at columns: last refresh times are unknown`]);
  await db((c) => c.query(`DROP TABLE ${SCHEMA}.mv_refresh_log`));
});

test('errors: unknown schema and a schema without a dataset exit 1 with a clear message', async () => {
  const unknown = await runCli(['--schema', 'geobench_nosuchschema', 'status']);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /geobench: error: schema 'geobench_nosuchschema' does not exist in postgresql:\/\/\S+/);
  assert.match(unknown.stderr, new RegExp(`hint: geobench schemas there: .*${SCHEMA}`));
  await db((c) => c.query(`CREATE SCHEMA ${EMPTY}`));
  const empty = await runCli(['--schema', EMPTY, 'status', '--json']);
  assert.is(empty.code, 1);
  assert.is(empty.stdout, '');
  assert.match(empty.stderr, new RegExp(`error: no dataset in schema '${EMPTY}'`));
  assert.match(empty.stderr, /hint: run `geobench --schema geobench_statusempty dataset generate` first/);
});

test('--db server without pg_cron: "pg_cron not installed", unknown estimates, nothing created, no password printed', async () => {
  const target = await testDatabase();
  const { port, user, password } = target.client as { port: number; user: string; password: string };
  await db(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${NOCRON_DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${NOCRON_DB}`);
  });
  const other = { ...target, client: { ...target.client, database: NOCRON_DB } };
  await withClient(other, async (c) => {
    await c.query('CREATE SCHEMA geobench');
    await c.query('CREATE TABLE geobench.geometrias (id bigint PRIMARY KEY, note text)');
  });
  const url = `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${NOCRON_DB}`;
  const json = await runCli(['--db', url, 'status', '--json']);
  assert.is(json.code, 0, json.stderr);
  const s = StatusReportSchema.parse(JSON.parse(json.stdout));
  assert.equal(s.cron, { installed: false, note: 'pg_cron not installed', jobs: [] });
  assert.equal(s.server.extensions, { postgis: null, pg_cron: null, pg_partman: null });
  assert.equal(s.tables.map((t) => [t.name, t.rowEstimate]), [['geometrias', null]], 'never analyzed: unknown');
  assert.equal(s.migrations.map((m) => `${m.state} ${m.tag}`).slice(0, 2), ['pending baseline', 'pending OPT1']);
  assert.match(s.warnings.join('\n'), /no dataset manifest in geobench/);
  const human = await runCli(['--db', url, 'status']);
  assert.is(human.code, 0, human.stderr);
  assert.match(human.stdout, /CRON JOBS \(pg_cron\)\n {2}pg_cron not installed/);
  assert.match(human.stdout, /^geometrias +table +- +unknown /m);
  for (const r of [json, human]) assert.not.ok(r.stdout.includes(password) || r.stderr.includes(password), 'the password is never printed');
  const extensions = await withClient(other, async (c) => (await c.query(`SELECT extname FROM pg_extension ORDER BY 1`)).rows.map((r) => r.extname));
  assert.equal(extensions, ['plpgsql'], 'status created no extension');
});

test.run();
