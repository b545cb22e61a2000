import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { connect } from '../../bench/db/connect.ts';
import type { StressFile } from '../../bench/stress/stress-file.ts';
import { startRateFrom } from '../../bench/stress/probe.ts';

/**
 * `geobench stress` on a real cluster, kept short (1 s steps): a max-rate below the knee is
 * reported as not reached, and a variant slowed on purpose (its GiST index dropped) comes out with
 * a lower capacity and a capacity-change outcome that is never "pass".
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-stress-'));
const out = (name: string): string => path.join(tmp, name);
const scenarioFile = path.join(tmp, 'stress-nogist.mts');
// Spatial query types only, so the GiST index carries the whole mix.
fs.writeFileSync(scenarioFile, `export default ${JSON.stringify({
  name: 'stress-nogist',
  description: 'baseline vs the same schema with its GiST index dropped',
  dataset: { scale: 0.01, seed: 7 },
  baseline: 'baseline',
  variants: [{ name: 'baseline', migrateTo: 'baseline' }, { name: 'nogist', migrateTo: 'baseline' }],
  workload: { Q1: 40, Q3: 30, Q4: 30 },
  load: { model: 'closed', connections: 4 },
  warmupSec: 0.5,
  durationSec: 1,
  repetitions: 1,
  statementTimeoutMs: 10000,
  kpis: [],
})};\n`);
// Short steps for a test: a few dozen arrivals per step instead of the shipped 200.
const configFile = path.join(tmp, 'stress.json');
const shipped = JSON.parse(fs.readFileSync(path.resolve('scenarios/stress.json'), 'utf8')) as { stress: Record<string, unknown> };
fs.writeFileSync(configFile, JSON.stringify({ stress: { ...shipped.stress, minStepOps: 20, maxStepSeconds: 2 } }));
const readStress = (dir: string): StressFile => JSON.parse(fs.readFileSync(path.join(dir, 'stress.json'), 'utf8')) as StressFile;

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a max-rate below the knee: "not reached: ≥ max-rate", never a capacity; report with the curve', async () => {
  await testDatabase();
  const r = await runCli(['stress', '--scenario-file', scenarioFile, '--config', configFile, '--max-rate', '20', '--start-rate', '10', '--step-seconds', '1', '--repeat', '2', '--target', 'capacity_change >= 0%', '--out', out('max')]);
  assert.is(r.code, 0, r.stderr.slice(-3000));
  assert.match(r.stdout, /baseline\s+not reached: ≥ 20 ops\/s/);
  const s = readStress(out('max'));
  assert.is(s.status, 'complete');
  for (const v of s.variants) {
    assert.equal(v.result, { kind: 'not-reached', low: 20 });
    assert.equal(v.steps.map((x) => x.offeredRate), [10, 20, 20]);
    for (const step of v.steps) {
      assert.is(step.outcome, 'pass');
      assert.ok(step.latency.count > 0 && step.latency.p99 >= step.latency.p50, 'latency measured');
      assert.ok(step.clientCpu !== null && step.clientCpu.busiestThreadShare >= 0, 'client CPU read');
      assert.ok(step.serverCpuCores !== null && step.serverCpuCores > 0, 'server CPU read');
      assert.ok(step.waits.samples > 0, 'pg_stat_activity sampled');
    }
  }
  // Both open: the change has no bounded interval, so it cannot pass or fail.
  assert.is(s.comparisons[0]!.decision, 'inconclusive');
  assert.ok(fs.statSync(path.join(out('max'), 'charts', 'stress-latency-nogist.png')).size > 5000);
  const html = fs.readFileSync(path.join(out('max'), 'report.html'), 'utf8');
  assert.match(html, /Capacity at the latency SLO/);
  assert.match(html, /not reached: ≥ 20 ops\/s/);
});

test('GiST index dropped: lower capacity, capacity change fail or inconclusive, never pass', async () => {
  const server = await testDatabase();
  const c = await connect(server, 'geobench-test');
  try {
    await c.query('DROP INDEX IF EXISTS geobench_nogist.geometrias_geom_gist');
  } finally {
    await c.end();
  }
  const r = await runCli(['stress', '--scenario-file', scenarioFile, '--config', configFile, '--step-seconds', '1', '--repeat', '2', '--max-rate', '3000', '--target', 'capacity_change >= 0%', '--out', out('nogist')]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr.slice(-3000));
  const s = readStress(out('nogist'));
  assert.is(s.status, 'complete', s.statusReason ?? '');
  // No --start-rate: each variant's ramp starts at a quarter of its closed-loop probe.
  for (const v of s.variants) {
    assert.ok(v.closedLoopOpsPerSec !== null && v.closedLoopOpsPerSec !== undefined && v.closedLoopOpsPerSec > 0, `${v.name} probed`);
    assert.is(v.startRate, startRateFrom(v.closedLoopOpsPerSec!, 50 / 16, 3000));
    assert.is(v.steps[0]!.offeredRate, v.startRate);
  }
  const base = s.variants.find((v) => v.name === 'baseline')!.result!;
  const slow = s.variants.find((v) => v.name === 'nogist')!.result!;
  assert.is(slow.kind, 'capacity', JSON.stringify(slow));
  if (slow.kind === 'capacity') {
    const baseLow = base.kind === 'below-floor' ? 0 : base.low;
    assert.ok(slow.high <= baseLow, `nogist knee below ${slow.high} ops/s, baseline sustained ${baseLow} ops/s`);
  }
  const change = s.comparisons.find((x) => x.variant === 'nogist')!;
  assert.ok(change.decision === 'fail' || change.decision === 'inconclusive', change.text);
  if (change.decision === 'fail') assert.is(r.code, 1);
});

test.run();
