/**
 * State-copy benchmark (a script, not a test; issue 12 "fast copies"): how fast can a prepared
 * schema state be copied, so that a sign-off builds each state once and gives every validator
 * its own copy? The state is the baseline dataset with its indexes, in a database of its own
 * (`gb_copy_src`, no other connections: a template must be idle). Compared, interleaved, in one run:
 *   - `CREATE DATABASE … TEMPLATE gb_copy_src STRATEGY FILE_COPY` (PostgreSQL 15: a file copy plus
 *     a checkpoint),
 *   - `… STRATEGY WAL_LOG` (15's default: block by block through the WAL),
 *   - the same rows copied inside one database (`CREATE TABLE … AS` + the baseline indexes),
 *   - generating the dataset again (`generateDataset`, what the validators do today): timed once,
 *     when the source is made (minutes at scale 1; it is the same operation).
 * Prints seconds and GB/s (of the source database's size) per method, median over the repetitions.
 *
 *   node --import tsx scripts/bench-state-copy.ts [--scale 1] [--repeat 3]
 *
 * Needs the embedded cluster (the default GEOBENCH_HOME) and ~3× the dataset's size of free disk.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../bench/db/resolve.ts';
import { withClient } from '../bench/db/connect.ts';
import { withSchema, type DbTarget } from '../bench/db/target.ts';
import { SQL_DIR } from '../bench/core/paths.ts';
import { parseScale, parseWorkers } from '../bench/cli/options.ts';
import { generateDataset } from '../bench/dataset/loader.ts';
import { baselineFiles } from '../bench/migrate/catalog.ts';
import { splitStatements } from '../bench/migrate/sql-split.ts';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, repeat: { type: 'string', default: '3' } } });
const scale = parseScale(values.scale!);
const repeat = parseWorkers(values.repeat!);
const server = await openDatabase({});
if (server.kind !== 'embedded') throw new Error('this benchmark creates and drops databases: embedded cluster only');
const SRC = 'gb_copy_src';
const inDb = (db: string, schema = 'geobench'): DbTarget => withSchema({ ...server, client: { ...server.client, database: db } }, schema);
const admin = (sql: string): Promise<unknown> => withClient(server, (c) => c.query(sql));
const seconds = async (f: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
};

await admin(`DROP DATABASE IF EXISTS ${SRC}`);
await admin(`CREATE DATABASE ${SRC}`);
await withClient(inDb(SRC), (c) => c.query('CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public')); // pg_cron lives in the cluster's geobench database only
const workers = 1;
console.log(`source: scale ${scale} generated into database ${SRC}…`);
const generateSec = await seconds(() => generateDataset(inDb(SRC), { scale, seed: 1, workers, sqlDir: SQL_DIR, log: () => {} }));
const bytes = Number(await withClient(server, async (c) => (await c.query('SELECT pg_database_size($1)::bigint AS b', [SRC])).rows[0].b));
console.log(`source database ${(bytes / 1e9).toFixed(2)} GB, generated in ${generateSec.toFixed(1)} s (dataset + indexes + VACUUM ANALYZE)`);

async function templateCopy(strategy: 'FILE_COPY' | 'WAL_LOG'): Promise<number> {
  await admin('DROP DATABASE IF EXISTS gb_copy_dst');
  const s = await seconds(() => admin(`CREATE DATABASE gb_copy_dst TEMPLATE ${SRC} STRATEGY ${strategy}`));
  const n = await withClient(inDb('gb_copy_dst'), async (c) => Number((await c.query('SELECT count(*) AS n FROM geobench.geometrias')).rows[0].n));
  if (n !== Math.round(scale * 12_400_000)) throw new Error(`copy holds ${n} rows`);
  await admin('DROP DATABASE gb_copy_dst');
  return s;
}

/** Inside the one database: a new schema with the rows (CREATE TABLE AS) and the baseline indexes. */
async function inDatabaseCopy(): Promise<number> {
  return withClient(inDb(SRC), async (c) => {
    await c.query('DROP SCHEMA IF EXISTS geobench_copy CASCADE');
    const s = await seconds(async () => {
      await c.query('CREATE SCHEMA geobench_copy');
      await c.query('CREATE TABLE geobench_copy.geometrias AS TABLE geobench.geometrias');
      await c.query('SET search_path = geobench_copy, public');
      for (const st of splitStatements(fs.readFileSync(baselineFiles(SQL_DIR)[1]!, 'utf8'))) await c.query(st.text);
      await c.query('VACUUM ANALYZE geobench_copy.geometrias');
    });
    await c.query('DROP SCHEMA geobench_copy CASCADE');
    return s;
  });
}

const methods: Record<string, () => Promise<number>> = {
  'CREATE DATABASE … STRATEGY FILE_COPY': () => templateCopy('FILE_COPY'),
  'CREATE DATABASE … STRATEGY WAL_LOG': () => templateCopy('WAL_LOG'),
  'CREATE TABLE AS + indexes (same database)': inDatabaseCopy,
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(methods).map((m) => [m, []]));
for (let r = 1; r <= repeat; r++) {
  const order = r % 2 === 1 ? Object.keys(methods) : Object.keys(methods).reverse();
  for (const m of order) {
    const s = await methods[m]!();
    times[m]!.push(s);
    console.log(`repetition ${r}: ${m}: ${s.toFixed(2)} s`);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\nmedian over ${repeat} interleaved repetitions, scale ${scale}, state ${(bytes / 1e9).toFixed(2)} GB:`);
console.log(`  generate again (today; timed once, making the source): ${generateSec.toFixed(2)} s (${(bytes / 1e9 / generateSec).toFixed(2)} GB/s)`);
for (const m of Object.keys(methods)) console.log(`  ${m}: ${median(times[m]!).toFixed(2)} s (${(bytes / 1e9 / median(times[m]!)).toFixed(2)} GB/s)`);
await admin(`DROP DATABASE IF EXISTS ${SRC}`);
process.exit(0);
