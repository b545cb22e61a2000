import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import { DEFAULT_TARGETS_FILE, loadTargets, parseTargets, TARGET_METRICS } from '../../bench/validate/targets.ts';
import { GeobenchError } from '../../bench/core/errors.ts';

const defaults = fs.readFileSync(DEFAULT_TARGETS_FILE, 'utf8');

test('the shipped scenarios/targets.json holds every KPI a validator judges', () => {
  const t = loadTargets();
  assert.equal(t.all().map((s) => s.key).sort(), Object.keys(TARGET_METRICS).sort());
  assert.is(t.get('opt2.storage_reduction').target, 'storage_reduction > 35%');
  assert.is(t.get('combined.overhead_reduction').required, true);
  assert.equal([t.get('opt2.simd').isClaim, t.get('opt2.simd').required], [true, false]);
});

test('a changed target is read from the file, not the code', () => {
  const t = parseTargets(defaults.replace('storage_reduction > 35%', 'storage_reduction > 20%'), 'mine.json');
  assert.is(t.get('opt2.storage_reduction').target, 'storage_reduction > 20%');
});

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

// mutation of the default file → error pattern (always naming the key and its line)
const bad: Array<[string, (s: string) => string, (s: string) => RegExp]> = [
  ['unknown key', (s) => s.replace('"opt2.p99"', '"opt2.p98"'), (s) => new RegExp(`mine\\.json:${lineOf(s, '"opt2.p98"')}: "opt2\\.p98": unknown KPI`)],
  ['bad grammar', (s) => s.replace('"p99 < 500ms"', '"p99 < 500 furlongs"'), (s) => new RegExp(`mine\\.json:${lineOf(s, '"opt2.p99"')}: "opt2\\.p99": invalid KPI target`)],
  ['another metric', (s) => s.replace('"p99 < 500ms"', '"p50 < 500ms"'), () => /"opt2\.p99": the target's metric is "p50", this KPI measures "p99"/],
  ['unknown field', (s) => s.replace('"required": true, "roadmap": "OPT2 Storage', '"requred": true, "roadmap": "OPT2 Storage'), () => /"opt2\.storage_reduction": .*requred/],
  ['claim for a target', (s) => s.replace('{ "target": "p99 < 500ms"', '{ "claim": "p99 < 500ms"'), () => /"opt2\.p99": needs "target"/],
  ['missing key', (s) => s.replace(/\s*"opt2\.p99": .*\n/, '\n'), () => /missing "opt2\.p99"/],
  ['not JSON', (s) => s.replace('"opt2.p99":', '"opt2.p99"'), (s) => new RegExp(`mine\\.json:${lineOf(s, '"opt2.p99"')}: not valid JSON`)],
];
for (const [name, mutate, pattern] of bad) {
  test(`rejects ${name} with exit code 2, naming the key and the line`, () => {
    const text = mutate(defaults);
    assert.is.not(text, defaults, 'the mutation applied');
    try {
      parseTargets(text, 'mine.json');
      assert.unreachable('accepted');
    } catch (err) {
      assert.instance(err, GeobenchError);
      assert.is((err as GeobenchError).exitCode, 2);
      assert.match((err as Error).message, pattern(text));
    }
  });
}

test('a missing file is a usage error', () => {
  try {
    loadTargets('/nonexistent/targets.json');
    assert.unreachable();
  } catch (err) {
    assert.is((err as GeobenchError).exitCode, 2);
  }
});

test.run();
