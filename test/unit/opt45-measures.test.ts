import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKpiTarget } from '../../bench/analysis/kpi.ts';
import type { ExplainJson } from '../../bench/evidence/plan-summary.ts';
import {
  longestScheduleGapSec, median, partitionPruning, quantile, refreshCosts, refreshOverheadShare, scheduledStaleness, workloadDbTimePerOperation, workloadMsPerHourAt,
} from '../../bench/validate/opt45-measures.ts';
import type { RunResult } from '../../bench/formats/run-result.ts';

const months = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => {
  const y = 2023 + Math.floor((from + i) / 12);
  const m = ((from + i) % 12) + 1;
  return `geometrias_p${y}_${String(m).padStart(2, '0')}`;
});
const ALL = ['geometrias_default', ...months(0, 83)];

/** Q5's plan shape on OPT2: Append over two BRIN bitmap scans (a 30-day window across a month boundary). */
const q5Plan: ExplainJson = [{
  Plan: {
    'Node Type': 'Aggregate',
    Plans: [{
      'Node Type': 'Append',
      Plans: [
        { 'Node Type': 'Bitmap Heap Scan', 'Relation Name': 'geometrias_p2025_05', Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'geometrias_p2025_05_created_brin' }] },
        { 'Node Type': 'Bitmap Heap Scan', 'Relation Name': 'geometrias_p2025_06', Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'geometrias_p2025_06_created_brin' }] },
      ],
    }],
  },
}];

/** 36 months of data (2023-01 … 2025-12) and the default partition holding rows; 47 premade months beyond stay empty. */
const WITH_DATA = ['geometrias_default', ...months(0, 36)];

test('partition pruning: share of the partitions holding data that the plan does not read', () => {
  const p = partitionPruning(q5Plan, ALL, WITH_DATA);
  assert.equal(p.scanned, ['geometrias_p2025_05', 'geometrias_p2025_06']);
  assert.equal([p.scannedWithData, p.withData, p.total], [2, 37, 84]);
  assert.ok(Math.abs(p.share! - (1 - 2 / 37)) < 1e-12);
  // the entry itself (not the array) is accepted too
  assert.equal(partitionPruning(q5Plan[0]!, ALL, WITH_DATA).scanned, p.scanned);
});

test('partition pruning: 2 of 36 data partitions read, plus 40 empty ones in the table ⇒ 1 − 2/36, not 1 − 2/78', () => {
  const data = months(0, 36);
  const empty = months(36, 40);
  const plan: ExplainJson = [{ Plan: { 'Node Type': 'Append', Plans: [
    { 'Node Type': 'Seq Scan', 'Relation Name': data[10]! },
    { 'Node Type': 'Seq Scan', 'Relation Name': data[11]! },
  ] } }];
  const p = partitionPruning(plan, [...data, ...empty, 'geometrias_default'], data);
  assert.equal([p.scannedWithData, p.withData, p.total], [2, 36, 77]);
  assert.is(p.share, 1 - 2 / 36);
  // an empty partition the plan reads does not count against the data partitions
  const withEmpty: ExplainJson = [{ Plan: { 'Node Type': 'Append', Plans: [
    { 'Node Type': 'Seq Scan', 'Relation Name': data[10]! },
    { 'Node Type': 'Seq Scan', 'Relation Name': empty[0]! },
  ] } }];
  const q = partitionPruning(withEmpty, [...data, ...empty], data);
  assert.equal(q.scanned, [data[10]!, empty[0]!].sort());
  assert.is(q.share, 1 - 1 / 36);
  // names that are not partitions of the table do not count as holding data
  assert.is(partitionPruning(plan, data, [...data, 'layers']).withData, 36);
});

test('partition pruning: no pruning = every data partition scanned = 0%; other relations are ignored', () => {
  const all: ExplainJson = [{
    Plan: {
      'Node Type': 'Hash Join',
      Plans: [
        { 'Node Type': 'Append', Plans: ALL.map((r) => ({ 'Node Type': 'Seq Scan', 'Relation Name': r })) },
        { 'Node Type': 'Seq Scan', 'Relation Name': 'layers' },
      ],
    },
  }];
  const p = partitionPruning(all, ALL, WITH_DATA);
  assert.is(p.scanned.length, 84);
  assert.is(p.share, 0);
  // run-time pruning: the removed subplans have no node; a partition read twice counts once
  const runtime: ExplainJson = [{ Plan: { 'Node Type': 'Append', 'Subplans Removed': 82, Plans: [
    { 'Node Type': 'Index Scan', 'Relation Name': 'geometrias_p2024_01' },
    { 'Node Type': 'Index Scan', 'Relation Name': 'geometrias_p2024_01' },
  ] } }];
  assert.equal(partitionPruning(runtime, ALL, WITH_DATA).scanned, ['geometrias_p2024_01']);
  assert.is(partitionPruning(runtime, ALL, WITH_DATA).share, 1 - 1 / 37);
  // no partition holds data (or none at all): no share
  assert.is(partitionPruning(runtime, ALL, []).share, null);
  assert.is(partitionPruning(runtime, [], []).share, null);
  assert.throws(() => partitionPruning([] as unknown as ExplainJson, ALL, WITH_DATA), /no "Plan"/);
});

test('longest gap between runs of a pg_cron schedule', () => {
  assert.equal(longestScheduleGapSec('2,17,32,47 * * * *'), { gapSec: 900, exact: true });
  assert.equal(longestScheduleGapSec('42 * * * *'), { gapSec: 3600, exact: true });
  assert.equal(longestScheduleGapSec('* * * * *'), { gapSec: 60, exact: true });
  assert.equal(longestScheduleGapSec('15 2 * * *'), { gapSec: 86_400, exact: true });
  assert.equal(longestScheduleGapSec('@hourly'), { gapSec: 3600, exact: true });
  // uneven: two runs close together, then a long wait (the mean interval would say 30 min)
  assert.equal(longestScheduleGapSec('0,1 * * * *'), { gapSec: 59 * 60, exact: true });
  assert.equal(longestScheduleGapSec('0 0,6 * * *'), { gapSec: 18 * 3600, exact: true });
  assert.equal(longestScheduleGapSec('30 seconds'), { gapSec: 30, exact: true });
  // restricted days: the mean interval, flagged as not exact
  assert.equal(longestScheduleGapSec('0 4 * * 0'), { gapSec: 7 * 86_400, exact: false });
  assert.throws(() => longestScheduleGapSec('hourly please'), /not a cron schedule/);
});

test('scheduled staleness worst case = longest gap + refresh duration', () => {
  const s = scheduledStaleness('42 * * * *', 14_900);
  assert.equal(s, { schedule: '42 * * * *', intervalSec: 3600, intervalExact: true, refreshSec: 14.9, worstSec: 3614.9 });
  assert.is(scheduledStaleness('2,17,32,47 * * * *', 360).worstSec, 900.36);
  // only an every-minute schedule of a quick refresh meets "< 5 min"
  assert.ok(scheduledStaleness('*/4 * * * *', 2000).worstSec < 300);
});

test('refresh overhead: cost per hour at the production schedules, share of database time', () => {
  const costs = refreshCosts([
    { jobname: 's:refresh-by_layer', schedule: '2,17,32,47 * * * *', durationMs: 360 },
    { jobname: 's:refresh-search', schedule: '42 * * * *', durationMs: 14_900 },
  ]);
  assert.equal(costs.map((c) => [c.runsPerHour, c.msPerHour]), [[4, 1440], [1, 14_900]]);
  const perHour = costs.reduce((s, c) => s + c.msPerHour, 0);
  assert.is(refreshOverheadShare(perHour, 3_600_000 - perHour), perHour / 3_600_000);
  assert.is(refreshOverheadShare(0, 1000), 0);
  assert.is(refreshOverheadShare(0, 0), null);
  assert.is(refreshOverheadShare(100, null), null);
  assert.is(refreshOverheadShare(Number.NaN, 100), null);
});

const seg = (variant: string, repetition: number, measuredSec: number, byType: Record<string, { totalExecMs: number; totalPlanMs: number }> | null) => ({
  index: 0, repetition, variant, measuredSec, stoppedEarly: null, warmupOps: 0, errorMessages: {}, schedule: null,
  evidence: byType ? { available: true, statements: { available: true, byType } } : { available: false },
});
const timeline = (variant: string, repetition: number, ops: number) => ({ key: { variant, repetition, queryType: '*' }, totals: { ops } });

test('workload database time per operation from the segments\' pg_stat_statements deltas and operations', () => {
  const result = {
    segments: [
      seg('a', 1, 10, { Q1: { totalExecMs: 4000, totalPlanMs: 500 }, W1: { totalExecMs: 400, totalPlanMs: 100 } }),
      seg('a', 2, 10, { Q1: { totalExecMs: 5000, totalPlanMs: 0 } }),
      seg('a', 3, 10, null),
      seg('b', 1, 10, { Q1: { totalExecMs: 1, totalPlanMs: 1 } }),
    ],
    results: { timelines: [timeline('a', 1, 3000), timeline('a', 2, 2000), timeline('a', 3, 999), timeline('b', 1, 10)] },
  } as unknown as Pick<RunResult, 'segments' | 'results'>;
  const t = workloadDbTimePerOperation(result, 'a')!;
  assert.equal(t, { statementMs: 10_000, operations: 5000, measuredSec: 20, msPerOperation: 2, segments: 2 });
  assert.is(workloadDbTimePerOperation(result, 'c'), null);
});

test('refresh share against the stated production load does not depend on the harness\'s --connections', () => {
  // The same per-operation work measured at 2 and at 16 connections: a saturating closed loop does 8× the
  // operations (and 8× the statement time) per second at 16; per operation it is the same 2 ms.
  const run = (connections: number) => ({
    segments: [seg('a', 1, 10, { Q1: { totalExecMs: 2 * 500 * connections, totalPlanMs: 0 } })],
    results: { timelines: [timeline('a', 1, 500 * connections)] },
  }) as unknown as Pick<RunResult, 'segments' | 'results'>;
  const refreshMsPerHour = 16_340; // 4 × 360 ms + 14,900 ms
  const shares = [2, 16].map((n) => {
    const perOp = workloadDbTimePerOperation(run(n), 'a')!.msPerOperation;
    return refreshOverheadShare(refreshMsPerHour, workloadMsPerHourAt(perOp, 100));
  });
  // 2 ms × 100 ops/s × 3600 s = 720,000 ms per hour of workload
  assert.is(workloadMsPerHourAt(2, 100), 720_000);
  assert.is(shares[0], 16_340 / (16_340 + 720_000));
  assert.is(shares[1], shares[0]);
});

test('median and quantile', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 2, 3]), 2.5);
  assert.is(median([]), null);
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.is(quantile(xs, 0.99), 99);
  assert.is(quantile(xs, 0.5), 50);
  assert.is(quantile([7], 0.99), 7);
  assert.is(quantile([], 0.5), null);
});

test('the validator\'s targets are valid KPI targets in the right unit family', () => {
  const t = (s: string) => parseKpiTarget(s);
  assert.is(t('future_partitions >= 36').unit, 'none');
  assert.is(t('maintenance_tasks_succeeded >= 4').unit, 'none');
  assert.is(t('pruning_share > 90%').value, 0.9);
  assert.is(t('restart_survival_share >= 100%').value, 1);
  assert.is(t('uptime_share >= 99.9%').value, 0.999);
  assert.is(t('views_with_refresh_strategy >= 5').unit, 'none');
  assert.is(t('trigger_cost_time < 100ms').value, 100_000);
  assert.is(t('refresh_jobs_succeeded >= 5').unit, 'none');
  assert.is(t('refresh_overhead_share < 1%').value, 0.01);
  assert.is(t('staleness_time < 5min').value, 300_000_000);
  assert.is(t('scheduled_staleness_time < 5min').unit, 'µs');
});

test.run();
