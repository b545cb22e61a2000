import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_DETECTOR } from '../../bench/nightly/detector.ts';
import { outcomeOf, type EntryJudgement, type NightlyReport } from '../../bench/nightly/judgement.ts';
import { renderJunit } from '../../bench/nightly/junit.ts';
import { verdictLine } from '../../bench/nightly/summary-markdown.ts';
import { renderMarkdown } from '../../bench/nightly/summary-markdown.ts';
import { validateNightlyConfig } from '../../bench/nightly/config.ts';
import { parseNightlyReport } from '../../bench/formats/nightly-judgement.ts';
import type { MetricStatus } from '../../bench/formats/nightly-judgement.ts';

interface EntryParts {
  readonly metrics?: readonly MetricStatus[];
  readonly planChanged?: boolean;
  readonly kpiMissed?: boolean;
  readonly status?: EntryJudgement['status'];
}

function entry(id: string, p: EntryParts = {}): EntryJudgement {
  return {
    entry: id, kind: 'scenario', name: 'smoke', runId: `r-${id}`, status: p.status ?? 'complete', statusReason: p.status && p.status !== 'complete' ? 'segment 2 lost its statement data' : null,
    key: null, historyRuns: ['n1', 'n2', 'n3'], notices: [],
    metrics: (p.metrics ?? ['ok']).map((status, i) => ({ metric: { id: `opt1/Q${i + 1}/p50`, family: 'latency', stat: 'p50', unit: 'µs', betterWhen: 'lower', value: 100 }, status, n: 3, baseline: 100, change: 0, z: 0, zCritical: 22.3, reason: status })),
    trends: {},
    plans: [{ variant: 'opt1', queryType: 'Q1', status: p.planChanged ? 'changed' : 'unchanged', current: null, previous: null, diff: [], reason: p.planChanged ? 'plan differs' : 'same plan' }],
    kpis: [{ label: 'Overhead reduction', target: '≥ 20%', achieved: p.kpiMissed ? '3.1%' : '25%', pass: !p.kpiMissed, source: 'check' }],
    seconds: 1,
  };
}

function report(entries: EntryJudgement[], gates: { kpi?: 'fail' | 'warn'; planChange?: 'fail' | 'warn' } = {}): NightlyReport {
  return { kind: 'nightly', title: 't', runId: 'n4', startedAt: '2026-12-07T00:00:00Z', finishedAt: '2026-12-07T00:02:00Z', machine: null, commit: null, configFile: null, planChange: gates.planChange ?? 'fail', kpi: gates.kpi ?? 'warn', detector: DEFAULT_DETECTOR, entries };
}

test('exit 0: nothing regressed, even with every KPI missed under kpi: warn', () => {
  const o = outcomeOf(report([entry('a', { kpiMissed: true }), entry('b', { kpiMissed: true })]));
  assert.is(o.exitCode, 0);
  assert.is(o.kpiFailures, 2);
  assert.is(verdictLine(report([entry('a', { kpiMissed: true })])), 'PASS: 0 regressions, 0 plan changes, 1 KPI not met (warning, kpi: warn); 1 metrics judged, 0 not judged');
});

test('exit 1: a regression or a changed plan; a missed KPI only under kpi: fail', () => {
  assert.is(outcomeOf(report([entry('a', { metrics: ['ok', 'regression'] })])).exitCode, 1);
  assert.is(outcomeOf(report([entry('a', { planChanged: true })])).exitCode, 1);
  assert.is(outcomeOf(report([entry('a', { planChanged: true })], { planChange: 'warn' })).exitCode, 0);
  assert.is(outcomeOf(report([entry('a', { kpiMissed: true })], { kpi: 'fail' })).exitCode, 1);
  // Suspects and improvements never fail.
  assert.is(outcomeOf(report([entry('a', { metrics: ['suspect', 'improvement', 'not-enough-history'] })])).exitCode, 0);
});

test('exit 3: an incomplete or errored entry, and it wins over a regression in the same night', () => {
  assert.is(outcomeOf(report([entry('a', { status: 'incomplete' })])).exitCode, 3);
  assert.is(outcomeOf(report([entry('a', { status: 'error', metrics: [] })])).exitCode, 3);
  const both = report([entry('a', { metrics: ['regression'] }), entry('b', { status: 'failed' })], { kpi: 'fail' });
  assert.is(outcomeOf(both).exitCode, 3);
  assert.match(verdictLine(both), /^BROKEN RUN: 1 regression, /);
});

test('JUnit: a missed KPI is <skipped> with a property under warn, a <failure> under fail; an incomplete run is an <error>', () => {
  const warn = renderJunit(report([entry('a', { kpiMissed: true })]), 'h');
  assert.match(warn, /<skipped message="KPI not met \(warning, kpi: warn\): Overhead reduction: 3\.1%"\/>/);
  assert.match(warn, /<property name="kpi\.gate" value="warn"\/>/);
  assert.match(warn, /<property name="kpi\.not-met\.1" value="Overhead reduction \(≥ 20%\): 3\.1%"\/>/);
  assert.not.match(warn, /<failure/);
  const fail = renderJunit(report([entry('a', { kpiMissed: true })], { kpi: 'fail' }), 'h');
  assert.match(fail, /<failure message="Overhead reduction: 3\.1%" type="kpi">/);
  const broken = renderJunit(report([entry('a', { status: 'incomplete' })]), 'h');
  assert.match(broken, /<error message="run incomplete: segment 2 lost its statement data" type="incomplete">/);
});

test('summary.md marks a missed KPI as a warning under kpi: warn', () => {
  const md = renderMarkdown(report([entry('a', { kpiMissed: true })]));
  assert.match(md, /\| Overhead reduction \| ≥ 20% \| 3\.1% \| \*\*not met \(warning\)\*\* \|/);
  assert.match(md, /kpi: warn — a target not met is reported, it does not fail the night/);
});

test('configuration: kpi defaults to warn, accepts fail, rejects anything else with exit 2', () => {
  const base = { entries: [{ kind: 'scenario', name: 'smoke' }] };
  assert.is(validateNightlyConfig(base, 'x.json').kpi, 'warn');
  assert.is(validateNightlyConfig({ ...base, kpi: 'fail' }, 'x.json').kpi, 'fail');
  try {
    validateNightlyConfig({ ...base, kpi: 'maybe' }, 'x.json');
    assert.unreachable('kpi: maybe accepted');
  } catch (err) {
    assert.is((err as { exitCode?: number }).exitCode, 2);
    assert.match((err as Error).message, /kpi/);
  }
});

test('a judgement file written before the KPI gate reads as kpi: fail (it failed on KPIs)', () => {
  const { kpi: _, ...old } = report([entry('a')]);
  assert.is(parseNightlyReport(JSON.parse(JSON.stringify(old)), 'old.json').kpi, 'fail');
  assert.is(parseNightlyReport(JSON.parse(JSON.stringify(report([entry('a')]))), 'new.json').kpi, 'warn');
});

test.run();
