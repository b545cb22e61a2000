import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { connect, withClient } from '../../bench/db/connect.ts';
import { searchPath } from '../../bench/db/schema.ts';
import {
  diffClientCpu, diffDatabaseStats, diffServerCpu, diffStatements, explainAnalyze, measureSizes, snapshotClientCpu,
  identifyStatements, snapshotDatabaseStats, snapshotServerCpu, snapshotStatements, summarizePlan,
} from '../../bench/evidence/index.ts';

// Schemas of this file only: concurrent suites on the shared cluster use others.
const SCHEMA = 'geobench_evtest';
const OTHER = 'geobench_evtest_b';
const BASELINE_INDEXES = ['geometrias_created_idx', 'geometrias_geom_gist', 'geometrias_layer_created_idx', 'geometrias_pkey'];

// Unique to this file (the alias), with constants pg_stat_statements will normalize (4326, 5).
const KNN = 'SELECT id AS evtest_knn FROM geometrias ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT 5';
const NEVER_RUN = 'SELECT id AS evtest_never FROM geometrias WHERE id = $1';

const cli = (...args: string[]) => runCli(['--schema', SCHEMA, ...args]);

async function inSchema<T>(fn: (c: pg.Client) => Promise<T>, schema = SCHEMA): Promise<T> {
  return withClient(await testDatabase(), async (c) => {
    await c.query(`SET search_path = ${searchPath(schema)}`);
    return fn(c);
  });
}

async function runKnn(times: number, schema: string): Promise<void> {
  await inSchema(async (c) => {
    for (let i = 0; i < times; i++) await c.query(KNN, [-46.6 + i / 100, -23.5]);
  }, schema);
}

test.before(async () => {
  await testDatabase();
  const gen = await cli('dataset', 'generate', '--scale', '0.002', '--seed', '3');
  assert.is(gen.code, 0, gen.stderr);
  // A second variant with the same table name: the same SQL text gets a second pg_stat_statements entry.
  await inSchema((c) => c.query(`DROP SCHEMA IF EXISTS ${OTHER} CASCADE; CREATE SCHEMA ${OTHER};
    CREATE TABLE ${OTHER}.geometrias AS SELECT * FROM ${SCHEMA}.geometrias WHERE id <= 2000`));
});

test.after(async () => {
  await inSchema((c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; DROP SCHEMA IF EXISTS ${OTHER} CASCADE`));
});

const identify = (schema: string) => inSchema((c) => identifyStatements(c, { knn: { sql: KNN, params: [-46.6, -23.5] }, never: { sql: NEVER_RUN, params: [1] } }), schema);

test('statements: exactly the calls made in the variant measured, matched by queryid; the same text in another schema is not counted', async () => {
  const evidence = await connect(await testDatabase(), 'geobench-evtest');
  try {
    const ids = await identify(SCHEMA);
    const otherIds = await identify(OTHER);
    assert.ok(ids.available && otherIds.available, JSON.stringify([ids, otherIds]));
    if (!ids.available || !otherIds.available) return;
    assert.is.not(ids.byType.knn, otherIds.byType.knn, 'one text, two schemas: two queryids');
    const before = await snapshotStatements(evidence, ids);
    await runKnn(25, SCHEMA);
    await runKnn(7, OTHER);
    // EXPLAIN ANALYZE runs the statement nested: recorded with toplevel = false, so not counted;
    // identifying the statements again (EXPLAIN without ANALYZE) executes nothing.
    await inSchema((c) => explainAnalyze(c, KNN, [-46.6, -23.5]));
    await identify(SCHEMA);
    const after = await snapshotStatements(evidence, ids);
    const d = diffStatements(before, after);
    assert.ok(d.available, JSON.stringify(d));
    if (!d.available) return;
    assert.is(d.incomplete, false);
    assert.is(d.byType.knn!.calls, 25);
    assert.is(d.byType.knn!.rows, 25 * 5);
    assert.ok(d.byType.knn!.meanExecMs! > 0);
    const ratio = d.byType.knn!.hitRatio!;
    assert.ok(ratio >= 0 && ratio <= 1, String(ratio));
    assert.is(d.byType.never!.calls, 0);
    assert.is(d.byType.never!.meanExecMs, null);
    const other = diffStatements(await snapshotStatements(evidence, otherIds), await snapshotStatements(evidence, otherIds));
    assert.ok(other.available && other.byType.knn!.calls === 0);
  } finally {
    await evidence.end();
  }
});

test('statements: a pg_stat_statements reset inside the window marks it incomplete, with the reason', async () => {
  const evidence = await connect(await testDatabase(), 'geobench-evtest');
  try {
    const ids = await identify(SCHEMA);
    const before = await snapshotStatements(evidence, ids);
    await runKnn(5, SCHEMA);
    await evidence.query('SELECT pg_stat_statements_reset()');
    await runKnn(3, SCHEMA);
    const d = diffStatements(before, await snapshotStatements(evidence, ids));
    assert.ok(d.available, JSON.stringify(d));
    if (!d.available) return;
    assert.is(d.incomplete, true);
    assert.match(d.incompleteReason!, /^pg_stat_statements was reset during the window \(stats_reset .* → \d{4}-/);
  } finally {
    await evidence.end();
  }
});

test('statements: unavailable, not an error, where pg_stat_statements is not installed', async () => {
  const target = await testDatabase();
  const s = await withClient({ ...target, client: { ...target.client, database: 'postgres' } }, (c) => snapshotStatements(c, { available: true, userId: '10', byType: { knn: '1' } }));
  assert.equal(s, { available: false, reason: 'pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements)' });
});

test('database stats: commits counted, buffer hit ratio within [0, 1]', async () => {
  const evidence = await connect(await testDatabase(), 'geobench-evtest');
  try {
    const before = await snapshotDatabaseStats(evidence);
    // The workload connection closes before the second snapshot: a closing backend flushes its stats.
    await runKnn(10, SCHEMA);
    const d = diffDatabaseStats(before, await snapshotDatabaseStats(evidence));
    assert.ok(d.xactCommit >= 10, String(d.xactCommit));
    assert.ok(d.blksHit > 0);
    assert.ok(d.hitRatio !== null && d.hitRatio >= 0 && d.hitRatio <= 1, String(d.hitRatio));
    assert.is(d.reset, false);
  } finally {
    await evidence.end();
  }
});

test('sizes: baseline table, its four indexes, a materialized view', async () => {
  await inSchema((c) => c.query(`CREATE MATERIALIZED VIEW evtest_mv AS SELECT layer_id, count(*) AS n FROM geometrias GROUP BY 1;
    CREATE INDEX evtest_mv_layer ON evtest_mv (layer_id)`));
  const s = await inSchema((c) => measureSizes(c, SCHEMA));
  const t = s.table!;
  assert.is(t.kind, 'table');
  assert.is(t.partitions, 0);
  assert.equal(t.indexes.map((i) => i.name), BASELINE_INDEXES);
  assert.ok(t.indexes.every((i) => i.bytes > 0), JSON.stringify(t.indexes));
  assert.is(t.indexes.find((i) => i.name === 'geometrias_geom_gist')!.method, 'gist');
  assert.is(t.indexBytes, t.indexes.reduce((sum, i) => sum + i.bytes, 0));
  const total = await inSchema((c) => c.query(`SELECT pg_total_relation_size('geometrias')::bigint AS b, pg_total_relation_size('evtest_mv')::bigint AS mv`));
  assert.is(t.totalBytes, Number(total.rows[0].b));
  assert.ok(t.heapBytes > 0);
  assert.equal(s.materializedViews.map((m) => [m.name, m.kind, m.indexes.map((i) => i.name)]), [['evtest_mv', 'materialized view', ['evtest_mv_layer']]]);
  assert.is(s.totalBytes, t.totalBytes + Number(total.rows[0].mv));
  // OPT1 drops the old table; a view depending on it would block that.
  await inSchema((c) => c.query('DROP MATERIALIZED VIEW evtest_mv'));
});

test('explain: kNN uses the GiST index; its query id is the pg_stat_statements one', async () => {
  const plan = await inSchema((c) => explainAnalyze(c, KNN, [-46.63, -23.55]));
  const s = summarizePlan(plan);
  assert.equal(s.indexesUsed, ['geometrias_geom_gist']);
  assert.is(s.shape, 'Limit(Index Scan using geometrias_geom_gist on geometrias)');
  assert.is(s.rows, 5);
  assert.ok(s.executionMs! > 0 && s.planningMs! > 0);
  const entry = await inSchema((c) => c.query('SELECT count(*)::int AS n FROM pg_stat_statements WHERE queryid = $1::bigint AND toplevel', [s.queryId]));
  assert.is(entry.rows[0].n, 1);
});

test('explain: an INSERT is rolled back; a connection inside a transaction is refused', async () => {
  const insert = 'INSERT INTO geometrias (layer_id, created_at, updated_at, geom) VALUES ($1, $2, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326))';
  await inSchema(async (c) => {
    const s = summarizePlan(await explainAnalyze(c, insert, [4242, '2024-05-05T00:00:00Z', -46.6, -23.5]));
    assert.is(s.nodeTypes.ModifyTable, 1);
    assert.is(c.getTransactionStatus(), 'I');
    const left = await c.query('SELECT count(*)::int AS n FROM geometrias WHERE layer_id = 4242');
    assert.is(left.rows[0].n, 0);
    await c.query('BEGIN');
    try {
      await explainAnalyze(c, KNN, [0, 0]);
      assert.unreachable('should refuse');
    } catch (err) {
      assert.match((err as Error).message, /outside a transaction/);
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

test('server CPU: available for the embedded cluster and grows with a CPU-heavy query', async () => {
  const evidence = await connect(await testDatabase(), 'geobench-evtest');
  try {
    const before = await snapshotServerCpu(evidence);
    assert.ok(before.available, JSON.stringify(before));
    if (before.available) assert.ok(before.processes >= 3, String(before.processes));
    const client0 = snapshotClientCpu();
    // Runs in another backend that exits before the second snapshot: counted via the postmaster's cutime.
    await inSchema((c) => c.query('SELECT count(*) FROM generate_series(1, 3e6)'));
    const d = diffServerCpu(before, await snapshotServerCpu(evidence));
    assert.ok(d.available && d.seconds >= 0.25, JSON.stringify(d));
    const c = diffClientCpu(client0, snapshotClientCpu());
    assert.ok(c.totalSeconds >= 0 && c.totalSeconds < 5, JSON.stringify(c));
    const remote = await snapshotServerCpu(evidence, 'db.example.com');
    assert.equal(remote, { available: false, reason: 'the server (db.example.com) is not on this machine; its CPU cannot be read from /proc' });
  } finally {
    await evidence.end();
  }
});

test('after OPT1: 37 partitions, each index summed over its 37 partition indexes; runtime pruning visible', async () => {
  const up = await cli('migrate', 'up', '--to', 'OPT1');
  assert.is(up.code, 0, up.stderr);
  const t = (await inSchema((c) => measureSizes(c, SCHEMA))).table!;
  assert.is(t.kind, 'partitioned table');
  assert.is(t.partitions, 37);
  assert.equal(t.indexes.map((i) => i.name), BASELINE_INDEXES);
  assert.ok(t.indexes.every((i) => i.partitions === 37 && i.bytes > 0), JSON.stringify(t.indexes));
  assert.is(t.indexBytes, t.indexes.reduce((sum, i) => sum + i.bytes, 0));
  // date → timestamptz is only stable, so pruning happens at executor start-up.
  const s = summarizePlan(await inSchema((c) => explainAnalyze(c,
    'SELECT count(*) FROM geometrias WHERE layer_id = $1 AND created_at >= $2::date AND created_at < $2::date + 45', [3, '2024-05-01'])));
  assert.is(s.partitionsScanned, 2);
  assert.is(s.subplansRemoved, 35);
});

test.run();
