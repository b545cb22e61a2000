import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import type { ValidationFile } from '../../bench/formats/validation-file.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-validate-'));
const QUICK = ['--scale', '0.002', '--duration', '1', '--warmup', '0', '--repeat', '2', '--connections', '2'];
const readValidation = (dir: string): ValidationFile => JSON.parse(fs.readFileSync(path.join(dir, 'validation.json'), 'utf8'));

test.after(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  const target = await testDatabase();
  await withClient(target, async (c) => {
    for (const s of ['geobench_opt3_before', 'geobench_opt3_after', 'geobench_opt3_after_api', 'geobench_opt2_before', 'geobench_opt2_after']) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  });
});

test('validate opt3: KPI table with every checklist item measured, validation.json written, exit code follows the targets', async () => {
  await testDatabase();
  const out = path.join(tmp, 'opt3');
  const r = await runCli(['validate', 'opt3', ...QUICK, '--out', out]);
  const v = readValidation(out);
  assert.is(r.code, v.allTargetsHold ? 0 : 1, r.stderr.slice(-1500));
  assert.match(r.stdout, /OPT3_INDEXED_VIEWS_RPC_SEARCH_VALIDATOR/);
  assert.match(r.stdout, /\| Métrica\s+\| Target\s+\| Achieved/);
  const byMetric = Object.fromEntries(v.checks.map((c) => [c.metric.replace(/ \(.*$/, ''), c]));
  assert.is(byMetric['Materialized Views']!.value, 5);
  assert.ok((byMetric['View Indexes']!.value ?? 0) >= 12);
  assert.is(byMetric['RPC Functions Operational']!.pass, true, 'every function answers what the table says');
  assert.ok((byMetric['RPC Throughput']!.value ?? 0) > 0, 'RPC throughput measured over HTTP');
  assert.is(byMetric['RPC Errors']!.pass, true);
  assert.ok(byMetric['View Availability']!.value !== null);
  for (const c of v.checks) assert.ok(c.achieved !== 'not measured', `${c.metric} measured`);
});

test('validate with an unknown validator name lists the known ones', async () => {
  const r = await runCli(['validate', 'opt9']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown validator 'opt9'/);
  assert.match(r.stderr, /known: opt2, opt3/);
});

test('validate refuses destructive steps on an external database without --allow-destructive', async () => {
  const target = await testDatabase();
  const url = `postgresql://geobench@127.0.0.1:${target.client.port}/geobench`;
  const r = await runCli(['validate', 'opt3', '--db', url], { PGPASSWORD: String(target.client.password) });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /rebuilds and migrates geobench schemas/);
  assert.match(r.stderr, /--allow-destructive/);
});

test.run();
