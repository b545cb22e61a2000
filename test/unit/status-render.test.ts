import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bareViewName, orderPartitions, rowEstimateOf, schemaWordPattern, toMigrationStatus } from '../../bench/status/row-values.ts';
import { STATUS_FORMAT, StatusReportSchema, type PartitionStatus, type StatusReport } from '../../bench/status/model.ts';
import { formatBytes, formatDuration, formatEstimate, formatTable, formatTime, oneLine, renderStatus } from '../../bench/status/render.ts';

const part = (name: string, bound: string | null, extra: Partial<PartitionStatus> = {}): PartitionStatus => ({
  name, parent: 'geometrias', level: 1, isLeaf: true, bound, rowEstimate: 10, totalBytes: 8192, ...extra,
});

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return StatusReportSchema.parse({
    format: STATUS_FORMAT,
    generatedAt: '2026-02-07T10:00:00.000Z',
    schema: 'geobench_x',
    server: { target: 'postgresql://geobench@127.0.0.1:5432/geobench (embedded)', database: 'geobench', version: '15.18', extensions: { postgis: '3.3.2', pg_cron: '1.4-1', pg_partman: null } },
    dataset: { status: 'complete', scale: 0.002, seed: 1, totalRows: 24_800, completedAt: '2026-02-07T09:00:00.000Z' },
    tables: [
      { name: 'geometrias', kind: 'partitioned table', partitions: 2, heapBytes: 7_168_000, toastBytes: 303_104, indexBytes: 4_497_408, totalBytes: 11_968_512, rowEstimate: 24_800, rowEstimateComplete: false },
      { name: 'schema_migrations', kind: 'table', partitions: 0, heapBytes: 8192, toastBytes: 8192, indexBytes: 16_384, totalBytes: 32_768, rowEstimate: null, rowEstimateComplete: false },
    ],
    materializedViews: [
      { name: 'vw_a', populated: true, rowEstimate: 50, heapBytes: 57_344, indexBytes: 24_576, totalBytes: 81_920, lastRefresh: { at: '2026-02-07T09:55:00.000Z', source: 'mv_refresh_log', status: 'ok' } },
      { name: 'vw_b', populated: false, rowEstimate: null, heapBytes: 0, indexBytes: 8192, totalBytes: 8192, lastRefresh: { at: null, source: 'unknown', status: null } },
    ],
    indexes: [
      { table: 'geometrias', on: 'geometrias', name: 'geometrias_pkey', method: 'btree', unique: true, primary: true, valid: true, bytes: 1_400_000, partitions: 2, definition: 'CREATE UNIQUE INDEX …' },
      { table: 'geometrias', on: 'geometrias_p2024_01', name: 'local_idx', method: 'gist', unique: false, primary: false, valid: false, bytes: 16_384, partitions: 0, definition: 'CREATE INDEX …' },
    ],
    partitionTrees: [{ table: 'geometrias', key: 'RANGE (created_at)', partitions: [
      part('geometrias_p2024_01', "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')"),
      part('geometrias_default', 'DEFAULT', { rowEstimate: null }),
    ] }],
    api: { schema: 'geobench_x_api', exists: true, functions: [{ name: 'search_bbox', arguments: 'min_lon double precision' }] },
    cron: { installed: true, note: null, jobs: [{
      jobid: 7, name: 'geobench_x:analyze', schedule: '0 3 * * *', command: 'ANALYZE geobench_x.geometrias', database: 'geobench', username: 'geobench', active: true, runs: 4, failedRuns: 1,
      lastRun: { runid: 12, status: 'failed', start: '2026-02-07T03:00:00.000Z', end: '2026-02-07T03:00:02.500Z', returnMessage: 'ERROR:  relation\n "x" does not exist' },
    }] },
    migrations: [
      { tag: 'baseline', file: 'sql/baseline/', state: 'applied', appliedAt: '2026-02-07T09:00:00.000Z', durationMs: 1200 },
      { tag: 'OPT1', file: '1770470100_temporal_partitioning_geometrias.sql', state: 'applied', appliedAt: '2026-02-07T09:01:00.000Z', durationMs: 700 },
      { tag: 'OPT2', file: '1770470200_columnar_storage_gis.sql', state: 'pending', appliedAt: null, durationMs: null },
    ],
    warnings: ['something to know'],
    ...overrides,
  });
}

test('formatBytes: binary units, about three significant digits', () => {
  assert.is(formatBytes(0), '0 B');
  assert.is(formatBytes(999), '999 B');
  assert.is(formatBytes(8192), '8 kB');
  assert.is(formatBytes(16_384), '16 kB');
  assert.is(formatBytes(303_104), '296 kB');
  assert.is(formatBytes(1_022_000), '998 kB');
  assert.is(formatBytes(1_024_000), '1 MB');
  assert.is(formatBytes(1_030_000), '1 MB');
  assert.is(formatBytes(7_168_000), '6.8 MB');
  assert.is(formatBytes(11_968_512), '11.4 MB');
  assert.is(formatBytes(5 * 1024 ** 3), '5 GB');
});

test('estimates, times, durations and one-line text', () => {
  assert.is(formatEstimate(null), 'unknown');
  assert.is(formatEstimate(24_800), '24,800');
  assert.is(formatEstimate(24_800, false), '≥24,800');
  assert.is(formatTime('2026-02-07T10:00:00.123Z'), '2026-02-07 10:00:00Z');
  assert.is(formatTime(null), '-');
  assert.is(formatDuration(null), '-');
  assert.is(formatDuration(726.4), '726 ms');
  assert.is(formatDuration(1219), '1.2 s');
  assert.is(formatDuration(180_000), '3.0 min');
  assert.is(oneLine('a\n  b\tc'), 'a b c');
  assert.is(oneLine('x'.repeat(70), 10), `${'x'.repeat(9)}…`);
});

test('formatTable aligns columns left or right, without trailing spaces', () => {
  const text = formatTable(['name', 'n', 'note'], [['a', '1', ''], ['bbb', '100', 'x']], 'lrl', '  ');
  assert.is(text, ['  name    n  note', '  a       1', '  bbb   100  x'].join('\n'));
});

test('rowEstimateOf: -1 leaves are unknown, never guessed', () => {
  assert.equal(rowEstimateOf(0, 1, 1), { rowEstimate: null, complete: false });
  assert.equal(rowEstimateOf(700.4, 0, 1), { rowEstimate: 700, complete: true });
  assert.equal(rowEstimateOf(1400, 1, 3), { rowEstimate: 1400, complete: false });
  assert.equal(rowEstimateOf(0, 0, 0), { rowEstimate: 0, complete: true }, 'a partitioned table without partitions holds no rows');
});

test('orderPartitions: depth first, siblings by name, DEFAULT last', () => {
  const rows: PartitionStatus[] = [
    part('geometrias_default', 'DEFAULT'),
    part('geometrias_p2024_02', "FOR VALUES FROM ('2024-02-01') TO ('2024-03-01')", { isLeaf: false }),
    part('geometrias_p2024_01', "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')"),
    part('sub_b', "FOR VALUES IN (2)", { parent: 'geometrias_p2024_02', level: 2 }),
    part('sub_default', 'DEFAULT', { parent: 'geometrias_p2024_02', level: 2 }),
    part('sub_a', "FOR VALUES IN (1)", { parent: 'geometrias_p2024_02', level: 2 }),
  ];
  assert.equal(orderPartitions('geometrias', rows).map((p) => p.name), ['geometrias_p2024_01', 'geometrias_p2024_02', 'sub_a', 'sub_b', 'sub_default', 'geometrias_default']);
});

test('bareViewName: unqualified, qualified with the schema, quoted; another schema names nothing', () => {
  assert.is(bareViewName('vw_geometrias_tile', 'geobench_x'), 'vw_geometrias_tile');
  assert.is(bareViewName(' geobench_x.vw_geometrias_tile ', 'geobench_x'), 'vw_geometrias_tile');
  assert.is(bareViewName('"geobench_x"."vw_geometrias_tile"', 'geobench_x'), 'vw_geometrias_tile');
  assert.is(bareViewName('"vw_geometrias_tile"', 'geobench_x'), 'vw_geometrias_tile');
  assert.is(bareViewName('geobench_y.vw_geometrias_tile', 'geobench_x'), null);
  assert.is(bareViewName('a.b.c', 'geobench_x'), null);
});

test('schemaWordPattern matches the schema as a whole word only, and only for own schemas', () => {
  const re = new RegExp(schemaWordPattern('geobench_x'), 'i');
  for (const yes of ['ANALYZE geobench_x.geometrias', 'REFRESH MATERIALIZED VIEW "geobench_x".vw', 'geobench_x', "CALL p('GEOBENCH_X')"]) assert.ok(re.test(yes), yes);
  for (const no of ['ANALYZE geobench_xy.geometrias', 'SELECT geobench_x_api.f()', 'ANALYZE geobench.geometrias', 'x$geobench_x']) assert.not.ok(re.test(no), no);
  assert.throws(() => schemaWordPattern('public'), /not one of geobench's own/);
});

test('toMigrationStatus: dates as ISO strings, missing values as null', () => {
  assert.equal(toMigrationStatus([
    { tag: 'baseline', file: 'sql/baseline/', state: 'applied', appliedAt: new Date('2026-02-07T09:00:00Z'), durationMs: 1200.6 },
    { tag: 'OPT1', file: 'f.sql', state: 'pending' },
  ]), [
    { tag: 'baseline', file: 'sql/baseline/', state: 'applied', appliedAt: '2026-02-07T09:00:00.000Z', durationMs: 1201 },
    { tag: 'OPT1', file: 'f.sql', state: 'pending', appliedAt: null, durationMs: null },
  ]);
});

test('the JSON shape is validated: strict keys, non-negative sizes, ISO times', () => {
  const good = report();
  assert.not.throws(() => StatusReportSchema.parse(JSON.parse(JSON.stringify(good))));
  assert.throws(() => StatusReportSchema.parse({ ...good, extra: 1 }));
  assert.throws(() => StatusReportSchema.parse({ ...good, tables: [{ ...good.tables[0]!, totalBytes: -1 }] }));
  assert.throws(() => StatusReportSchema.parse({ ...good, generatedAt: 'yesterday' }));
  assert.throws(() => StatusReportSchema.parse({ ...good, format: 'geobench-status/2' }));
});

test('renderStatus: every section, real values, honest unknowns', () => {
  const text = renderStatus(report());
  for (const section of ['TABLES (largest first)', 'MATERIALIZED VIEWS', 'INDEXES', 'PARTITIONS', 'API FUNCTIONS (geobench_x_api)', 'CRON JOBS (pg_cron)', 'MIGRATIONS', 'WARNINGS']) {
    assert.ok(text.includes(section), section);
  }
  assert.match(text, /^geobench status — schema geobench_x \(2026-02-07 10:00:00Z\)$/m);
  assert.match(text, /postgis 3\.3\.2, pg_cron 1\.4-1, pg_partman not installed/);
  assert.match(text, /^schema: {2}baseline \+ OPT1$/m);
  assert.match(text, /^geometrias +partitioned +2 +≥24,800 +6\.8 MB +296 kB +4\.3 MB +11\.4 MB$/m);
  assert.match(text, /^schema_migrations +table +- +unknown /m);
  assert.match(text, /^vw_a +yes +50 .* 2026-02-07 09:55:00Z \(ok\)$/m);
  assert.match(text, /^vw_b +NO +unknown .* unknown$/m);
  assert.match(text, /"unknown" = no row in geobench_x\.mv_refresh_log/);
  assert.match(text, /^ {2}geometrias_pkey +btree +1\.3 MB +2 +primary$/m);
  assert.match(text, /^ {2}local_idx +gist +16 kB +- +INVALID, on geometrias_p2024_01$/m);
  assert.match(text, /^geometrias: RANGE \(created_at\), 2 partitions$/m);
  assert.match(text, /^ {2}geometrias_p2024_01 +10 +8 kB +FROM \('2024-01-01 00:00:00\+00'\) TO \('2024-02-01 00:00:00\+00'\)$/m);
  assert.match(text, /^ {2}geometrias_default +unknown +8 kB +DEFAULT$/m);
  assert.match(text, /^geobench_x:analyze +0 3 \* \* \* +yes +2026-02-07 03:00:00Z \(2\.5 s\) +failed +4\/1 +ERROR: relation "x" does not exist$/m);
  assert.match(text, /^ {2}geobench_x:analyze: ANALYZE geobench_x\.geometrias$/m);
  assert.match(text, /^pending +OPT2 +1770470200_columnar_storage_gis\.sql +- +-$/m);
  assert.match(text, /^ {2}- something to know$/m);
  assert.not.match(text, / +$/m, 'no trailing spaces');
});

test('renderStatus: pg_cron absent, no jobs, no views, no partitions, no API schema', () => {
  const text = renderStatus(report({
    cron: { installed: false, note: 'pg_cron not installed', jobs: [] },
    materializedViews: [],
    partitionTrees: [],
    api: { schema: 'geobench_x_api', exists: false, functions: [] },
    dataset: null,
    warnings: [],
  }));
  assert.match(text, /CRON JOBS \(pg_cron\)\n {2}pg_cron not installed/);
  assert.match(text, /MATERIALIZED VIEWS\n {2}\(none\)/);
  assert.match(text, /PARTITIONS\n {2}\(no partitioned tables\)/);
  assert.match(text, /API FUNCTIONS \(geobench_x_api\)\n {2}\(no such schema\)/);
  assert.match(text, /^dataset: no manifest$/m);
  assert.not.match(text, /WARNINGS/);
  const none = renderStatus(report({ cron: { installed: true, note: null, jobs: [] } }));
  const unreadable = renderStatus(report({ cron: { installed: true, note: "cannot read pg_cron's jobs: permission denied for schema cron", jobs: [] } }));
  assert.match(unreadable, /CRON JOBS \(pg_cron\)\n {2}cannot read pg_cron's jobs: permission denied for schema cron\n/);
  assert.not.match(unreadable, /no jobs for this schema/);
  assert.match(none, /no jobs for this schema \(none named 'geobench_x:…' or naming geobench_x in its command\)/);
});

test.run();
