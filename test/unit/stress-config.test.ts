import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GeobenchError } from '../../bench/core/errors.ts';
import { parseDurationUs, parsePercent, readStressSection, resolveStressConfig } from '../../bench/stress/config.ts';

const shipped = path.resolve('scenarios/stress.json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stress-config-'));
const write = (name: string, body: unknown): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
};
const exit2 = (fn: () => unknown, pattern: RegExp): void => {
  try {
    fn();
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.is((err as GeobenchError).exitCode, 2);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable('expected an exit-2 error');
};

test('durations and percentages', () => {
  assert.is(parseDurationUs('250ms'), 250_000);
  assert.is(parseDurationUs('1.5s'), 1_500_000);
  assert.is(parseDurationUs('800us'), 800);
  assert.is(parsePercent('1%'), 0.01);
  assert.is(parsePercent('0.7%'), 0.007);
  assert.throws(() => parseDurationUs('250'), /not a duration/);
  assert.throws(() => parseDurationUs('0ms'), /greater than 0/);
});

test('the shipped scenarios/stress.json is valid and resolves', () => {
  const c = resolveStressConfig(readStressSection(shipped));
  assert.is(c.sloP99Us, 250_000);
  assert.is(c.errorLimit, 0.01);
  assert.is(c.tolerance, 0.1);
  assert.is(c.capacityChangeTarget.metric, 'capacity_change');
  assert.is(c.startRate, null, '"auto": the ramp starts from a closed-loop probe');
});

test('--start-rate replaces the probe', () => {
  assert.is(resolveStressConfig(readStressSection(shipped), { startRate: 120 }).startRate, 120);
});

test('flags override the file', () => {
  const c = resolveStressConfig(readStressSection(shipped), { sloP99: '50ms', slo: ['Q1=5ms', 'Q3=20ms'], maxRate: 300, stepSeconds: 1, errorLimit: '0.5%', target: 'capacity_change >= 0%' });
  assert.equal([c.sloP99Us, c.sloPerTypeUs, c.maxRate, c.stepSeconds, c.errorLimit, c.capacityChangeTarget.value], [50_000, { Q1: 5000, Q3: 20_000 }, 300, 1, 0.005, 0]);
});

test('bad flags and bad files exit 2 naming the problem', () => {
  const section = readStressSection(shipped);
  exit2(() => resolveStressConfig(section, { sloP99: 'fast' }), /--slo-p99: "fast" is not a duration/);
  exit2(() => resolveStressConfig(section, { slo: ['Q1:5ms'] }), /--slo Q1:5ms: expected TYPE=duration/);
  exit2(() => resolveStressConfig(section, { target: 'p99 < 5ms' }), /--target: the target must be on capacity_change/);
  exit2(() => resolveStressConfig(section, { startRate: 50, maxRate: 10 }), /start rate 50 ops\/s is above --max-rate 10/);
  const base = JSON.parse(fs.readFileSync(shipped, 'utf8'));
  exit2(() => readStressSection(write('bad-slo.json', { stress: { ...base.stress, sloP99: '250' } })), /bad-slo\.json: stress\.sloP99: a duration/);
  exit2(() => readStressSection(write('unknown.json', { stress: { ...base.stress, sloP95: '1s' } })), /unknown\.json: .*sloP95/);
  exit2(() => readStressSection(write('type.json', { stress: { ...base.stress, sloPerType: { q1: '5ms' } } })), /type\.json: stress\.sloPerType\.q1/);
  exit2(() => readStressSection(write('broken.json', '{')), /broken\.json/);
  exit2(() => readStressSection(path.join(dir, 'missing.json')), /missing\.json/);
});

test.run();
