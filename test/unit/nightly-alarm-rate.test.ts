import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alarmRates, binomialCdf, tallyNight, upperBound, type NightTally } from '../../bench/nightly/alarm-rate.ts';

const close = (a: number | null, b: number, tol: number, what: string): void => assert.ok(a !== null && Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('upper bound with no events is 1 − 0.05^(1/n) (the rule of three, ≈ 3/n)', () => {
  close(upperBound(0, 20), 1 - 0.05 ** (1 / 20), 1e-12, '0/20');
  close(upperBound(0, 20), 0.13911, 1e-5, '0/20 value');
  close(upperBound(0, 1000), 0.0029914, 1e-6, '0/1000 ≈ 3/1000');
  assert.is(upperBound(0, 0), null);
  assert.is(upperBound(5, 5), 1);
});

test('upper bound with events is the Clopper–Pearson one: P(X ≤ k | bound) = 5 %', () => {
  const u = upperBound(1, 100)!;
  close(u, 0.0466, 1e-4, '1/100');
  close(binomialCdf(1, 100, u), 0.05, 1e-9, 'tail at the bound');
  close(binomialCdf(3, 625, upperBound(3, 625)!), 0.05, 1e-9, 'tail at the 3/625 bound');
  assert.throws(() => upperBound(3, 2), /bad counts/);
});

test('binomial CDF exact values', () => {
  close(binomialCdf(0, 10, 0.1), 0.9 ** 10, 1e-12, 'P(X=0)');
  close(binomialCdf(1, 2, 0.5), 0.75, 1e-12, 'P(X≤1), n=2');
});

test('rates count judged nights only; judgements = metric + plan verdicts', () => {
  const night = (judged: boolean, alarms: string[], m = 80, p = 18): NightTally => ({ runId: 'x', metricJudgements: judged ? m : 0, planJudgements: p, alarms, suspects: 0, improvements: 0, judged, brokenEntries: 0 });
  const r = alarmRates([night(false, []), night(false, []), night(false, []), night(true, []), night(true, ['smoke:opt1/Q3/p99']), night(true, [])]);
  assert.is(r.nights, 6);
  assert.is(r.judgedNights, 3);
  assert.is(r.nightsWithAlarm, 1);
  assert.is(r.judgements, 3 * 98);
  assert.is(r.alarms, 1);
  close(r.perJudgement.rate, 1 / 294, 1e-12, 'rate');
});

test('tallyNight counts regressions and (under planChange fail) changed plans as alarms', () => {
  const metric = (status: string) => ({ metric: { id: `m-${status}` }, status });
  const report = {
    runId: 'n5', planChange: 'fail' as const,
    entries: [{ entry: 'smoke', status: 'complete', metrics: [metric('ok'), metric('regression'), metric('suspect'), metric('not-enough-history')], plans: [{ variant: 'opt1', queryType: 'Q3', status: 'changed' }, { variant: 'opt1', queryType: 'Q1', status: 'not-captured' }] }],
  } as unknown as Parameters<typeof tallyNight>[0];
  const t = tallyNight(report);
  assert.equal(t.alarms, ['smoke:m-regression', 'smoke:plan:opt1/Q3']);
  assert.is(t.metricJudgements, 3);
  assert.is(t.planJudgements, 1);
  assert.is(t.suspects, 1);
  assert.is(tallyNight({ ...report, planChange: 'warn' }).alarms.length, 1);
});

test.run();
