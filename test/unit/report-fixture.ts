/**
 * A small but complete run folder for the report tests, made with the real analysis code from
 * synthetic interval reports (no database): two variants, two repetitions, two query types,
 * sizes, KPIs (one not measured), plan files, and — when asked — hostile text in every place a
 * result file carries free text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { analyzeRun, segmentKey } from '../../bench/analysis/run-analysis.ts';
import { asMicros, createLatencyHistogram, encodeHistogram, recordMicros } from '../../bench/metrics/histogram.ts';
import type { IntervalReport } from '../../bench/metrics/timeline.ts';
import type { RunResult } from '../../bench/formats/run-result.ts';

export const XSS = '<script>alert(1)</script>';

export interface FixtureOptions {
  /** Put XSS into the scenario description, an error message, a warning, a plan's SQL. */
  readonly hostile?: boolean;
  /** Extra top-level fields (e.g. events). */
  readonly extra?: Record<string, unknown>;
}

const VARIANTS = ['baseline', 'opt1'];
const TYPES = ['Q1', 'W1'];
const SECONDS = 3;

function reports(): IntervalReport[] {
  const rng = seedrandom.alea('report-fixture');
  const out: IntervalReport[] = [];
  for (const variant of VARIANTS) {
    for (const repetition of [1, 2]) {
      for (const queryType of TYPES) {
        for (let intervalIndex = 0; intervalIndex < SECONDS; intervalIndex++) {
          const h = createLatencyHistogram();
          const scale = (variant === 'baseline' ? 1000 : 600) * (queryType === 'W1' ? 2 : 1);
          for (let i = 0; i < 400; i++) recordMicros(h, asMicros(scale * (0.5 + rng()) + (rng() < 0.01 ? 20 * scale : 0)));
          out.push({ variant, repetition, queryType, intervalIndex, encoded: encodeHistogram(h), errors: queryType === 'W1' && intervalIndex === 1 ? 1 : 0, timeouts: 0 });
        }
      }
    }
  }
  return out;
}

const sizes = (schema: string, partitions: number) => ({
  schema,
  table: {
    name: 'geometrias', kind: partitions ? 'partitioned table' : 'table', partitions, heapBytes: 3_063_808, toastBytes: 8192, indexBytes: 2_277_376, totalBytes: 5_349_376,
    indexes: [{ name: 'geometrias_geom_gist', method: 'gist', bytes: 598_016, partitions }, { name: 'geometrias_pkey', method: 'btree', bytes: 360_448, partitions }],
  },
  materializedViews: [],
  totalBytes: 5_349_376,
});

const plan = (sql: string) => ({
  queryType: 'Q1',
  sql,
  params: [-46.6, -23.6],
  plan: [{
    Plan: {
      'Node Type': 'Limit', 'Startup Cost': 0.15, 'Total Cost': 27.37, 'Plan Rows': 1, 'Plan Width': 12, 'Actual Startup Time': 0.141, 'Actual Total Time': 0.24, 'Actual Rows': 4, 'Actual Loops': 1,
      'Shared Hit Blocks': 30,
      Plans: [{ 'Node Type': 'Index Scan', 'Parent Relationship': 'Outer', 'Index Name': 'geometrias_geom_gist', 'Relation Name': 'geometrias', Schema: 'geobench_baseline', Alias: 'geometrias', 'Startup Cost': 0.15, 'Total Cost': 27.37, 'Plan Rows': 1, 'Plan Width': 12, 'Actual Startup Time': 0.14, 'Actual Total Time': 0.239, 'Actual Rows': 4, 'Actual Loops': 1, 'Index Cond': '(geom && $1)', 'Shared Hit Blocks': 30 }],
    },
    'Planning Time': 0.5,
    'Execution Time': 0.279,
  }],
});

/** The result object (as it reads back from JSON: NaN → null). */
export function fixtureResult(options: FixtureOptions = {}): RunResult {
  const hostile = options.hostile ?? false;
  const measuredSec = new Map(VARIANTS.flatMap((v) => [1, 2].map((r) => [segmentKey(v, r), SECONDS] as const)));
  const analysis = analyzeRun({ reports: reports(), measuredSec, variants: VARIANTS, baseline: 'baseline', seed: '7' });
  const result = {
    schemaVersion: 1,
    tool: 'geobench',
    runId: '20260101T000000Z-fixture',
    status: 'complete',
    statusReason: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:20.000Z',
    scenario: {
      name: 'fixture',
      description: hostile ? `fixture ${XSS} & "quotes"` : 'fixture scenario',
      plan: {
        scenario: 'fixture', description: 'x', dataset: { scale: 0.001, seed: 7, totalRows: 12400 },
        variants: [{ name: 'baseline', migrateTo: 'baseline', schema: 'geobench_baseline', routes: {} }, { name: 'opt1', migrateTo: 'OPT1', schema: 'geobench_opt1', routes: {} }],
        baseline: 'baseline', workload: [{ queryType: 'Q1', weight: 9 }, { queryType: 'W1', weight: 1 }], load: { model: 'closed', connections: 2 },
        warmupSec: 0, durationSec: SECONDS, repetitions: 2, statementTimeoutMs: 10000, workerConnections: [2], paramSeed: 7,
        segments: [0, 1, 2, 3].map((index) => ({ index, repetition: Math.floor(index / 2) + 1, variant: VARIANTS[index % 2]! })), kpis: [],
      },
    },
    target: { kind: 'embedded', display: 'postgresql://geobench@127.0.0.1:5432/geobench (embedded)' },
    metadata: {
      git: { commit: 'abc123', dirty: false },
      versions: { geobench: '0.1.0', node: 'v20', postgres: 'PostgreSQL 15.18', postgis: '3.3.2', extensions: { postgis: '3.3.2' } },
      settings: { work_mem: '65536 kB' },
      machine: { cpuModel: 'test cpu', cpus: 2, memoryBytes: 2 ** 34, platform: 'linux', release: '6', fingerprint: 'f00' },
    },
    dataset: { scale: 0.001, seed: 7, totalRows: 12400, checksum: 'c0ffee' },
    variants: VARIANTS.map((name, i) => ({
      name, schema: `geobench_${name}`, migrateTo: i ? 'OPT1' : 'baseline', applied: [], reused: false, sizes: sizes(`geobench_${name}`, i ? 37 : 0),
      plans: { Q1: { file: `plans/${name}/Q1.json`, summary: { shape: 'Limit(Index Scan)', executionMs: 0.279, planningMs: 0.5 } } },
    })),
    segments: [0, 1, 2, 3].map((index) => ({
      index, repetition: Math.floor(index / 2) + 1, variant: VARIANTS[index % 2]!, measuredSec: SECONDS, stoppedEarly: null, warmupOps: 0,
      errorMessages: index === 1 ? { [hostile ? `ERROR: relation "${XSS}" does not exist` : 'ERROR: deadlock detected']: 1 } : {},
      schedule: null, evidence: null,
    })),
    results: { variants: analysis.variants, repetitions: analysis.repetitions, timelines: analysis.timelines },
    comparisons: analysis.comparisons,
    kpis: [
      { label: 'p99 fast', scope: 'Q1', variant: 'opt1', target: 'p99 < 50ms', achieved: 1500, pass: true, text: '' },
      { label: 'never ran', scope: 'Q9', variant: 'opt1', target: 'p99 < 10ms', achieved: null, pass: null, text: '' },
      { label: 'too slow', scope: 'all', variant: 'opt1', target: 'throughput > 1000000', achieved: 2000, pass: false, text: '' },
    ],
    warnings: hostile ? [`warning with ${XSS}`] : [],
    files: { hlog: 'latency.hlog' },
    ...options.extra,
  };
  return JSON.parse(JSON.stringify(result)) as RunResult;
}

/** Writes a run folder (result.json + plan files) and returns its path. */
export function writeFixtureFolder(options: FixtureOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-report-'));
  fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify(fixtureResult(options), null, 2));
  for (const v of VARIANTS) {
    fs.mkdirSync(path.join(dir, 'plans', v), { recursive: true });
    fs.writeFileSync(path.join(dir, 'plans', v, 'Q1.json'), JSON.stringify(plan(options.hostile ? `SELECT '${XSS}'` : 'SELECT 1')));
  }
  return dir;
}

/** A validation.json body (optionally pointing at result.json). */
export function fixtureValidation(runResult: string | null, hostile = false): Record<string, unknown> {
  return {
    schemaVersion: 1, validator: 'opt2', roadmapName: 'OPT2_COLUMNAR_STORAGE_VALIDATOR', runId: '20260101T000000Z-validate-opt2',
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z', dataset: { scale: 0.001, seed: 7 }, allTargetsHold: false,
    checks: [
      { metric: 'Storage Reduction', target: 'storage_reduction > 35%', value: 0.2, achieved: '20%', pass: false },
      { metric: 'Query Speedup', target: 'p99_change < -20%', value: null, achieved: '12%', pass: null },
      { metric: 'Compression Ratio', target: '3x', value: null, achieved: 'not measurable', pass: null, note: hostile ? `no columnar AM ${XSS}` : 'no columnar AM in PG15' },
      { metric: 'Rollback tested', target: 'yes', value: 1, achieved: 'rolled back in 2 s', pass: true },
      { metric: 'Cache hit ratio', target: null, value: null, achieved: '99.1% → 99.3%', pass: null },
    ],
    runResult, evidence: {},
  };
}
