import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { SQL_DIR } from '../../bench/core/paths.ts';

async function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const target = await testDatabase();
  return withClient(target, async (c) => (await c.query(sql, params)).rows as T[]);
}

const partitionCount = async (): Promise<number> =>
  Number((await query<{ n: string }>(`SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'geobench.geometrias'::regclass`))[0]!.n);

/** A copy of sql/ plus extra files, for migrations that must fail or be edited. */
function sqlDirWith(extra: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-sql-'));
  fs.cpSync(SQL_DIR, dir, { recursive: true });
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test.before(async () => {
  await testDatabase();
  const gen = await runCli(['dataset', 'generate', '--scale', '0.001', '--seed', '7']);
  assert.is(gen.code, 0, gen.stderr);
});

test('migrate up --to OPT1 partitions by month (36 + default) and keeps every row', async () => {
  const up = await runCli(['migrate', 'up', '--to', 'OPT1']);
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /applied: OPT1/);
  assert.is(await partitionCount(), 37);
  const kind = await query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = 'geobench.geometrias'::regclass`);
  assert.is(kind[0]!.relkind, 'p');
  const inDefault = await query<{ n: string }>('SELECT count(*) AS n FROM geobench.geometrias_default');
  assert.is(inDefault[0]!.n, '0');
  const verify = await runCli(['dataset', 'verify']);
  assert.is(verify.code, 0, verify.stderr);
  const status = await runCli(['migrate', 'status']);
  assert.match(status.stdout, /applied\s+OPT1\s+1770470100_temporal_partitioning_geometrias\.sql/);
  const again = await runCli(['migrate', 'up', '--to', 'OPT1']);
  assert.match(again.stdout, /nothing to apply/);
});

test('migrate down --to baseline restores the plain table with its indexes; verify passes', async () => {
  const down = await runCli(['migrate', 'down', '--to', 'baseline']);
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, /rolled back: OPT1/);
  assert.is(await partitionCount(), 0);
  const idx = await query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'geobench' AND tablename = 'geometrias' ORDER BY 1`);
  assert.equal(idx.map((r) => r.indexname), ['geometrias_created_idx', 'geometrias_geom_gist', 'geometrias_layer_created_idx', 'geometrias_pkey']);
  assert.is((await runCli(['dataset', 'verify'])).code, 0);
});

test('a failing migration names file, line and statement; schema and ledger stay as they were', async () => {
  const dir = sqlDirWith({
    '1770470150_broken_step.sql': 'CREATE TABLE geobench_tmp_ok (x int);\n\nALTER TABLE geometrias ADD COLUMN extra int;\nSELECT no_such_function(1);\n',
    'ROLLBACK_OPTX_broken_step.sql': 'SELECT 1;\n',
  });
  const r = await runCli(['migrate', 'up'], { GEOBENCH_SQL_DIR: dir });
  assert.is(r.code, 1);
  assert.match(r.stderr, /1770470150_broken_step\.sql failed at line 4 \(SELECT no_such_function\(1\)\): function no_such_function\(integer\) does not exist/);
  assert.match(r.stderr, /rolled back: schema and ledger are unchanged/);
  const ledger = await query<{ tag: string }>('SELECT tag FROM geobench.schema_migrations ORDER BY version');
  assert.equal(ledger.map((x) => x.tag), ['baseline', 'OPT1'], 'OPT1 before the broken step committed on its own');
  const cols = await query(`SELECT 1 FROM information_schema.columns WHERE table_schema = 'geobench' AND table_name = 'geometrias' AND column_name = 'extra'`);
  assert.is(cols.length, 0);
  assert.is((await query(`SELECT to_regclass('geobench.geobench_tmp_ok') AS t`))[0]!.t, null);
  assert.is((await runCli(['dataset', 'verify'])).code, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an applied migration whose file was edited is refused', async () => {
  const dir = sqlDirWith({});
  const file = path.join(dir, '1770470100_temporal_partitioning_geometrias.sql');
  fs.appendFileSync(file, '\n-- an innocent-looking edit\n');
  const r = await runCli(['migrate', 'up'], { GEOBENCH_SQL_DIR: dir });
  assert.is(r.code, 1);
  assert.match(r.stderr, /1770470100_temporal_partitioning_geometrias\.sql \(OPT1\) was edited after it was applied/);
  const status = await runCli(['migrate', 'status'], { GEOBENCH_SQL_DIR: dir });
  assert.match(status.stdout, /edited\s+OPT1/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Ctrl-C during a migration cancels the statement and rolls back', async () => {
  const dir = sqlDirWith({
    '1770470160_slow_step.sql': 'CREATE TABLE geobench_slow_marker (x int);\nSELECT pg_sleep(60);\n',
    'ROLLBACK_OPTY_slow_step.sql': 'DROP TABLE geobench_slow_marker;\n',
  });
  let sent = false;
  const started = Date.now();
  const r = await runCli(['migrate', 'up'], { GEOBENCH_SQL_DIR: dir }, (chunk, child) => {
    if (!sent && /applying OPTY/.test(chunk)) {
      sent = true;
      setTimeout(() => child.kill('SIGINT'), 500);
    }
  });
  assert.is(r.code, 130, r.stderr);
  assert.ok(Date.now() - started < 20_000, 'stopped well before pg_sleep(60) ended');
  assert.match(r.stderr, /interrupted: 1770470160_slow_step\.sql at line 2/);
  assert.is((await query(`SELECT to_regclass('geobench.geobench_slow_marker') AS t`))[0]!.t, null);
  const ledger = await query<{ tag: string }>('SELECT tag FROM geobench.schema_migrations ORDER BY version');
  assert.equal(ledger.map((x) => x.tag), ['baseline', 'OPT1']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('migrate down with no --to rolls back one step', async () => {
  const r = await runCli(['migrate', 'down']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /rolled back: OPT1/);
  assert.match((await runCli(['migrate', 'down'])).stdout, /nothing to roll back/);
});

test('unknown --to target lists the known ones', async () => {
  const r = await runCli(['migrate', 'up', '--to', 'OPT42']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown migration target 'OPT42'/);
  assert.match(r.stderr, /known targets: baseline, OPT1/);
});

test.run();
