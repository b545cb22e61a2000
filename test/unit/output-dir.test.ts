import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { GeobenchError } from '../../bench/core/errors.ts';
import { assertWritableDir, makeDirs } from '../../bench/core/output-dir.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-outdir-'));

const thrown = (fn: () => unknown): GeobenchError => {
  try {
    fn();
  } catch (err) {
    assert.instance(err, GeobenchError);
    return err as GeobenchError;
  }
  return assert.unreachable('expected an error') as never;
};

test('makeDirs creates every missing component and is idempotent', () => {
  const dir = path.join(tmp, 'a', 'b', 'c');
  assert.is(makeDirs(dir), dir);
  assert.ok(fs.statSync(dir).isDirectory());
  assert.is(makeDirs(dir), dir, 'an existing folder is fine');
  const mode = path.join(tmp, 'private', 'x');
  makeDirs(mode, { mode: 0o700 });
  assert.is(fs.statSync(mode).mode & 0o777, 0o700);
});

test('a regular file in the way: error naming the path and the file, exit code as asked', () => {
  const file = path.join(tmp, 'plain-file');
  fs.writeFileSync(file, 'x');
  const e = thrown(() => makeDirs(path.join(file, 'sub', 'dir'), { exitCode: 2 }));
  assert.is(e.exitCode, 2);
  assert.match(e.message, `cannot create the folder ${path.join(file, 'sub', 'dir')}: ${file} exists and is not a folder`);
  assert.is(thrown(() => makeDirs(file)).exitCode, 1, 'default exit code 1 (a write in the middle of a run)');
});

test('/proc/forbidden: an error at once (the recursive mkdirSync of Node 20 spins forever there)', () => {
  const started = performance.now();
  const e = thrown(() => makeDirs('/proc/forbidden/deeper'));
  assert.ok(performance.now() - started < 1000);
  assert.match(e.message, 'mkdir /proc/forbidden: the file system does not allow creating it (ENOENT)');
});

test('assertWritableDir: exit 2 naming what and where; a writable folder passes and keeps no probe file', () => {
  const e = thrown(() => assertWritableDir('/proc/forbidden', '--out'));
  assert.is(e.exitCode, 2);
  assert.match(e.message, /^--out \/proc\/forbidden cannot be written: /);
  assert.is(e.hint, 'choose another --out');
  const ro = thrown(() => assertWritableDir('/proc/self', '--history'));
  assert.match(ro.message, /^--history \/proc\/self cannot be written: /, 'an existing folder that refuses files');
  const ok = path.join(tmp, 'out', 'run-1');
  assert.is(assertWritableDir(ok, '--out'), ok);
  assert.equal(fs.readdirSync(ok), []);
});

test('no source file calls the recursive mkdirSync (it can hang the process)', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && /mkdirSync\([^)]*recursive/.test(fs.readFileSync(p, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, ''))) offenders.push(path.relative(PROJECT_ROOT, p));
    }
  };
  for (const d of ['bench', 'scripts', 'bin']) if (fs.existsSync(path.join(PROJECT_ROOT, d))) walk(path.join(PROJECT_ROOT, d));
  assert.equal(offenders, []);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();
