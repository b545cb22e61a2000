import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';

/**
 * Issue 17, the workload half: an imported table measured with two query types from .sql files and
 * a candidate migration from a folder of one's own; then `validate combined` on the same import.
 */
const ROWS = 2000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-byo-'));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
};

write('c1.sql', `-- @title parcels of a layer near a real point
-- @kind read
-- @param $1 point
-- @param $2 layer
SELECT id FROM geometrias WHERE layer_id = $2 AND ST_DWithin(geom, $1::geometry, 0.01) LIMIT 50
`);
write('c2.sql', `-- @kind read
-- @param $1,$2 time_window 7d
-- @param $3 box 3000
SELECT count(*) FROM geometrias WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz AND geom && $3::geometry
`);
write('bad.sql', `-- @kind read
-- @param $1 point
-- @param $2 pointy
SELECT 1 WHERE $1::geometry IS NOT NULL AND $2 > 0
`);
write('migrations/1700000100_created_brin.sql', 'CREATE INDEX geometrias_created_brin ON geometrias USING brin (created_at);\n');
write('migrations/ROLLBACK_CUST1_created_brin.sql', 'DROP INDEX IF EXISTS geometrias_created_brin;\n');

const scenario = (name: string, files: Record<string, string>): string => write(`${name}.mts`, `export default ${JSON.stringify({
  name, description: 'imported parcels with query files and a custom migration',
  dataset: { scale: ROWS / 12_400_000, seed: 1, import: 'geobench' },
  queryFiles: files,
  variants: [{ name: 'byo_base', migrateTo: 'baseline' }, { name: 'byo_cust', migrateTo: 'CUST1' }],
  workload: Object.fromEntries(Object.keys(files).map((k) => [k, 1])),
  load: { model: 'closed', connections: 2 }, durationSec: 1, warmupSec: 0, repetitions: 1,
}, null, 2)};\n`);

test.before(async () => {
  const target = await testDatabase();
  // Variant schemas of an earlier run would be reused (same checksum): drop them so the copy path runs.
  await withClient(target, (c) => c.query(`DROP SCHEMA IF EXISTS geobench_byo_base CASCADE; DROP SCHEMA IF EXISTS geobench_byo_cust CASCADE;
    DROP SCHEMA IF EXISTS byo_src2 CASCADE; CREATE SCHEMA byo_src2;
    CREATE TABLE byo_src2.parcels AS SELECT i AS id, 100 + (i % 7) AS layer_id, timestamptz '2024-03-01' + i * interval '1 hour' AS created_at,
      ST_SetSRID(ST_MakePoint(-9.14 + (i % 101) * 0.001, 38.7 + (i % 83) * 0.001), 4326) AS geom FROM generate_series(1, ${ROWS}) AS i`));
  const r = await runCli(['dataset', 'import', '--from', 'byo_src2.parcels', '--workers', '1']);
  assert.is(r.code, 0, r.stderr);
});

test('a malformed query-file header is refused with exit 2, naming the file and line', async () => {
  const r = await runCli(['run', '--scenario-file', scenario('byo-bad', { C1: 'c1.sql', C3: 'bad.sql' }), '--out', path.join(dir, 'out-bad')]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /bad\.sql:3: unknown generator 'pointy'/);
});

test('two .sql query types and a custom migrations folder: runs, reports, plans drawn from the real rows', async () => {
  const out = path.join(dir, 'out-run');
  const r = await runCli(['--migrations', path.join(dir, 'migrations'), 'run', '--scenario-file', scenario('byo-run', { C1: 'c1.sql', C2: 'c2.sql' }), '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /copying the imported dataset of schema geobench into schema geobench_byo_cust/);
  const result = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8'));
  for (const v of result.results.variants) {
    for (const q of ['C1', 'C2']) assert.ok(v.byQueryType[q]?.ops > 0, `${v.variant} ${q} ran`);
  }
  assert.ok(fs.existsSync(path.join(out, 'report.html')), 'report written');
  const c1 = JSON.parse(fs.readFileSync(path.join(out, 'plans', 'byo_cust', 'C1.json'), 'utf8'));
  const [point, layer] = c1.params as [string, number];
  assert.ok(layer >= 100 && layer <= 106, `layer ${layer} is one of the imported table's layers`);
  const lon = Number(/POINT\((\S+) /.exec(point)?.[1]);
  assert.ok(lon > -9.15 && lon < -9.03, `point ${point} lies where the imported rows are`);
  const c2 = JSON.parse(fs.readFileSync(path.join(out, 'plans', 'byo_cust', 'C2.json'), 'utf8'));
  assert.match(JSON.stringify(c2.plan), /geometrias_created_brin|geometrias/);
  const ledger = await withClient(await testDatabase(), (c) => c.query(`SELECT tag FROM geobench_byo_cust.schema_migrations ORDER BY version`));
  assert.equal(ledger.rows.map((row) => row.tag), ['baseline', 'CUST1']);
});

test('validate combined runs on the imported dataset (tiny duration)', async () => {
  const out = path.join(dir, 'out-combined');
  const r = await runCli(['validate', 'combined', '--dataset-from', 'geobench', '--duration', '1', '--warmup', '0', '--repeat', '1', '--connections', '2', '--out', out]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr.slice(-2000)}`);
  // Both variants measured copies of the imported rows (copied now, or reused while their checksum matches).
  const sources = await withClient(await testDatabase(), (c) => c.query(`SELECT m.source->>'from' AS src, m.checksum->>'hash' AS hash, g.checksum->>'hash' AS imported
    FROM geobench_state_b.dataset_manifest m, geobench.dataset_manifest g UNION ALL SELECT m.source->>'from', m.checksum->>'hash', g.checksum->>'hash' FROM geobench_state_a.dataset_manifest m, geobench.dataset_manifest g`));
  assert.is(sources.rows.length, 2);
  for (const row of sources.rows) assert.equal([row.src, row.hash], ['byo_src2.parcels', row.imported]);
  const validation = JSON.parse(fs.readFileSync(path.join(out, 'validation.json'), 'utf8'));
  assert.ok(validation.checks.length > 0);
});

test.run();
