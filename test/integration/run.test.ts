import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { readResult } from '../../bench/result-file/result-file.ts';
import { readHistogramLog } from '../../bench/metrics/hlog.ts';
import { startCluster, stopCluster } from '../../bench/db/embedded.ts';
import { geobenchHome } from '../../bench/core/paths.ts';

const ALL_TYPES = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8', 'W1'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-run-'));
const out = (name: string): string => path.join(tmp, name);
const password = (): string => JSON.parse(fs.readFileSync(path.join(geobenchHome(), 'cluster.json'), 'utf8')).password;

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('smoke: baseline vs OPT1, every query type measured in both variants, hlog, plans and evidence written', async () => {
  await testDatabase();
  const r = await runCli(['run', 'smoke', '--duration', '2', '--warmup', '0.5', '--out', out('smoke')]);
  assert.is(r.code, 0, r.stderr.slice(-2000));
  assert.match(r.stderr, /\[1\/4\] rep 1 baseline\s+measure/);
  assert.match(r.stdout, /opt1 vs baseline/);
  const result = readResult(out('smoke'));
  assert.is(result.status, 'complete');
  // Balanced order: A B in repetition 1, B A in repetition 2; the order is recorded.
  assert.equal(result.segments.map((s) => `${s.repetition}${s.variant}${s.orderInRepetition}`), ['1baseline0', '1opt11', '2opt10', '2baseline1']);
  for (const v of result.results.variants) {
    for (const q of ALL_TYPES) {
      const s = v.byQueryType[q];
      assert.ok(s && s.ops > 0, `${v.variant} ${q} has operations`);
      assert.ok(s!.latency.p50 > 0 && s!.latency.p99 >= s!.latency.p50, `${v.variant} ${q} latencies`);
      assert.is(s!.errors, 0);
    }
    const all = v.byQueryType['*']!;
    assert.ok(Math.abs(all.measuredSec - 4) < 0.2, 'two 2-second segments');
  }
  // Server-side evidence counts exactly the client's operations, per query type and segment: each
  // variant's statements are matched by their queryid, and the "before" snapshot is taken at a
  // barrier with no operation in flight.
  for (const seg of result.segments) {
    const ev = seg.evidence as { statements: { available: boolean; incomplete: boolean; byType: Record<string, { calls: number }> }; serverMemory: { available: boolean; basis: string; samples: unknown[] } };
    assert.ok(ev.statements.available, JSON.stringify(ev.statements));
    assert.is(ev.statements.incomplete, false);
    for (const q of ALL_TYPES) {
      const client = result.results.timelines.find((t) => t.key.variant === seg.variant && t.key.repetition === seg.repetition && t.key.queryType === q)!.totals.ops;
      assert.is(ev.statements.byType[q]!.calls, client, `${seg.variant} rep ${seg.repetition} ${q}: pg_stat_statements calls ${ev.statements.byType[q]!.calls} vs client ${client}`);
    }
    // Server memory sampled while the load ran (due at the middle and end of the 2-second window;
    // a sample a busy machine delays past the window's end is dropped, never taken on an idle server).
    const mem = ev.serverMemory as unknown as { available: boolean; pssBytes: number; samples: Array<{ atSec: number; pssBytes: number }> };
    assert.ok(mem.available, JSON.stringify(mem));
    assert.ok(mem.samples.length >= 1 && mem.samples.length <= 2, JSON.stringify(mem.samples));
    assert.ok(mem.samples.every((x) => x.atSec >= 0.9 && x.atSec < 2.1 && x.pssBytes > 0), JSON.stringify(mem.samples));
    assert.is(mem.pssBytes, Math.max(...mem.samples.map((x) => x.pssBytes)));
  }
  // The interval log reads back with a tag per variant × repetition × query type.
  const hlog = readHistogramLog(fs.readFileSync(path.join(out('smoke'), result.files.hlog), 'utf8'));
  const tags = new Set(hlog.intervals.map((i) => i.tag));
  for (const v of ['baseline', 'opt1']) for (const q of ALL_TYPES) assert.ok(tags.has(`variant=${v};rep=1;q=${q}`), `hlog tag ${v} ${q}`);
  const hlogOps = hlog.intervals.filter((i) => i.key?.variant === 'baseline').reduce((n, i) => n + i.histogram.totalCount, 0);
  assert.is(hlogOps, result.results.variants.find((v) => v.variant === 'baseline')!.byQueryType['*']!.ops);
  // One EXPLAIN (ANALYZE, BUFFERS) plan per query type and variant, kept as a file.
  for (const v of result.variants) {
    for (const q of ALL_TYPES) {
      const plan = JSON.parse(fs.readFileSync(path.join(out('smoke'), v.plans[q]!.file), 'utf8'));
      assert.ok(Array.isArray(plan.plan) && plan.plan[0].Plan, `${v.name} ${q} plan`);
    }
  }
  assert.is((result.variants[1]!.sizes as { table: { partitions: number } }).table.partitions, 37);
  // Credentials never reach a result.
  const everything = fs.readdirSync(out('smoke'), { recursive: true }).map(String).filter((f) => fs.statSync(path.join(out('smoke'), f)).isFile())
    .map((f) => fs.readFileSync(path.join(out('smoke'), f), 'utf8')).join('\n');
  assert.not.ok(everything.includes(password()), 'password absent from result files');
  assert.not.ok((r.stdout + r.stderr).includes(password()));
});

test('open model: the offered rate is the intended rate; late and skipped are counted', async () => {
  const r = await runCli(['run', 'smoke', '--rate', '200', '--duration', '2', '--warmup', '0.5', '--repeat', '1', '--out', out('open')]);
  assert.is(r.code, 0, r.stderr.slice(-2000));
  const result = readResult(out('open'));
  for (const s of result.segments) {
    assert.ok(s.schedule, 'open-model segments carry scheduler counters');
    assert.ok(Math.abs(s.schedule!.intended - 400) < 80, `about 200 ops/s × 2 s intended, got ${s.schedule!.intended}`);
    assert.is(s.schedule!.completed, s.schedule!.sent);
  }
  const all = result.results.variants[0]!.byQueryType['*']!;
  assert.ok(all.late !== null && all.dropped !== null, 'late/dropped are reported in the open model');
});

test('a rate the server cannot sustain is reported, not hidden', async () => {
  const r = await runCli(['run', 'smoke', '--rate', '40000', '--connections', '1', '--duration', '1.5', '--warmup', '0', '--repeat', '1', '--variants', 'opt1', '--out', out('overload')]);
  const result = readResult(out('overload'));
  assert.ok(result.warnings.length > 0);
  assert.match(result.warnings[0]!, /offered 40000 ops\/s, completed [\d.]+ ops\/s .* the server could not sustain the offered rate/);
  assert.match(r.stdout, /warning: opt1 repetition 1: offered 40000 ops\/s/);
  const s = result.segments[0]!.schedule!;
  assert.ok(s.late > 0, 'arrivals that waited for the connection are late');
  const p50 = result.results.variants[0]!.byQueryType['*']!.latency.p50;
  assert.ok(p50 > 100_000, `latency is charged from the intended time, so queueing shows (p50 ${p50} µs)`);
});

test('Ctrl-C mid-run: exit 130 within seconds, partial result marked incomplete', async () => {
  let sent = 0;
  const r = await runCli(['run', 'smoke', '--duration', '30', '--warmup', '0', '--out', out('sigint')], {}, (chunk, child) => {
    if (!sent && /measure\s+2 s/.test(chunk)) {
      sent = Date.now();
      child.kill('SIGINT');
    }
  });
  assert.ok(sent > 0);
  assert.ok(Date.now() - sent < 10_000, `stopped ${Date.now() - sent} ms after Ctrl-C`);
  assert.is(r.code, 130, r.stderr.slice(-1500));
  const result = readResult(out('sigint'));
  assert.is(result.status, 'incomplete');
  assert.match(result.statusReason!, /interrupted/);
  assert.is(result.segments.length, 1);
  assert.ok(result.results.variants[0]!.byQueryType['*']!.ops > 0, 'the measured part is kept');
});

test('the database dying mid-run ends geobench within 10 s with a partial result marked incomplete', async () => {
  let killedAt = 0;
  const run = runCli(['run', 'smoke', '--duration', '30', '--warmup', '0', '--out', out('dbdeath')], {}, (chunk) => {
    if (!killedAt && /measure\s+2 s/.test(chunk)) {
      killedAt = Date.now();
      void stopCluster('immediate');
    }
  });
  const r = await run;
  const elapsed = Date.now() - killedAt;
  await startCluster();
  assert.ok(killedAt > 0);
  assert.ok(elapsed < 10_000, `ended ${elapsed} ms after the server died`);
  assert.is(r.code, 1, r.stderr.slice(-1500));
  const result = readResult(out('dbdeath'));
  assert.is(result.status, 'incomplete');
  assert.match(result.statusReason!, /database connection lost/);
  assert.ok(result.results.variants[0]!.byQueryType['*']!.ops > 0, 'what was measured before the crash is kept');
  assert.match(r.stdout, /run \S+: incomplete/);
});

// Scenario arguments (names, --scenario-file, bad modules) are tested in scenario-args.test.ts.

test.run();
