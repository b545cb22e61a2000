/**
 * The result.json format (formats/run-result.ts) reads a file written by main before issue 16's
 * restructuring (commit 13ec2f7: `geobench run smoke --scale 0.001 --duration 1 --warmup 0 --repeat 1`),
 * and that file has exactly the fields the format declares. The field lists are tied to the types
 * with `satisfies`, so a field added to or removed from the format fails type-checking here first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { parseRunResult, type KpiRecord, type RunResult, type SegmentRecord, type VariantRecord } from '../../bench/formats/run-result.ts';

const FIXTURE = path.join(PROJECT_ROOT, 'test/fixtures/result-main-13ec2f7.json');
const raw: unknown = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));

const RUN_FIELDS = {
  schemaVersion: true, tool: true, runId: true, status: true, statusReason: true, startedAt: true, finishedAt: true, scenario: true,
  target: true, metadata: true, dataset: true, variants: true, segments: true, results: true, comparisons: true, kpis: true, warnings: true, files: true, distributed: true,
} satisfies Record<keyof RunResult, true>;
const SEGMENT_FIELDS = {
  index: true, repetition: true, variant: true, orderInRepetition: true, measuredSec: true, measureStartedAt: true, stoppedEarly: true, warmupOps: true, errorMessages: true, schedule: true, evidence: true,
} satisfies Record<keyof SegmentRecord, true>;
const VARIANT_FIELDS = { name: true, schema: true, migrateTo: true, applied: true, reused: true, sizes: true, plans: true } satisfies Record<keyof VariantRecord, true>;
const KPI_FIELDS = { label: true, scope: true, variant: true, target: true, achieved: true, pass: true, text: true } satisfies Record<keyof KpiRecord, true>;

const keys = (o: object): string[] => Object.keys(o).sort();
/** Optional fields added after the fixture was written: absent there, still readable. */
const ADDED_SINCE_FIXTURE = new Set(['orderInRepetition', 'distributed']);
const fixtureKeys = (o: object): string[] => keys(o).filter((k) => !ADDED_SINCE_FIXTURE.has(k));

test('a result.json written by main parses with the format', () => {
  const r = parseRunResult(raw, FIXTURE);
  assert.is(r.schemaVersion, 1);
  assert.is(r.scenario.name, 'smoke');
  assert.is(r.status, 'complete');
});

test('it has exactly the fields the format declares (top level, segments, variants, KPIs)', () => {
  const r = parseRunResult(raw, FIXTURE);
  assert.equal(keys(r), fixtureKeys(RUN_FIELDS));
  for (const s of r.segments) assert.equal(keys(s), fixtureKeys(SEGMENT_FIELDS));
  for (const v of r.variants) assert.equal(keys(v), keys(VARIANT_FIELDS));
  assert.ok(r.kpis.length > 0);
  for (const k of r.kpis) assert.equal(keys(k), keys(KPI_FIELDS));
});

test('the parts the readers use are where the format says', () => {
  const r = parseRunResult(raw, FIXTURE);
  const all = r.results.variants[0]!.byQueryType['*']!;
  assert.ok(all.ops > 0 && all.latency.p99 >= all.latency.p50);
  assert.ok(r.results.timelines.every((t) => typeof t.totals.encoded === 'string' && Array.isArray(t.intervals)));
  const c = r.comparisons[0]!;
  assert.ok(!('unavailable' in c) && c.overall.queryType === 'overall' && 'p99' in c.overall.metrics);
  assert.is(r.scenario.plan.segments.length, r.segments.length);
  assert.ok(r.metadata !== null && r.metadata.machine.fingerprint.length === 16);
});

test('a file of another schema version is refused with the field named', () => {
  assert.throws(() => parseRunResult({ ...(raw as object), schemaVersion: 2 }, 'x.json'), /x\.json is not a geobench result \(schema version 1\):\n {2}schemaVersion:/);
});

test.run();
