import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyzeOverhead, ratioSummary, type SegmentOverhead } from '../../bench/analysis/overhead.ts';
import type { RunResult } from '../../bench/formats/run-result.ts';

/** A result with only what the overhead analysis reads: segments' evidence and the `*` timelines' ops. */
function result(rows: Array<{ variant: string; rep: number; ops: number; execMs: number; planMs?: number; cpu?: number; pss?: number }>): RunResult {
  return {
    segments: rows.map((r) => ({
      variant: r.variant, repetition: r.rep, measuredSec: 10,
      evidence: {
        available: true,
        statements: { available: true, byType: { Q1: { totalExecMs: r.execMs * 0.75, totalPlanMs: r.planMs ?? 0 }, W1: { totalExecMs: r.execMs * 0.25, totalPlanMs: 0 } } },
        serverCpu: r.cpu === undefined ? { available: false, reason: 'remote' } : { available: true, seconds: r.cpu },
        serverMemory: r.pss === undefined ? { available: false, reason: 'remote' } : { available: true, pssBytes: r.pss },
      },
    })),
    results: { timelines: rows.map((r) => ({ key: { variant: r.variant, repetition: r.rep, queryType: '*' }, totals: { ops: r.ops } })) },
  } as unknown as RunResult;
}

test('overhead per 1,000 operations = (statement time + prorated maintenance) / ops; reduction from per-repetition ratios', () => {
  const r = result([
    { variant: 'base', rep: 1, ops: 1000, execMs: 5000, cpu: 4, pss: 100 },
    { variant: 'opt', rep: 1, ops: 1000, execMs: 3000, cpu: 2, pss: 120 },
    { variant: 'base', rep: 2, ops: 2000, execMs: 10000, cpu: 8, pss: 100 },
    { variant: 'opt', rep: 2, ops: 2000, execMs: 6000, cpu: 4, pss: 120 },
  ]);
  // opt's jobs cost 360,000 ms per hour → 1,000 ms in a 10-s window.
  const a = analyzeOverhead(r, 'base', 'opt', { opt: 360_000 });
  const seg = a.segments.find((s) => s.variant === 'opt' && s.repetition === 1)!;
  assert.is(seg.maintenanceMs, 1000);
  assert.is(seg.msPer1000, 4000);
  assert.is(a.segments.find((s) => s.variant === 'base' && s.repetition === 1)!.msPer1000, 5000);
  // rep 1: 4000/5000; rep 2: (6000+1000)/2000*1000 = 3500 vs 5000.
  const expected = 1 - Math.sqrt((4000 / 5000) * (3500 / 5000));
  assert.ok(Math.abs(a.overhead.reduction! - expected) < 1e-12);
  assert.ok(a.overhead.ciLow! < a.overhead.reduction! && a.overhead.reduction! < a.overhead.ciHigh!);
  assert.ok(Math.abs(a.cpu.reduction! - 0.5) < 1e-12, 'cpu per 1000 ops halves');
  assert.ok(Math.abs(a.memory.reduction! - -0.2) < 1e-12, 'memory 20% higher = -20% reduction');
});

test('missing evidence gives null, never a number', () => {
  const r = result([{ variant: 'base', rep: 1, ops: 1000, execMs: 5000 }, { variant: 'opt', rep: 1, ops: 0, execMs: 0 }]);
  const a = analyzeOverhead(r, 'base', 'opt');
  assert.is(a.segments[1]!.msPer1000, null);
  assert.is(a.overhead.reduction, null);
  assert.is(a.cpu.reduction, null);
  assert.is(a.overhead.repetitions, 0);
});

test('one repetition: a reduction without an interval', () => {
  const segs = [{ variant: 'b', repetition: 1, msPer1000: 10 }, { variant: 'o', repetition: 1, msPer1000: 6 }] as unknown as SegmentOverhead[];
  const s = ratioSummary(segs, 'b', 'o', (x) => x.msPer1000);
  assert.ok(Math.abs(s.reduction! - 0.4) < 1e-12);
  assert.is(s.ciLow, null);
});

test('interval: Student t on the log ratios with n − 1 degrees of freedom (t(0.975, 2) = 4.3027 at n = 3)', () => {
  const segs = [[10, 6], [20, 14], [30, 24]].flatMap(([b, o], i) => [{ variant: 'b', repetition: i + 1, msPer1000: b }, { variant: 'o', repetition: i + 1, msPer1000: o }]) as unknown as SegmentOverhead[];
  const s = ratioSummary(segs, 'b', 'o', (x) => x.msPer1000);
  const logs = [0.6, 0.7, 0.8].map(Math.log);
  const mean = logs.reduce((a, v) => a + v, 0) / 3;
  const half = 4.302652729749462 * Math.sqrt(logs.reduce((a, v) => a + (v - mean) ** 2, 0) / 2) / Math.sqrt(3);
  assert.ok(Math.abs(s.ciLow! - (1 - Math.exp(mean + half))) < 1e-12, `${s.ciLow}`);
  assert.ok(Math.abs(s.ciHigh! - (1 - Math.exp(mean - half))) < 1e-12, `${s.ciHigh}`);
  assert.is(s.paired!.n, 3);
});

test.run();
