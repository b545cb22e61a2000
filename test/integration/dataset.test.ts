import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';

const checksumOf = (stdout: string): string => /checksum ([0-9a-f]{32})/.exec(stdout)?.[1] ?? 'none';

test('the same seed gives the same checksum with 1 or 2 workers, and verify passes', async () => {
  await testDatabase();
  const one = await runCli(['dataset', 'generate', '--scale', '0.001', '--seed', '7', '--workers', '1']);
  assert.is(one.code, 0, one.stderr);
  assert.match(one.stdout, /rows 12400 /);
  const two = await runCli(['dataset', 'generate', '--scale', '0.001', '--seed', '7', '--workers', '2']);
  assert.is(two.code, 0, two.stderr);
  assert.is(checksumOf(two.stdout), checksumOf(one.stdout));
  const verify = await runCli(['dataset', 'verify']);
  assert.is(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, new RegExp(`verify OK: 12400 rows, checksum ${checksumOf(one.stdout)}`));
});

test('the database holds valid geometries of the documented kinds', async () => {
  const target = await testDatabase();
  const r = await withClient(target, (c) => c.query(`SELECT GeometryType(geom) AS t, count(*)::int AS n, bool_and(ST_IsValid(geom)) AS valid,
      min(ST_SRID(geom)) AS srid FROM geobench.geometrias GROUP BY 1 ORDER BY 1`));
  const byType = Object.fromEntries(r.rows.map((row) => [row.t, row]));
  assert.equal(Object.keys(byType), ['LINESTRING', 'POINT', 'POLYGON']);
  assert.ok(r.rows.every((row) => row.valid === true && row.srid === 4326));
  assert.ok(Math.abs(byType.POINT.n / 12400 - 0.6) < 0.03);
});

test('a geometry moved by 1e-6 degrees fails verify, naming the row', async () => {
  const target = await testDatabase();
  await withClient(target, (c) => c.query('UPDATE geobench.geometrias SET geom = ST_Translate(geom, 0.000001, 0) WHERE id = $1', [4242]));
  const r = await runCli(['dataset', 'verify']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /verify FAILED/);
  assert.match(r.stderr, /changed rows \(id\): 4242\n/);
  await withClient(target, (c) => c.query('UPDATE geobench.geometrias SET geom = ST_Translate(geom, -0.000001, 0) WHERE id = $1', [4242]));
});

test('deleted rows are named as missing; rows beyond the dataset range are ignored', async () => {
  const target = await testDatabase();
  await withClient(target, async (c) => {
    await c.query('BEGIN');
    await c.query('DELETE FROM geobench.geometrias WHERE id IN (10, 11, 12, 9000)');
    const r = await runCli(['dataset', 'verify']);
    assert.is(r.code, 0, 'uncommitted delete is invisible to verify');
    await c.query('COMMIT');
  });
  const r = await runCli(['dataset', 'verify']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /missing rows \(id\): 10-12, 9000/);
  const regen = await runCli(['dataset', 'generate', '--scale', '0.001', '--seed', '7']);
  assert.is(regen.code, 0);
  await withClient(target, (c) => c.query(`INSERT INTO geobench.geometrias (layer_id, created_at, updated_at, geom) VALUES (1, now(), now(), 'SRID=4326;POINT(-46 -23)')`));
  const ok = await runCli(['dataset', 'verify']);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /1 row\(s\) outside the dataset id range/);
});

test('Ctrl-C during generate: exit 130, manifest marked incomplete, verify refuses, a re-run starts clean', async () => {
  await testDatabase();
  let sent = false;
  const r = await runCli(['dataset', 'generate', '--scale', '0.2', '--seed', '3', '--workers', '1'], {}, (chunk, child) => {
    if (!sent && /COPY \[/.test(chunk)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.ok(sent, 'progress was shown before the interrupt');
  assert.is(r.code, 130, r.stderr);
  assert.match(r.stderr, /interrupted: dataset generate; the partial dataset is marked incomplete/);
  const info = await runCli(['dataset', 'info']);
  assert.match(info.stdout, /"status": "incomplete"/);
  assert.match(info.stdout, /interrupted by the user/);
  const verify = await runCli(['dataset', 'verify']);
  assert.is(verify.code, 1);
  assert.match(verify.stderr, /is incomplete \(interrupted by the user\)/);
  const again = await runCli(['dataset', 'generate', '--scale', '0.001', '--seed', '7']);
  assert.is(again.code, 0, again.stderr);
  assert.is((await runCli(['dataset', 'verify'])).code, 0);
});

test('--schema puts a dataset into another geobench schema; foreign schemas are refused', async () => {
  const gen = await runCli(['--schema', 'geobench_alt', 'dataset', 'generate', '--scale', '0.001', '--seed', '7']);
  assert.is(gen.code, 0, gen.stderr);
  const verify = await runCli(['--schema', 'geobench_alt', 'dataset', 'verify']);
  assert.is(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /verify OK: 12400 rows/);
  const target = await testDatabase();
  await withClient(target, (c) => c.query('DROP SCHEMA geobench_alt CASCADE'));
  const bad = await runCli(['--schema', 'public', 'dataset', 'generate', '--scale', '0.001']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /schema 'public' is not one of geobench's own/);
});

test('verify with no manifest: clear error', async () => {
  const target = await testDatabase();
  await withClient(target, (c) => c.query('DROP SCHEMA geobench CASCADE'));
  const r = await runCli(['dataset', 'verify']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /no dataset manifest in postgresql:\/\/geobench@127\.0\.0\.1:\d+\/geobench \(embedded\)/);
  assert.match(r.stderr, /hint: run `geobench dataset generate/);
});

test.run();
