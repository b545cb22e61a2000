import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';

/**
 * Issue 17: a table of "somebody else's" (another schema of the embedded cluster, its own column
 * names, layers and time distribution) imported as the dataset, then verified, migrated and rolled
 * back like generated data; the source must be unchanged afterwards.
 */
const SOURCE_ROWS = 3000;
const checksumOf = (stdout: string): string => /checksum ([0-9a-f]{32})/.exec(stdout)?.[1] ?? 'none';
const rowsOf = (stdout: string): number => Number(/rows (\d+) /.exec(stdout)?.[1] ?? -1);

async function sql<T = Record<string, unknown>>(text: string): Promise<T[]> {
  const target = await testDatabase();
  return withClient(target, async (c) => (await c.query(text)).rows as T[]);
}

/** Every value of every row, in id order: equal before and after = the source was not changed. */
const sourceFingerprint = async (): Promise<string> =>
  (await sql<{ h: string }>(`SELECT md5(string_agg(concat_ws('|', id, layer, ts, edited, attrs, note, ST_AsEWKB(the_geom)), ',' ORDER BY id)) AS h FROM byo_src.parcels`))[0]!.h;

test.before(async () => {
  // ids with gaps (step 3), 7 layers over one year (2024), points and small polygons around Lisbon.
  await sql(`DROP SCHEMA IF EXISTS byo_src CASCADE;
    CREATE SCHEMA byo_src;
    CREATE SEQUENCE byo_src.counter;
    CREATE TABLE byo_src.parcels (id integer PRIMARY KEY, layer smallint NOT NULL, ts timestamp NOT NULL, edited timestamp NOT NULL,
      attrs jsonb, note text, the_geom geometry(Geometry, 4326) NOT NULL);
    INSERT INTO byo_src.parcels
      SELECT i * 3, 100 + (i % 7), timestamp '2024-01-01' + (i * interval '2 hours 55 minutes'),
             timestamp '2024-01-01' + (i * interval '2 hours 55 minutes') + interval '1 day',
             jsonb_build_object('name', 'parcel ' || i, 'tag', 'farm'), 'n' || i,
             CASE WHEN i % 4 = 0 THEN ST_Buffer(ST_SetSRID(ST_MakePoint(-9.14 + (i % 97) * 0.001, 38.7 + (i % 89) * 0.001), 4326), 0.0005, 2)
                  ELSE ST_SetSRID(ST_MakePoint(-9.14 + (i % 101) * 0.001, 38.7 + (i % 83) * 0.001), 4326) END
      FROM generate_series(1, ${SOURCE_ROWS}) AS i;`);
});

test('columns that do not fit the baseline layout are refused, naming them and --map (exit 2)', async () => {
  const r = await runCli(['dataset', 'import', '--from', 'byo_src.parcels']);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /do not fit the baseline layout: layer \(int2\), ts \(timestamp\), edited \(timestamp\), attrs \(jsonb\), note \(text\), the_geom \(geometry\)/);
  assert.match(r.stderr, /baseline column\(s\) with no source column: layer_id, created_at, geom/);
  assert.match(r.stderr, /--map layer_id=layer/);
});

test('--dry-run reports rows and bytes and copies nothing', async () => {
  const before = await sql<{ ok: boolean }>(`SELECT to_regclass('geobench.geometrias') IS NOT NULL AS ok`);
  const r = await runCli(['dataset', 'import', '--from', 'byo_src.parcels', '--map', 'layer_id=layer,created_at=ts,updated_at=edited,props=attrs,geom=the_geom', '--ignore', 'note', '--dry-run']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`would import ${SOURCE_ROWS} rows`));
  assert.match(r.stdout, /bytes in the source \(sum of pg_column_size\): \d+/);
  const after = await sql<{ ok: boolean }>(`SELECT to_regclass('geobench.geometrias') IS NOT NULL AS ok`);
  assert.equal(after, before);
});

const MAP = ['--map', 'layer_id=layer,created_at=ts,updated_at=edited,props=attrs,geom=the_geom', '--ignore', 'note'];
let fingerprintBefore = '';

test('import: every row, renumbered 1..N in source-id order; provenance in the manifest; verify passes', async () => {
  fingerprintBefore = await sourceFingerprint();
  const r = await runCli(['dataset', 'import', '--from', 'byo_src.parcels', ...MAP, '--workers', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.is(rowsOf(r.stdout), SOURCE_ROWS);
  assert.match(r.stderr, /COPY .*3,000\/3,000 rows/);
  const ids = await sql<{ min: string; max: string; layers: string; first_layer: number }>(
    `SELECT min(id) AS min, max(id) AS max, count(DISTINCT layer_id) AS layers, (SELECT layer_id FROM geobench.geometrias WHERE id = 1) AS first_layer FROM geobench.geometrias`);
  assert.equal(ids[0], { min: '1', max: String(SOURCE_ROWS), layers: '7', first_layer: 101 });
  const info = await runCli(['dataset', 'info']);
  const manifest = JSON.parse(info.stdout);
  assert.is(manifest.source.from, 'byo_src.parcels');
  assert.is(manifest.source.sourceRows, SOURCE_ROWS);
  assert.is(manifest.generatorVersion, 0);
  const verify = await runCli(['dataset', 'verify']);
  assert.is(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, new RegExp(`verify OK: ${SOURCE_ROWS} rows, checksum ${checksumOf(r.stdout)}`));
  const sample = await sql<{ n: string; layers: string }>('SELECT count(*) AS n, count(DISTINCT layer_id) AS layers FROM geobench.param_sample');
  assert.equal(sample[0], { n: '1000', layers: '7' });
});

test('a changed imported row fails verify, naming its id range', async () => {
  await sql('UPDATE geobench.geometrias SET layer_id = layer_id + 1 WHERE id = 42');
  const r = await runCli(['dataset', 'verify']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /imported rows differ in id range\(s\): 1-3000/);
  await sql('UPDATE geobench.geometrias SET layer_id = layer_id - 1 WHERE id = 42');
  assert.is((await runCli(['dataset', 'verify'])).code, 0);
});

test('migrated OPT1…OPT5 and rolled back to baseline, verify passes at every step', async () => {
  for (const tag of ['OPT1', 'OPT2', 'OPT3', 'OPT4', 'OPT5']) {
    const up = await runCli(['migrate', 'up', '--to', tag]);
    assert.is(up.code, 0, `${tag}: ${up.stderr}`);
    const v = await runCli(['dataset', 'verify', '--workers', '1']);
    assert.is(v.code, 0, `verify after ${tag}: ${v.stderr}`);
  }
  for (const tag of ['OPT4', 'OPT3', 'OPT2', 'OPT1', 'baseline']) {
    const down = await runCli(['migrate', 'down', '--to', tag]);
    assert.is(down.code, 0, `down to ${tag}: ${down.stderr}`);
    const v = await runCli(['dataset', 'verify', '--workers', '1']);
    assert.is(v.code, 0, `verify after down to ${tag}: ${v.stderr}`);
  }
});

test('--sample 0.1 --seed 7 imports the same rows twice, about 10% of them', async () => {
  const once = await runCli(['dataset', 'import', '--from', 'byo_src.parcels', ...MAP, '--sample', '0.1', '--seed', '7']);
  assert.is(once.code, 0, once.stderr);
  const twice = await runCli(['dataset', 'import', '--from', 'byo_src.parcels', ...MAP, '--sample', '0.1', '--seed', '7']);
  assert.is(twice.code, 0, twice.stderr);
  assert.is(checksumOf(twice.stdout), checksumOf(once.stdout));
  const n = rowsOf(once.stdout);
  // Binomial(3000, 0.1): sd ≈ 16.4; ±4 sd.
  assert.ok(n > 234 && n < 366, `sampled ${n} rows`);
  const other = await runCli(['dataset', 'import', '--from', 'byo_src.parcels', ...MAP, '--sample', '0.1', '--seed', '8']);
  assert.is.not(checksumOf(other.stdout), checksumOf(once.stdout), 'another seed draws other rows');
  assert.is((await runCli(['dataset', 'verify'])).code, 0);
});

test('a SELECT as the source; the source table is unchanged after everything', async () => {
  const r = await runCli(['dataset', 'import', '--from', 'SELECT id, layer AS layer_id, ts AS created_at, the_geom AS geom FROM byo_src.parcels WHERE layer = 103']);
  assert.is(r.code, 0, r.stderr);
  const expected = await sql<{ n: string }>('SELECT count(*) AS n FROM byo_src.parcels WHERE layer = 103');
  assert.is(rowsOf(r.stdout), Number(expected[0]!.n));
  assert.is(await sourceFingerprint(), fingerprintBefore);
});

test('a source query that writes is refused by the read-only transaction', async () => {
  const r = await runCli(['dataset', 'import', '--from', `SELECT id, layer AS layer_id, ts AS created_at, the_geom AS geom FROM byo_src.parcels WHERE nextval('byo_src.counter') > 0`]);
  assert.is.not(r.code, 0, r.stderr);
  assert.match(r.stderr, /cannot execute nextval\(\) in a read-only transaction/);
  const seq = await sql<{ is_called: boolean }>('SELECT is_called FROM byo_src.counter');
  assert.is(seq[0]!.is_called, false, 'the sequence never advanced');
  assert.is(await sourceFingerprint(), fingerprintBefore);
});

test.run();
