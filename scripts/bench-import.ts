/**
 * Import benchmark (a script, not a test): `geobench dataset import` (binary COPY out of the source
 * piped into COPY FREEZE, ids renumbered) against the server doing the same copy itself with
 * `INSERT … SELECT` into a table created in the same transaction, same server, same rows, interleaved
 * repetitions in one run. Both time the table creation plus the copy only (no indexes, no checksum).
 * The source is a generated dataset in schema geobench_bench_src (another schema of the same cluster).
 *
 *   node --import tsx scripts/bench-import.ts [--scale 0.1] [--repeat 3] [--db URL]
 *
 * Scale 1 (12.4M rows) needs the machine to itself: about 5 GB of disk for source + two copies.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../bench/db/resolve.ts';
import { withClient } from '../bench/db/connect.ts';
import { withSchema } from '../bench/db/target.ts';
import { SQL_DIR } from '../bench/core/paths.ts';
import { parseScale, parseWorkers } from '../bench/cli/options.ts';
import { generateDataset } from '../bench/dataset/loader.ts';
import { importDataset } from '../bench/dataset/importer.ts';
import { rowsForScale } from '../bench/dataset/model.ts';
import { COPY_COLUMNS } from '../bench/dataset/generator.ts';
import { baselineFiles } from '../bench/migrate/catalog.ts';
import { splitStatements } from '../bench/migrate/sql-split.ts';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '0.1' }, repeat: { type: 'string', default: '3' }, db: { type: 'string' } } });
const scale = parseScale(values.scale!);
const repeat = parseWorkers(values.repeat!);
const rows = rowsForScale(scale);
const server = await openDatabase({ db: values.db });
const source = withSchema(server, 'geobench_bench_src');
const imported = withSchema(server, 'geobench_bench_imp');
const inserted = withSchema(server, 'geobench_bench_ins');

console.log(`source: ${rows.toLocaleString('en-US')} rows (scale ${scale}) in ${source.schema}; generating…`);
await generateDataset(source, { scale, seed: 1, workers: 1, sqlDir: SQL_DIR });

async function viaImport(): Promise<number> {
  const r = await importDataset(server, imported, { from: `${source.schema}.geometrias`, workers: 1, sqlDir: SQL_DIR });
  if (r.rows !== rows) throw new Error(`import copied ${r.rows} rows, expected ${rows}`);
  return r.copySeconds;
}

/** The server's own copy: fresh table in the same transaction (as the import's COPY FREEZE), INSERT … SELECT in id order. */
async function viaInsertSelect(): Promise<number> {
  return withClient(inserted, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${inserted.schema} CASCADE`);
    await c.query(`CREATE SCHEMA ${inserted.schema}`);
    const started = performance.now();
    await c.query('BEGIN');
    await c.query(`SET LOCAL search_path = ${inserted.schema}, public`);
    await c.query('SET LOCAL synchronous_commit = off');
    for (const st of splitStatements(fs.readFileSync(baselineFiles(SQL_DIR)[0]!, 'utf8'))) await c.query(st.text);
    const cols = COPY_COLUMNS.join(', ');
    const res = await c.query(`INSERT INTO geometrias (${cols}) SELECT ${cols} FROM ${source.schema}.geometrias ORDER BY id`);
    await c.query('COMMIT');
    if (res.rowCount !== rows) throw new Error(`INSERT … SELECT copied ${res.rowCount} rows, expected ${rows}`);
    return (performance.now() - started) / 1000;
  });
}

const results: Array<{ importSec: number; insertSec: number }> = [];
for (let r = 1; r <= repeat; r++) {
  // Alternate which goes first, so cache warmth favours neither.
  const first = r % 2 === 1 ? await viaImport() : await viaInsertSelect();
  const second = r % 2 === 1 ? await viaInsertSelect() : await viaImport();
  const [importSec, insertSec] = r % 2 === 1 ? [first, second] : [second, first];
  results.push({ importSec, insertSec });
  console.log(`repetition ${r}: import ${importSec.toFixed(2)} s (${Math.round(rows / importSec).toLocaleString('en-US')} rows/s), INSERT … SELECT ${insertSec.toFixed(2)} s (${Math.round(rows / insertSec).toLocaleString('en-US')} rows/s), ratio ${(insertSec / importSec).toFixed(2)}`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const imp = median(results.map((x) => x.importSec));
const ins = median(results.map((x) => x.insertSec));
console.log(`median: import ${Math.round(rows / imp).toLocaleString('en-US')} rows/s, INSERT … SELECT ${Math.round(rows / ins).toLocaleString('en-US')} rows/s; import/INSERT rate ratio ${(ins / imp).toFixed(2)} (${repeat} interleaved repetitions, scale ${scale})`);
for (const t of [source, imported, inserted]) await withClient(t, (c) => c.query(`DROP SCHEMA IF EXISTS ${t.schema} CASCADE`));
