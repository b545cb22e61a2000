import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQL_DIR } from '../../bench/core/paths.ts';
import { decideFolder, inputsDiffer, inputsKey, readSignoffStart, signoffInputs, writeSignoffStart } from '../../bench/validate/signoff-resume.ts';

const base = { geobenchVersion: '1.0.0', scale: 0.01, seed: 1, importedChecksum: null, sqlDir: SQL_DIR, targets: { a: 1, b: { c: 2 } }, durationSec: 10, warmupSec: 2, repetitions: 3, connections: 4, stress: false };

const validationFile = (key: string | undefined): string => JSON.stringify({
  schemaVersion: 1, validator: 'opt2', roadmapName: 'OPT2', runId: 'r-opt2', startedAt: '2026-12-07T08:00:00.000Z', finishedAt: '2026-12-07T08:05:00.000Z',
  dataset: { scale: 0.01, seed: 1 }, allTargetsHold: false, verdict: 'no', checks: [{ metric: 'Storage Reduction', achieved: '16%', target: 'x', value: 0.16, pass: false, outcome: 'fail' }],
  runResult: null, evidence: {}, ...(key ? { inputsKey: key } : {}),
});

test('the inputs key does not depend on key order of the targets, and changes with any input', () => {
  const a = signoffInputs(base);
  const reordered = signoffInputs({ ...base, targets: { b: { c: 2 }, a: 1 } });
  assert.is(inputsKey(a), inputsKey(reordered));
  assert.is.not(inputsKey(a), inputsKey(signoffInputs({ ...base, seed: 2 })));
  assert.is.not(inputsKey(a), inputsKey(signoffInputs({ ...base, targets: { a: 1, b: { c: 3 } } })));
  assert.is.not(inputsKey(a), inputsKey(signoffInputs({ ...base, durationSec: 11 })));
  assert.is.not(inputsKey(a), inputsKey(signoffInputs({ ...base, importedChecksum: 'ab' })));
  assert.equal(inputsDiffer(a, signoffInputs({ ...base, repetitions: 5, targets: {} })), ['targetsChecksum', 'measurement']);
  // Every migration of sql/ is in it with its checksum.
  assert.ok(a.migrations.length >= 5 && a.migrations.every((m) => /^OPT\d:[0-9a-f]{64}$/.test(m)), a.migrations.join(' '));
});

test('a finished folder with the same inputs is reused; interrupted or other inputs are moved aside, nothing deleted', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-resume-'));
  const key = inputsKey(signoffInputs(base));
  assert.equal(decideFolder(path.join(root, 'opt2'), key), { reuse: false, why: 'not started', movedTo: null });

  fs.mkdirSync(path.join(root, 'opt2'));
  fs.writeFileSync(path.join(root, 'opt2', 'validation.json'), validationFile(key));
  const same = decideFolder(path.join(root, 'opt2'), key);
  assert.ok(same.reuse);
  if (same.reuse) assert.is(same.file.checks[0]!.achieved, '16%');

  const other = decideFolder(path.join(root, 'opt2'), 'another-key');
  assert.equal(other, { reuse: false, why: 'finished with other inputs (dataset, migrations, targets or measurement options changed)', movedTo: path.join(root, 'opt2.interrupted-1') });
  assert.ok(fs.existsSync(path.join(root, 'opt2.interrupted-1', 'validation.json')));

  fs.mkdirSync(path.join(root, 'opt2'));
  fs.writeFileSync(path.join(root, 'opt2', 'result.json'), '{}');
  const half = decideFolder(path.join(root, 'opt2'), key);
  assert.equal(half, { reuse: false, why: 'interrupted before it finished (no validation.json)', movedTo: path.join(root, 'opt2.interrupted-2') });
  assert.ok(fs.existsSync(path.join(root, 'opt2.interrupted-2', 'result.json')));

  fs.mkdirSync(path.join(root, 'opt2'));
  fs.writeFileSync(path.join(root, 'opt2', 'validation.json'), validationFile(undefined));
  assert.is((decideFolder(path.join(root, 'opt2'), key) as { why: string }).why, 'finished without a record of its inputs');
  fs.rmSync(root, { recursive: true, force: true });
});

test('the start file round-trips; a folder without one is refused with exit 2', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-resume-'));
  const inputs = signoffInputs(base);
  writeSignoffStart(root, { runId: 'r1', startedAt: '2026-12-07T08:00:00.000Z', inputs });
  assert.equal(readSignoffStart(root).inputs, inputs);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-resume-'));
  try {
    readSignoffStart(empty);
    assert.unreachable();
  } catch (err) {
    assert.is((err as { exitCode: number }).exitCode, 2);
    assert.match((err as Error).message, /not a sign-off folder/);
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(empty, { recursive: true, force: true });
});

test.run();
