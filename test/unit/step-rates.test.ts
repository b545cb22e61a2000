import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KEEP_PER_STEP, readStepRates, recordSteps, withMeasurement } from '../../bench/core/step-rates.ts';
import { estimateStep, type PublishedFigure } from '../../bench/validate/plan-rates.ts';
import { progressLine } from '../../bench/cli/progress.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-step-rates-'));

test('withMeasurement keeps the last KEEP_PER_STEP measurements of a step, others untouched', () => {
  let rates = withMeasurement({}, 'other', { at: 'x', rows: 1, seconds: 1 });
  for (let i = 1; i <= KEEP_PER_STEP + 2; i++) rates = withMeasurement(rates, 'verify', { at: `t${i}`, rows: 10, seconds: i });
  assert.equal(rates.verify!.map((m) => m.seconds), [3, 4, 5, 6, 7, 8]);
  assert.equal(rates.other, [{ at: 'x', rows: 1, seconds: 1 }]);
});

test('recordSteps writes a file readStepRates reads back; bad entries are skipped', () => {
  const file = path.join(dir, 'a', 'step-rates.json');
  const now = new Date('2026-12-07T08:00:00Z');
  assert.is(recordSteps([{ key: 'verify', rows: 1000, seconds: 2.5 }, { key: 'size.OPT1', rows: 1000, bytes: 4096 }, { key: 'verify', rows: 0, seconds: 1 }], file, now), null);
  assert.is(recordSteps([{ key: 'verify', rows: 2000, seconds: 4 }, { key: 'verify', rows: 10, seconds: -1 }], file, now), null);
  assert.equal(readStepRates(file), {
    rates: {
      verify: [{ at: '2026-12-07T08:00:00.000Z', rows: 1000, seconds: 2.5 }, { at: '2026-12-07T08:00:00.000Z', rows: 2000, seconds: 4 }],
      'size.OPT1': [{ at: '2026-12-07T08:00:00.000Z', rows: 1000, bytes: 4096 }],
    },
    problem: null,
  });
});

test('an unreadable or invalid file reads as empty with the reason; recording replaces it', () => {
  const file = path.join(dir, 'bad.json');
  fs.writeFileSync(file, '{"version": 1, "steps": {"verify": [{"at": "x", "rows": -5, "seconds": 1}]}}');
  const r = readStepRates(file);
  assert.equal(r.rates, {});
  assert.match(r.problem!, /bad\.json: steps\.verify\.0\.rows: /);
  fs.writeFileSync(file, 'not json');
  assert.match(readStepRates(file).problem!, /bad\.json: .*JSON/);
  assert.is(recordSteps([{ key: 'verify', rows: 5, seconds: 1 }], file, new Date(0)), null);
  assert.equal(readStepRates(file).rates, { verify: [{ at: '1970-01-01T00:00:00.000Z', rows: 5, seconds: 1 }] });
});

test('recordSteps returns the reason instead of throwing when the folder cannot be written', () => {
  const blocker = path.join(dir, 'blocker');
  fs.writeFileSync(blocker, '');
  assert.match(recordSteps([{ key: 'verify', rows: 5, seconds: 1 }], path.join(blocker, 'x', 'step-rates.json')) ?? '', /^step rates not recorded in /);
});

const PUB: Record<string, PublishedFigure> = { verify: { rows: 12_400_000, seconds: 84, source: 'docs/x' } };
const local = {
  verify: [
    { at: '2026-12-01T10:00:00Z', rows: 124_000, seconds: 2 },
    { at: '2026-12-02T10:00:00Z', rows: 1_240_000, seconds: 10 },
    { at: '2026-12-05T10:00:00Z', rows: 1_240_000, seconds: 14 },
    { at: '2026-12-03T10:00:00Z', rows: 1_240_000, seconds: 12 },
  ],
};

test('estimateStep: the local measurements at the nearest row count, median per row, scaled linearly', () => {
  assert.equal(estimateStep(local, 'verify', 'seconds', 1_240_000, PUB), { value: 12, source: 'measured here 2026-12-05 (scale 0.1, median of 3)' });
  assert.equal(estimateStep(local, 'verify', 'seconds', 2_480_000, PUB), { value: 24, source: 'measured here 2026-12-05 (scale 0.1, median of 3)' });
  assert.equal(estimateStep(local, 'verify', 'seconds', 124_000, PUB), { value: 2, source: 'measured here 2026-12-01 (scale 0.01)' });
});

test('estimateStep: a published figure at a nearer row count wins; a local one wins a tie', () => {
  assert.equal(estimateStep(local, 'verify', 'seconds', 12_400_000, PUB), { value: 84, source: 'docs/x (scale 1)' });
  // 5M: 12.4M is 2.5× away, 1.24M is 4× away
  assert.equal(estimateStep(local, 'verify', 'seconds', 5_000_000, PUB).source, 'docs/x (scale 1)');
  const tie = { verify: [{ at: '2026-12-06T00:00:00Z', rows: 12_400_000, seconds: 60 }] };
  assert.equal(estimateStep(tie, 'verify', 'seconds', 12_400_000, PUB), { value: 60, source: 'measured here 2026-12-06 (scale 1)' });
});

test('estimateStep: measurements without the field do not count; no figure at all is null', () => {
  assert.equal(estimateStep({ verify: [{ at: 'x', rows: 10, bytes: 5 }] }, 'verify', 'seconds', 1_240_000, PUB), { value: 8.4, source: 'docs/x (scale 1)' });
  assert.equal(estimateStep({}, 'migrate.up.OPT9', 'seconds', 1_240_000, PUB), { value: null, source: 'never measured here, no published figure' });
});

test('progressLine: rows with rate and ETA; statements with elapsed time only', () => {
  assert.is(progressLine({ label: 'verify s', total: 1000, unit: 'rows', showRate: true }, 250, 5, false), 'verify s [######..................] 25.0% 250/1,000 rows, 50 rows/s, ETA 15 s');
  assert.is(progressLine({ label: 'verify s', total: 1000, unit: 'rows', showRate: true }, 1000, 20, true), 'verify s [########################] 100.0% 1,000/1,000 rows, 50 rows/s, 20.0 s');
  assert.is(progressLine({ label: 'OPT1 up (1/2) s', total: 4, unit: 'statements', showRate: false }, 1, 3, false), 'OPT1 up (1/2) s [######..................] 1/4 statements, 3.0 s elapsed');
  assert.is(progressLine({ label: 'x', total: 10, unit: 'rows', showRate: true }, 0, 0, false), 'x [........................] 0.0% 0/10 rows, 0 rows/s, ETA ?');
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
