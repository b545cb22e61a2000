import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { dropOwnSchema } from '../../bench/db/drop-schema.ts';
import type { ValidationFile } from '../../bench/formats/validation-file.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-validate-'));
const QUICK = ['--scale', '0.002', '--duration', '1', '--warmup', '0', '--repeat', '2', '--connections', '2'];
const readValidation = (dir: string): ValidationFile => JSON.parse(fs.readFileSync(path.join(dir, 'validation.json'), 'utf8'));

test.after(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  const target = await testDatabase();
  await withClient(target, async (c) => {
    for (const s of ['geobench_state_a', 'geobench_state_b']) {
      await dropOwnSchema(c, s);
      await c.query(`DROP SCHEMA IF EXISTS ${s}_api CASCADE`);
    }
  });
});

test('validate opt3: KPI table with every checklist item measured, validation.json written, exit code follows the targets', async () => {
  await testDatabase();
  const out = path.join(tmp, 'opt3');
  // A targets file of our own: one target changed, to show the validator takes it from the file.
  const targets = path.join(tmp, 'targets.json');
  fs.writeFileSync(targets, fs.readFileSync(path.join(import.meta.dirname, '../../scenarios/targets.json'), 'utf8').replace('materialized_views >= 5', 'materialized_views >= 6'));
  const r = await runCli(['validate', 'opt3', ...QUICK, '--out', out, '--targets', targets]);
  const v = readValidation(out);
  assert.is(r.code, v.allTargetsHold ? 0 : 1, r.stderr.slice(-1500));
  assert.match(r.stdout, /OPT3_INDEXED_VIEWS_RPC_SEARCH_VALIDATOR/);
  assert.match(r.stdout, /\| Métrica\s+\| Target\s+\| Achieved/);
  const byMetric = Object.fromEntries(v.checks.map((c) => [c.metric.replace(/ \(.*$/, ''), c]));
  assert.is(byMetric['Materialized Views']!.value, 5);
  assert.equal([byMetric['Materialized Views']!.target, byMetric['Materialized Views']!.outcome, byMetric['Materialized Views']!.targetKey], ['materialized_views >= 6', 'fail', 'opt3.materialized_views']);
  assert.is(v.verdict, 'no');
  assert.is(r.code, 1);
  assert.ok((byMetric['View Indexes']!.value ?? 0) >= 12);
  assert.is(byMetric['RPC Functions Operational']!.pass, true, 'every function answers what the table says');
  assert.ok((byMetric['RPC Throughput']!.value ?? 0) > 0, 'RPC throughput measured over HTTP');
  assert.is(byMetric['RPC Errors']!.pass, true);
  assert.ok(byMetric['View Availability']!.value !== null);
  for (const c of v.checks) assert.ok(c.achieved !== 'not measured', `${c.metric} measured`);
});

test('validate --targets: a bad targets file is a usage error naming the key and line, before any database work', async () => {
  const bad = path.join(tmp, 'bad-targets.json');
  const text = fs.readFileSync(path.join(import.meta.dirname, '../../scenarios/targets.json'), 'utf8').replace('"p99 < 350ms"', '"p99 < 350 parsecs"');
  fs.writeFileSync(bad, text);
  const line = text.slice(0, text.indexOf('"opt3.rpc_p99"')).split('\n').length;
  const r = await runCli(['validate', 'opt3', '--targets', bad, '--db', 'postgresql://nobody@127.0.0.1:1/none']);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`bad-targets\\.json:${line}: "opt3\\.rpc_p99": invalid KPI target`));
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
