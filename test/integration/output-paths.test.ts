import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import type { CliResult } from '../helpers/cli.ts';

// No database is needed: every output path is checked before geobench starts or touches one.
// A hang (Node 20's recursive mkdirSync under /proc spins forever) is killed after 10 s and fails.
const HANG_MS = 10_000;

const BIN = path.join(PROJECT_ROOT, 'bin', 'geobench.js');

/** The real CLI, killed after HANG_MS even if it never prints anything. */
function timed(args: readonly string[]): Promise<CliResult & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: performance.now() - started });
    });
  });
}

let startupMs = 0;
test.before(async () => {
  // The CLI's own start (node + tsx + loading every command) on this machine, to tell it apart
  // from the time geobench spends on the output check.
  startupMs = (await timed(['--help'])).ms;
});

test('run smoke --out /proc/forbidden: exit 2 naming the path, within 2 s of the CLI start', async () => {
  const r = await timed(['run', 'smoke', '--out', '/proc/forbidden']);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /--out \/proc\/forbidden cannot be written/);
  assert.ok(r.ms < startupMs + 2000, `exit after ${r.ms.toFixed(0)} ms (CLI start ${startupMs.toFixed(0)} ms)`);
  assert.not.match(r.stderr, /starting|embedded cluster|preparing/i, 'no database work before the check');
});

test('--out below a regular file, for run, validate, nightly and compare: exit 2 naming the file in the way', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-outpaths-'));
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  const out = path.join(file, 'results');
  for (const args of [['run', 'smoke', '--out', out], ['validate', 'opt2', '--out', out], ['nightly', '--out', out], ['nightly', '--history', out], ['compare', dir, dir, '--out', out]]) {
    const r = await timed(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, `${file} exists and is not a folder`, args.join(' '));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('validate, nightly --history and compare --out under /proc: exit 2, no hang', async () => {
  for (const args of [['validate', 'opt2', '--out', '/proc/forbidden/x'], ['nightly', '--history', '/proc/forbidden'], ['compare', 'a', 'b', '--out', '/proc/forbidden']]) {
    const r = await timed(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /\/proc\/forbidden.* cannot be written/, args.join(' '));
    assert.ok(r.ms < startupMs + 2000, `${args.join(' ')}: ${r.ms.toFixed(0)} ms`);
  }
});

test.run();
