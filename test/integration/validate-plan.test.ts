/**
 * The plan before a validation, on the real embedded cluster: generate and migrate record their
 * rates, `--dry-run` reads the schemas as they are (reused / migrated from where they stand), prints
 * the plan with its sources and creates nothing; a run at a scale the disk cannot hold is refused
 * with exit 2 naming both numbers, before any schema exists.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { dropOwnSchema } from '../../bench/db/drop-schema.ts';
import { readStepRates, stepRatesFile } from '../../bench/core/step-rates.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-validate-plan-'));
const SCHEMA = 'geobench_state_b';

const schemas = async (): Promise<string[]> => withClient(await testDatabase(), async (c) =>
  (await c.query<{ n: string }>(`SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'geobench%' ORDER BY 1`)).rows.map((r) => r.n));

test.after(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await withClient(await testDatabase(), async (c) => {
    for (const s of [SCHEMA, 'geobench_state_a']) {
      await dropOwnSchema(c, s);
      await c.query(`DROP SCHEMA IF EXISTS ${s}_api CASCADE`);
    }
  });
});

test('generate and migrate record their rates; --dry-run reads the schemas, prints the plan and creates nothing', async () => {
  await testDatabase();
  // Both shared state schemas (bench/validate/state-schemas.ts): an earlier test may have left them.
  await withClient(await testDatabase(), async (c) => {
    for (const s of [SCHEMA, 'geobench_state_a']) {
      await dropOwnSchema(c, s);
      await c.query(`DROP SCHEMA IF EXISTS ${s}_api CASCADE`);
    }
  });
  const gen = await runCli(['--schema', SCHEMA, 'dataset', 'generate', '--scale', '0.001', '--workers', '1']);
  assert.is(gen.code, 0, gen.stderr);
  const verify = await runCli(['--schema', SCHEMA, 'dataset', 'verify', '--workers', '1']);
  assert.is(verify.code, 0, verify.stderr);
  assert.match(verify.stderr, /verify geobench_state_b \[#{24}\] 100\.0% 12,400\/12,400 rows, [\d,]+ rows\/s, [\d.]+ s\n/, 'verify showed its progress (no terminal: plain lines)');
  const up = await runCli(['--schema', SCHEMA, 'migrate', 'up', '--to', 'OPT1']);
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stderr, /OPT1 up \(1\/1\) geobench_state_b \[#+\] \d+\/\d+ statements/, 'the migration showed its progress');

  const { rates, problem } = readStepRates(stepRatesFile());
  assert.is(problem, null);
  for (const key of ['generate.copy', 'generate.indexes', 'size.baseline', 'verify', 'migrate.up.OPT1', 'size.OPT1']) {
    assert.is(rates[key]?.at(-1)?.rows, 12_400, `${key} recorded at 12,400 rows`);
  }
  assert.ok(rates['size.OPT1']!.at(-1)!.bytes! > 1e6, 'the schema\'s bytes after OPT1');

  const before = await schemas();
  const dry = await runCli(['validate', 'opt2', '--dry-run', '--scale', '0.001', '--out', path.join(tmp, 'never')]);
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^plan of validate opt2 at scale 0\.001 \(12,400 rows\)/);
  assert.match(dry.stdout, /opt2 +reused +geobench_state_b already at OPT1 with the dataset +0\.0 s +0 +the server now/);
  assert.match(dry.stdout, /opt2 +generate +geobench_state_a \(12,400 rows, COPY\) .* measured here \d{4}-\d\d-\d\d \(scale 0\.001/);
  assert.match(dry.stdout, /opt2 +OPT2 up +geobench_state_b → OPT2 /);
  assert.match(dry.stdout, /estimated total: .*; disk in use above now: peak \+/);
  assert.match(dry.stdout, /disk: needs [\d.]+ GB \(peak [\d.]+ GB \+ WAL\/temp headroom 0\.50 GB\); free [\d.]+ GB on the filesystem of .*: ok/);
  assert.equal(await schemas(), before, 'the dry run created or dropped no schema');
  assert.not.ok(fs.existsSync(path.join(tmp, 'never')), 'nor an output folder');

  const signoff = await runCli(['validate', 'signoff', '--dry-run', '--plan-main-job', '--scale', '0.001', '--stress']);
  assert.is(signoff.code, 0, signoff.stderr);
  for (const part of ['main job', 'opt2', 'opt3', 'opt45', 'combined']) assert.match(signoff.stdout, new RegExp(`\\n +${part} in all `), `${part} subtotal`);
  assert.match(signoff.stdout, /stress: capacity at the p99 SLO/);
  assert.equal(await schemas(), before);
});

test('a run prints the plan first on stderr and keeps it as plan.json in its output folder', async () => {
  const out = path.join(tmp, 'run');
  let stopped = false;
  // Killed as soon as the plan is shown: what matters here is what the run did before building anything.
  const r = await runCli(['validate', 'opt2', '--scale', '0.001', '--out', out], {}, (chunk, child) => {
    if (!stopped && /estimates: measured rates/.test(chunk)) {
      stopped = true;
      child.kill('SIGKILL');
    }
  });
  assert.ok(stopped, r.stderr.slice(-2000));
  assert.is(r.code, 128, 'ended by the kill, not by itself');
  assert.match(r.stderr, /plan of validate opt2 at scale 0\.001 \(12,400 rows\)[\s\S]*opt2 in all[\s\S]*disk: needs/);
  const plan = JSON.parse(fs.readFileSync(path.join(out, 'plan.json'), 'utf8')) as { validate: string; scale: number; rows: Array<{ part: string; step: string }>; disk: { refuse: boolean } };
  assert.equal([plan.validate, plan.scale, plan.disk.refuse], ['opt2', 0.001, false]);
  assert.ok(plan.rows.some((row) => row.part === 'opt2' && row.step === 'load'));
});

test('a run the free disk cannot hold is refused with exit 2 and both numbers, before any schema is built', async () => {
  const before = await schemas();
  const r = await runCli(['validate', 'signoff', '--scale', '10', '--out', path.join(tmp, 'refused')]);
  assert.is(r.code, 2, r.stderr.slice(-2000));
  const m = /not enough free disk for validate signoff at scale 10: it needs ([\d.]+) GB, ([\d.]+) GB are free/.exec(r.stderr);
  assert.ok(m, r.stderr.slice(0, 2000));
  assert.ok(Number(m![1]) > Number(m![2]), `needed ${m![1]} GB > free ${m![2]} GB`);
  assert.match(r.stderr, /opt2 +generate +geobench_state_b \(124,000,000 rows, COPY\)/, 'the per-step table is in the message');
  assert.equal(await schemas(), before, 'no schema was created');
  const dry = await runCli(['validate', 'signoff', '--dry-run', '--scale', '10']);
  assert.is(dry.code, 2, 'the dry run says the run would be refused, with the same exit code');
  assert.match(dry.stderr, /not enough free disk/);
});

test.run();
