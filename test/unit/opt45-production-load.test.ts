import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GeobenchError } from '../../bench/core/errors.ts';
import { loadProductionLoad, parseProductionLoad } from '../../bench/validate/production-load.ts';

function failure(fn: () => unknown): GeobenchError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, GeobenchError);
    return err as GeobenchError;
  }
  assert.unreachable('should have failed');
  throw new Error('unreachable');
}

test('the shipped scenarios/production-load.json is valid', () => {
  const p = loadProductionLoad();
  assert.ok(p.opsPerSec > 0);
  assert.match(p.source, /scenarios\/production-load\.json$/);
});

test('a valid object keeps its rate', () => {
  assert.equal(parseProductionLoad({ opsPerSec: 250, description: 'x' }, 'f.json'), { opsPerSec: 250, description: 'x', source: 'f.json' });
});

test('bad fields: exit 2 naming the field and the file', () => {
  for (const [raw, field] of [[{ opsPerSec: 0 }, 'opsPerSec'], [{ opsPerSec: '100' }, 'opsPerSec'], [{}, 'opsPerSec'], [{ opsPerSec: 1, rate: 2 }, '(root)']] as const) {
    const e = failure(() => parseProductionLoad(raw, 'prod.json'));
    assert.is(e.exitCode, 2);
    assert.match(e.message, 'invalid production load prod.json');
    assert.match(e.message, field);
  }
});

test('a missing file or bad JSON: exit 2 naming the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-prodload-'));
  try {
    const missing = failure(() => loadProductionLoad(path.join(dir, 'none.json')));
    assert.is(missing.exitCode, 2);
    assert.match(missing.message, 'none.json');
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ opsPerSec: 1 ');
    const bad = failure(() => loadProductionLoad(path.join(dir, 'bad.json')));
    assert.is(bad.exitCode, 2);
    assert.match(bad.message, /bad\.json: not JSON/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
