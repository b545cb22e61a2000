import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';

// A scenario argument is a registered name; a file needs --scenario-file. Everything here fails
// before any database work, so no cluster is started.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-scenario-args-'));

test('a name that is not registered, or a path given as a name: exit 2 with the names and the hint', async () => {
  for (const arg of ['nosuch', '../../etc/passwd', '/etc/passwd', 'scenarios/smoke.ts', 'smoke.ts']) {
    const r = await runCli(['run', arg]);
    assert.is(r.code, 2, `${arg}: ${r.stderr}`);
    assert.match(r.stderr, `unknown scenario '${arg}' (names: `);
    assert.match(r.stderr, /names: [^)]*smoke[^)]*; use --scenario-file for a file\)/);
    assert.not.match(r.stderr, /Unexpected token|could not be loaded/, `${arg} was never imported`);
  }
});

test('--scenario-file: a bad module is validated like the rest; wrong kinds of files are refused', async () => {
  // A scenario module outside the project needs an ESM package scope (or the .mts extension).
  fs.writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
  const file = path.join(tmp, 'bad-scenario.ts');
  fs.writeFileSync(file, `export default { name: 'bad', description: 'x', dataset: { scale: 0.001, seed: 1 }, variants: [{ name: 'baseline', migrateTo: 'baseline' }], workload: { Q1: 1 }, load: { model: 'closed', connections: -1 }, durationSec: 1 };\n`);
  const invalid = await runCli(['run', '--scenario-file', file]);
  assert.is(invalid.code, 2);
  assert.match(invalid.stderr, /invalid scenario bad-scenario\.ts:\n\s+load\.connections: /);

  const passwd = await runCli(['run', '--scenario-file', '/etc/passwd']);
  assert.is(passwd.code, 2);
  assert.match(passwd.stderr, /--scenario-file \/etc\/passwd: a scenario file is a \.ts or \.js module/);
  const outside = await runCli(['run', '--scenario-file', path.relative(process.cwd(), file)]);
  assert.is(outside.code, 2, 'a relative path leaving the project');
  assert.match(outside.stderr, /is outside the project/);
  const missing = await runCli(['run', '--scenario-file', '/nonexistent/x.ts']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /--scenario-file \/nonexistent\/x\.ts: no such file/);
  const both = await runCli(['run', 'smoke', '--scenario-file', file]);
  assert.is(both.code, 2);
  assert.match(both.stderr, /give either a scenario name or --scenario-file <path>, not both or neither/);
  const neither = await runCli(['run']);
  assert.is(neither.code, 2);
});

test('--scenario-file with a project file (relative path) loads and plans it: the run gets as far as the --out check', async () => {
  const r = await runCli(['run', '--scenario-file', path.relative(process.cwd(), path.join(PROJECT_ROOT, 'scenarios', 'smoke.ts')), '--out', '/proc/forbidden']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--out \/proc\/forbidden cannot be written/);
  const flag = await runCli(['run', 'smoke', '--duration', '-3']);
  assert.is(flag.code, 2);
  assert.match(flag.stderr, /duration must be a positive number/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();
