/**
 * Result files for the nightly unit tests: the fields the nightly reads, with controlled values.
 * Not a database mock — result.json documents are plain data.
 */
import seedrandom from 'seedrandom';
import type { RunResult } from '../../bench/formats/run-result.ts';

export interface FakeRunOptions {
  readonly runId?: string;
  readonly fingerprint?: string;
  readonly scale?: number;
  readonly seed?: number;
  readonly durationSec?: number;
  /** Multiplicative noise on every timing (seeded), e.g. 0.03 = ±3 %. */
  readonly noise?: number;
  readonly noiseSeed?: string;
  /** Metric id → factor applied on top (e.g. { 'opt1/Q3/p99': 2 }). */
  readonly factors?: Readonly<Record<string, number>>;
  /** `variant/queryType` → plan shape. */
  readonly shapes?: Readonly<Record<string, string>>;
  readonly gistBytes?: number;
  readonly errorRate?: number;
  readonly scenarioName?: string;
  readonly label?: string;
}

const TYPES = ['Q1', 'Q3'] as const;
const VARIANTS = ['baseline', 'opt1'] as const;

export const SHAPE = 'Limit(Index Scan using geometrias_geom_gist on geometrias)';

export function fakeResult(o: FakeRunOptions = {}): RunResult {
  const rng = seedrandom.alea(o.noiseSeed ?? o.runId ?? 'x');
  const jitter = (): number => 1 + (o.noise ?? 0) * (2 * rng() - 1);
  const f = (id: string): number => o.factors?.[id] ?? 1;
  const plan = {
    scenario: o.scenarioName ?? 'smoke',
    description: 'test',
    dataset: { scale: o.scale ?? 0.002, seed: o.seed ?? 7, totalRows: 24800 },
    variants: VARIANTS.map((name) => ({ name, migrateTo: name === 'baseline' ? 'baseline' : 'OPT1', schema: `geobench_${name}`, routes: {} })),
    baseline: 'baseline',
    workload: TYPES.map((queryType) => ({ queryType, weight: 1 })),
    load: { model: 'closed' as const, connections: 2 },
    warmupSec: 0.3,
    durationSec: o.durationSec ?? 1,
    repetitions: 2,
    statementTimeoutMs: 10000,
    workerConnections: [1, 1],
    paramSeed: 7,
    segments: [],
    kpis: [],
  };
  const stats = (variant: string, q: string) => {
    const base = variant === 'baseline' ? 1000 : 800;
    const p50 = base * jitter() * f(`${variant}/${q}/p50`);
    const p99 = 5 * base * jitter() * f(`${variant}/${q}/p99`);
    const throughput = (200 * jitter()) * f(`${variant}/${q}/throughput`);
    return { ops: 1000, errors: 0, timeouts: 0, late: null, dropped: null, measuredSec: 2, throughput, errorRate: 0, latency: { count: 1000, min: 10, max: p99 * 2, mean: p50 * 1.2, stddev: 100, p50, p90: p99 * 0.8, p95: p99 * 0.9, p99, p999: p99 * 1.5 } };
  };
  const variants = VARIANTS.map((variant) => {
    const byQueryType: Record<string, ReturnType<typeof stats>> = {};
    for (const q of TYPES) byQueryType[q] = stats(variant, q);
    byQueryType['*'] = stats(variant, '*');
    return { variant, byQueryType };
  });
  const gist = o.gistBytes ?? 1_000_000;
  return {
    schemaVersion: 1,
    tool: 'geobench',
    runId: o.runId ?? 'run',
    status: 'complete',
    statusReason: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    scenario: { name: o.scenarioName ?? 'smoke', description: 'test', plan: plan as unknown as RunResult['scenario']['plan'] },
    target: { kind: 'embedded', display: 'postgresql://geobench@127.0.0.1:1/geobench' },
    metadata: {
      git: { commit: 'abc', dirty: false },
      versions: { geobench: '0', node: 'v20', postgres: null, postgis: null, extensions: {} },
      settings: {},
      machine: { cpuModel: 'x', cpus: 2, memoryBytes: 1, platform: 'linux', release: '1', fingerprint: o.fingerprint ?? 'fp-a' },
    },
    dataset: { scale: o.scale ?? 0.002, seed: o.seed ?? 7, totalRows: 24800, checksum: null },
    variants: VARIANTS.map((name) => ({
      name,
      schema: `geobench_${name}`,
      migrateTo: name === 'baseline' ? 'baseline' : 'OPT1',
      applied: [],
      reused: true,
      sizes: {
        schema: `geobench_${name}`,
        table: { name: 'geometrias', kind: 'table', partitions: 0, heapBytes: 5_000_000, toastBytes: 0, indexBytes: 2_000_000 + gist, totalBytes: 7_000_000 + gist, indexes: [{ name: 'geometrias_geom_gist', method: 'gist', bytes: gist, partitions: 0 }, { name: 'geometrias_pkey', method: 'btree', bytes: 2_000_000, partitions: 0 }] },
        materializedViews: [],
        totalBytes: 7_000_000 + gist,
      },
      plans: Object.fromEntries(TYPES.map((q) => [q, { file: `plans/${name}/${q}.json`, summary: { shape: o.shapes?.[`${name}/${q}`] ?? SHAPE, subplansRemoved: 0 } }])),
    })),
    segments: [],
    results: {
      variants: variants as unknown as RunResult['results']['variants'],
      repetitions: [],
      timelines: [],
    },
    comparisons: [],
    kpis: [{ label: o.label ?? 'errors', scope: 'all', variant: 'opt1', target: 'error_rate < 1%', achieved: o.errorRate ?? 0, pass: (o.errorRate ?? 0) < 0.01, text: `error_rate < 1%: ${(o.errorRate ?? 0) * 100}%` }],
    warnings: [],
    files: { hlog: 'latency.hlog' },
  };
}
