import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import {
  assembleSizes, diffClientCpu, diffDatabaseStats, diffServerCpu, diffStatements, parseDatabaseRow, parseExplainText,
  countersByType, parseProcStat, parseStatementRow, queryIdOf, serverTicks, summarizePlan,
  type DatabaseSnapshot, type ExplainJson, type StatementCounters, type StatementsSnapshot,
} from '../../bench/evidence/index.ts';
import { segmentOverheads } from '../../bench/analysis/overhead.ts';
import type { RunResult } from '../../bench/formats/run-result.ts';
import { memorySampleOffsetsSec, summarizeMemorySamples } from '../../bench/evidence/server-memory.ts';

// ---------------------------------------------------------------- pg_stat_statements

const raw = (queryid: string, calls: number, execMs: number, hit: number, read: number) => ({
  queryid, calls: String(calls), total_exec_time: execMs, total_plan_time: 0.5, rows: String(calls * 10),
  shared_blks_hit: String(hit), shared_blks_read: String(read), shared_blks_dirtied: '0', temp_blks_written: '0', blk_read_time: read * 0.01,
});

test('parseStatementRow reads bigint strings as numbers and keeps the int64 queryid exact', () => {
  assert.equal(parseStatementRow(raw('-8769002963438816411', 3, 1.5, 30, 2)), {
    queryId: '-8769002963438816411', calls: 3, totalExecMs: 1.5, totalPlanMs: 0.5, rows: 30, sharedBlksHit: 30,
    sharedBlksRead: 2, sharedBlksDirtied: 0, tempBlksWritten: 0, blkReadMs: 0.02,
  });
});

test("countersByType takes each type's own entry by queryid: the same text in another variant is another id", () => {
  const rows = [
    raw('111', 100, 50, 1000, 10), // Q3 in this variant
    raw('222', 40, 30, 400, 0), // Q3's text in another variant: another queryid, not asked for
    raw('333', 7, 1, 0, 0),
  ].map(parseStatementRow);
  const byType = countersByType(rows, { Q3: '111', Q1: '333', Q9: '999' });
  assert.equal(byType.Q3, { calls: 100, totalExecMs: 50, totalPlanMs: 0.5, rows: 1000, sharedBlksHit: 1000, sharedBlksRead: 10, sharedBlksDirtied: 0, tempBlksWritten: 0, blkReadMs: 0.1 });
  assert.is(byType.Q1!.calls, 7);
  assert.is(byType.Q9!.calls, 0, 'a statement that never ran has no entry: zero');
});

test('queryIdOf reads the Query Identifier of EXPLAIN (VERBOSE); none (or 0) when compute_query_id is off', () => {
  assert.is(queryIdOf(parseExplainText('[{"Plan": {"Node Type": "Result"}, "Query Identifier": -8769002963438816411}]')), '-8769002963438816411');
  assert.is(queryIdOf(parseExplainText('[{"Plan": {"Node Type": "Result"}}]')), null);
  assert.is(queryIdOf(parseExplainText('[{"Plan": {"Node Type": "Result"}, "Query Identifier": 0}]')), null);
});

const counters = (calls: number, execMs: number, hit: number, read: number): StatementCounters => ({
  calls, totalExecMs: execMs, totalPlanMs: 0, rows: calls, sharedBlksHit: hit, sharedBlksRead: read,
  sharedBlksDirtied: 0, tempBlksWritten: 0, blkReadMs: 0,
});
const snap = (byType: Record<string, StatementCounters>, dealloc = 0, statsReset = '2026-01-01T00:00:00.000Z'): StatementsSnapshot => ({ available: true, byType, dealloc, statsReset });

test('diffStatements: deltas, mean exec time, hit ratio; a type absent before counts from zero', () => {
  const d = diffStatements(
    snap({ Q1: counters(100, 200, 900, 100) }),
    snap({ Q1: counters(150, 300, 1200, 100), Q2: counters(4, 10, 0, 0) }),
  );
  assert.ok(d.available);
  if (!d.available) return;
  assert.is(d.incomplete, false);
  assert.is(d.incompleteReason, null);
  assert.equal(d.byType.Q1, { ...counters(50, 100, 300, 0), rows: 50, meanExecMs: 2, hitRatio: 1 });
  assert.equal(d.byType.Q2, { ...counters(4, 10, 0, 0), meanExecMs: 2.5, hitRatio: null });
});

test('diffStatements marks a window that lost data incomplete, with the reason: evictions, a reset, counters that went down', () => {
  const evicted = diffStatements(snap({ Q1: counters(1, 1, 1, 1) }, 0), snap({ Q1: counters(2, 2, 2, 2) }, 3));
  assert.ok(evicted.available);
  if (!evicted.available) return;
  assert.is(evicted.incomplete, true);
  assert.is(evicted.incompleteReason, 'pg_stat_statements evicted entries during the window (dealloc 0 → 3; raise pg_stat_statements.max)');
  const reset = diffStatements(snap({ Q1: counters(1, 1, 1, 1) }), snap({ Q1: counters(2, 2, 2, 2) }, 0, '2026-01-02T00:00:00.000Z'));
  assert.ok(reset.available);
  if (!reset.available) return;
  assert.is(reset.incompleteReason, 'pg_stat_statements was reset during the window (stats_reset 2026-01-01T00:00:00.000Z → 2026-01-02T00:00:00.000Z)');
  const dropped = diffStatements(snap({ Q1: counters(10, 10, 10, 10), Q2: counters(1, 1, 1, 1) }), snap({ Q1: counters(3, 6, 3, 1), Q2: counters(2, 2, 2, 2) }));
  assert.ok(dropped.available);
  if (!dropped.available) return;
  assert.is(dropped.incomplete, true);
  assert.is(dropped.incompleteReason, 'counters went down for Q1 (entry evicted or reset)');
  assert.is(dropped.byType.Q1!.calls, 3);
  assert.is(dropped.byType.Q2!.calls, 1);
  assert.equal(diffStatements({ available: false, reason: 'x' }, snap({})), { available: false, reason: 'x' });
});

test('segmentOverheads treats statement evidence of a window that lost data as missing, not as 0', () => {
  const seg = (repetition: number, statements: unknown) => ({ variant: 'base', repetition, measuredSec: 10, evidence: { available: true, statements } });
  const byType = { Q1: { totalExecMs: 900, totalPlanMs: 100 } };
  const result = {
    segments: [
      seg(1, { available: true, incomplete: false, incompleteReason: null, byType }),
      seg(2, { available: true, incomplete: true, incompleteReason: 'pg_stat_statements was reset during the window (…)', byType }),
      seg(3, { available: false, reason: 'pg_stat_statements is not installed' }),
    ],
    results: { timelines: [1, 2, 3].map((repetition) => ({ key: { variant: 'base', repetition, queryType: '*' }, totals: { ops: 500 } })) },
  } as unknown as RunResult;
  const [complete, reset, absent] = segmentOverheads(result);
  assert.is(complete!.msPer1000, 2000);
  assert.is(complete!.statementsMissing, null);
  assert.is(reset!.msPer1000, null);
  assert.is(reset!.statementsMissing, 'pg_stat_statements was reset during the window (…)');
  assert.is(absent!.msPer1000, null);
  assert.is(absent!.statementsMissing, 'pg_stat_statements is not installed');
});

// ---------------------------------------------------------------- pg_stat_database

const dbRow = (commit: number, read: number, hit: number): Record<string, unknown> => ({
  xact_commit: String(commit), xact_rollback: '2', blks_read: String(read), blks_hit: String(hit), tup_returned: '1000',
  tup_fetched: '500', tup_inserted: '10', temp_bytes: '0', deadlocks: '0', blk_read_time: 1.25, stats_reset: null,
});

test('database stats: diff and buffer cache hit ratio', () => {
  const table: [DatabaseSnapshot, DatabaseSnapshot, number, number | null][] = [
    [parseDatabaseRow(dbRow(10, 100, 900)), parseDatabaseRow(dbRow(25, 150, 1850)), 15, 0.95],
    [parseDatabaseRow(dbRow(10, 100, 900)), parseDatabaseRow(dbRow(11, 100, 900)), 1, null],
    [parseDatabaseRow(dbRow(10, 100, 900)), parseDatabaseRow(dbRow(11, 400, 900)), 1, 0],
  ];
  for (const [before, after, commits, ratio] of table) {
    const d = diffDatabaseStats(before, after);
    assert.is(d.xactCommit, commits);
    assert.is(d.xactRollback, 0);
    assert.is(d.blkReadMs, 0);
    assert.is(d.hitRatio, ratio);
    assert.is(d.reset, false);
  }
});

test('database stats: a reset inside the window is flagged', () => {
  const before = parseDatabaseRow(dbRow(10, 100, 900));
  const after = parseDatabaseRow({ ...dbRow(3, 1, 9), stats_reset: new Date('2026-11-26T00:00:00Z') });
  assert.is(after.statsReset, '2026-11-26T00:00:00.000Z');
  assert.is(diffDatabaseStats(before, after).reset, true);
});

// ---------------------------------------------------------------- /proc stat and CPU

// Real lines from this machine: the embedded postmaster, two of its children, and a process whose
// executable is named `x) (y z`.
const POSTMASTER = '15257 (postgres) S 1 15257 15257 0 -1 4194304 42420 784688 0 35 3 25 1434 423 20 0 1 0 119506 6563438592 40715 18446744073709551615 94753278509056 94753283922345 140731096075264 0 0 0 0 24129536 84487 1 0 0 17 1 0 0 0 0 0 94753286387888 94753286605194 94753958498304 140731096082844 140731096082922 140731096082922 140731096084436 0';
const CHECKPOINTER = '15258 (postgres) S 15257 15258 15258 0 -1 4194368 142 0 0 0 0 0 0 0 20 0 1 0 119518 6563438592 1503 18446744073709551615 94753278509056 94753283922345 140731096075264 0 0 0 4194304 24145920 536873479 1 0 0 17 0 0 0 0 0 0 94753286387888 94753286605194 94753958498304 140731096082844 140731096082922 140731096082922 140731096084436 0';
const WRITER = '15259 (postgres) S 15257 15259 15259 0 -1 4194368 892 0 0 0 17 3 0 0 20 0 1 0 119518 6563438592 13483 18446744073709551615 94753278509056 94753283922345 140731096075264 0 0 0 4194304 24131586 536887813 1 0 0 17 0 0 0 0 0 0 94753286387888 94753286605194 94753958498304 140731096082844 140731096082922 140731096082922 140731096084436 0';
const ODD = '19292 (x) (y z) S 1 19288 15693 0 -1 4194304 138 0 0 0 0 0 0 0 20 0 1 0 148207 2990080 420 18446744073709551615 94191563550720 94191563568649 140731571186400 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 94191563582736 94191563584000 94192175017984 140731571190506 140731571190519 140731571190519 140731571191790 0';

test('parseProcStat: fields after the last parenthesis', () => {
  const table: [string, string, number, number, number, number, number, number][] = [
    // line, comm, ppid, utime, stime, cutime, cstime, starttime
    [POSTMASTER, 'postgres', 1, 3, 25, 1434, 423, 119506],
    [WRITER, 'postgres', 15257, 17, 3, 0, 0, 119518],
    [ODD, 'x) (y z', 1, 0, 0, 0, 0, 148207],
    [WRITER.replace('(postgres)', '(postgres: geobench (x) idle)'), 'postgres: geobench (x) idle', 15257, 17, 3, 0, 0, 119518],
  ];
  for (const [line, comm, ppid, utime, stime, cutime, cstime, starttime] of table) {
    const s = parseProcStat(line);
    assert.equal([s.comm, s.ppid, s.utime, s.stime, s.cutime, s.cstime, s.starttime], [comm, ppid, utime, stime, cutime, cstime, starttime], comm);
    assert.is(s.state, 'S');
  }
  assert.is(parseProcStat(ODD).pid, 19292);
  assert.throws(() => parseProcStat('garbage'), /not a \/proc/);
});

test('serverTicks: live processes plus the postmaster\'s reaped children', () => {
  // (3 + 25) + (1434 + 423) + (0 + 0) + (17 + 3)
  assert.is(serverTicks(parseProcStat(POSTMASTER), [CHECKPOINTER, WRITER].map(parseProcStat)), 1905);
});

test('diffServerCpu and diffClientCpu', () => {
  const a = { available: true as const, postmasterPid: 10, processes: 7, seconds: 12.5 };
  const d = diffServerCpu(a, { ...a, seconds: 14 });
  assert.equal(d, { available: true, seconds: 1.5 });
  assert.is(diffServerCpu(a, { ...a, postmasterPid: 11 }).available, false);
  assert.equal(diffServerCpu({ available: false, reason: 'remote' }, a), { available: false, reason: 'remote' });
  assert.equal(diffClientCpu({ userSeconds: 1, systemSeconds: 0.25 }, { userSeconds: 3.5, systemSeconds: 0.75 }), { userSeconds: 2.5, systemSeconds: 0.5, totalSeconds: 3 });
});

// ---------------------------------------------------------------- sizes

test('assembleSizes: table with indexes by name, materialized views, total', () => {
  const s = assembleSizes(
    'geobench_x',
    [
      { name: 'geometrias', kind: 'p', partitions: '37', heap_bytes: '1000', toast_bytes: '100', index_bytes: '500' },
      { name: 'mv_layer_month', kind: 'm', partitions: '0', heap_bytes: '80', toast_bytes: '0', index_bytes: '20' },
    ],
    [
      { relation: 'geometrias', name: 'geometrias_pkey', method: 'btree', bytes: '300', partitions: '37' },
      { relation: 'geometrias', name: 'geometrias_geom_gist', method: 'gist', bytes: '200', partitions: '37' },
      { relation: 'mv_layer_month', name: 'mv_layer_month_idx', method: 'btree', bytes: '20', partitions: '0' },
    ],
  );
  assert.is(s.table?.kind, 'partitioned table');
  assert.is(s.table?.partitions, 37);
  assert.is(s.table?.totalBytes, 1600);
  assert.equal(s.table?.indexes.map((i) => [i.name, i.bytes]), [['geometrias_geom_gist', 200], ['geometrias_pkey', 300]]);
  assert.equal(s.materializedViews.map((m) => [m.name, m.totalBytes, m.indexes.length]), [['mv_layer_month', 100, 1]]);
  assert.is(s.totalBytes, 1700);
  assert.is(assembleSizes('geobench_x', [], []).table, null);
});

// ---------------------------------------------------------------- plans

// Captured with explainAnalyze on the embedded cluster (scale 0.002, seed 3): baseline schema for
// knn-gist*, bbox-bitmap, layer-aggregate, insert; OPT1 (monthly partitions) for partitioned-*.
const fixture = (name: string): ExplainJson =>
  parseExplainText(fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'plans', `${name}.json`), 'utf8'));

test('summarizePlan: GiST kNN index scan', () => {
  const s = summarizePlan(fixture('knn-gist'));
  assert.is(s.planningMs, 12.144);
  assert.is(s.executionMs, 0.47);
  assert.is(s.queryId, '4049698964656331647');
  assert.equal(s.nodeTypes, { Limit: 1, 'Index Scan': 1 });
  assert.equal(s.indexesUsed, ['geometrias_geom_gist']);
  assert.equal(s.relationsScanned, ['geometrias']);
  assert.is(s.partitionsScanned, 0);
  assert.is(s.subplansRemoved, 0);
  assert.equal([s.sharedHit, s.sharedRead, s.rows], [38, 0, 10]);
  assert.is(s.shape, 'Limit(Index Scan using geometrias_geom_gist on geometrias)');
});

test('summarizePlan: same plan, other timings → same shape', () => {
  const a = summarizePlan(fixture('knn-gist'));
  const b = summarizePlan(fixture('knn-gist-rerun'));
  assert.is.not(a.executionMs, b.executionMs);
  assert.is.not(a.planningMs, b.planningMs);
  assert.is(a.shape, b.shape);
});

test('summarizePlan: bitmap heap scan under an aggregate', () => {
  const s = summarizePlan(fixture('bbox-bitmap'));
  assert.equal(s.nodeTypes, { Aggregate: 1, 'Bitmap Heap Scan': 1, 'Bitmap Index Scan': 1 });
  assert.equal(s.indexesUsed, ['geometrias_geom_gist']);
  assert.equal(s.relationsScanned, ['geometrias']);
  assert.equal([s.sharedHit, s.sharedRead, s.rows], [760, 0, 1]);
  assert.is(s.shape, 'Aggregate[Plain](Bitmap Heap Scan on geometrias(Bitmap Index Scan using geometrias_geom_gist))');
});

test('summarizePlan: hashed aggregate over a btree index scan', () => {
  const s = summarizePlan(fixture('layer-aggregate'));
  assert.equal(s.nodeTypes, { Sort: 1, Aggregate: 1, 'Index Scan': 1 });
  assert.equal(s.indexesUsed, ['geometrias_created_idx']);
  assert.equal([s.executionMs, s.rows, s.sharedHit], [14.178, 50, 240]);
  assert.is(s.shape, 'Sort(Aggregate[Hashed](Index Scan using geometrias_created_idx on geometrias))');
});

test('summarizePlan: partitions pruned at executor start-up (Subplans Removed)', () => {
  const s = summarizePlan(fixture('partitioned-runtime-pruning'));
  assert.equal(s.nodeTypes, { Aggregate: 1, Append: 1, 'Index Only Scan': 2 });
  assert.equal(s.indexesUsed, ['geometrias_p2024_05_layer_id_created_at_idx', 'geometrias_p2024_06_layer_id_created_at_idx']);
  assert.equal(s.relationsScanned, ['geometrias_p2024_05', 'geometrias_p2024_06']);
  assert.is(s.partitionsScanned, 2);
  assert.is(s.subplansRemoved, 35);
  assert.equal([s.sharedHit, s.rows], [7, 1]);
});

test('summarizePlan: partitions pruned at plan time; the shape ignores how they were pruned', () => {
  const planned = summarizePlan(fixture('partitioned-plan-pruning'));
  assert.is(planned.partitionsScanned, 2);
  assert.is(planned.subplansRemoved, 0);
  assert.is(planned.shape, summarizePlan(fixture('partitioned-runtime-pruning')).shape);
  assert.is(
    planned.shape,
    'Aggregate[Plain](Append(Index Only Scan using geometrias_p2024_05_layer_id_created_at_idx on geometrias_p2024_05, '
      + 'Index Only Scan using geometrias_p2024_06_layer_id_created_at_idx on geometrias_p2024_06))',
  );
});

test('summarizePlan: INSERT — the target is not a scanned relation', () => {
  const s = summarizePlan(fixture('insert')[0]!);
  assert.equal(s.nodeTypes, { ModifyTable: 1, Result: 1 });
  assert.equal(s.relationsScanned, []);
  assert.equal(s.indexesUsed, []);
  assert.is(s.shape, 'ModifyTable[Insert] on geometrias(Result)');
});

test('summarizePlan: different plans have different shapes; bad input is refused', () => {
  const shapes = ['knn-gist', 'bbox-bitmap', 'layer-aggregate', 'partitioned-plan-pruning', 'insert'].map((f) => summarizePlan(fixture(f)).shape);
  assert.is(new Set(shapes).size, shapes.length);
  const knn = fixture('knn-gist')[0]!;
  const otherIndex = { ...knn, Plan: { ...knn.Plan, Plans: [{ ...knn.Plan.Plans![0]!, 'Index Name': 'geometrias_geom_brin' }] } };
  assert.is.not(summarizePlan(otherIndex).shape, summarizePlan(knn).shape);
  assert.throws(() => summarizePlan([] as unknown as ExplainJson), /no "Plan"/);
});

test('parseExplainText keeps the int64 query identifier exact', () => {
  const parsed = parseExplainText('[{"Plan": {"Node Type": "Result"}, "Query Identifier": -8769002963438816411}]');
  assert.is(parsed[0]!['Query Identifier'], '-8769002963438816411');
});

// ---------------------------------------------------------------- server memory during the window

test('memory is sampled at the middle of the window and just before its end', () => {
  assert.equal(memorySampleOffsetsSec(60), [30, 59]);
  assert.equal(memorySampleOffsetsSec(2), [1, 1.8]);
  assert.equal(memorySampleOffsetsSec(0), []);
});

test('summarizeMemorySamples: the largest sample, the mean PSS, and every sample; unavailable without one', () => {
  const m = summarizeMemorySamples([
    { atSec: 30, processes: 9, pssBytes: 300, privateBytes: 100 },
    { available: false, reason: 'exited' },
    { atSec: 59, processes: 8, pssBytes: 500, privateBytes: 90 },
  ]);
  assert.ok(m.available);
  if (!m.available) return;
  assert.is(m.pssBytes, 500);
  assert.is(m.privateBytes, 100);
  assert.is(m.processes, 9);
  assert.is(m.meanPssBytes, 400);
  assert.is(m.samples.length, 2);
  assert.is(m.basis, 'max of samples taken while the load ran');
  assert.equal(summarizeMemorySamples([{ available: false, reason: 'no /proc' }]), { available: false, reason: 'no /proc' });
  assert.match((summarizeMemorySamples([]) as { reason: string }).reason, /no memory sample was taken while the load ran/);
});

test.run();
