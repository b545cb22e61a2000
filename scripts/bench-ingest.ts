/**
 * Ingest benchmark (a script, not a test): geobench's generate+COPY pipeline against the server's
 * own ceiling, PostgreSQL loading the very same rows with a server-side `COPY … FROM 'file'`.
 * Both load into a fresh table created in the same transaction (COPY FREEZE, no indexes), in
 * interleaved repetitions, in one run. geobench runs as the real CLI in a child process, so its
 * peak RSS (VmHWM, all worker threads included) is the harness's own. Prints rows/s of each, the
 * ratio and the peak RSS.
 *
 *   node --import tsx scripts/bench-ingest.ts [--scale 0.1] [--seed 1] [--workers N] [--repeat 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../bench/db/resolve.ts';
import { withClient } from '../bench/db/connect.ts';
import { withSchema } from '../bench/db/target.ts';
import { SQL_DIR } from '../bench/core/paths.ts';
import { baselineFiles } from '../bench/migrate/catalog.ts';
import { splitStatements } from '../bench/migrate/sql-split.ts';
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../bench/core/paths.ts';
import { generateChunk, COPY_COLUMNS } from '../bench/dataset/generator.ts';
import { chunkCount, rowsForScale } from '../bench/dataset/model.ts';
import { isRoot, runCommand, SERVER_OS_USER } from '../bench/db/os-commands.ts';
import { parseScale, parseSeed, parseWorkers } from '../bench/cli/options.ts';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '0.1' }, seed: { type: 'string', default: '1' }, workers: { type: 'string' }, repeat: { type: 'string', default: '3' }, db: { type: 'string' } },
});
const scale = parseScale(values.scale!);
const seed = parseSeed(values.seed!);
const workers = parseWorkers(values.workers ?? String(Math.max(1, os.availableParallelism() - 1)));
const repeat = parseWorkers(values.repeat!);
const totalRows = rowsForScale(scale);

const server = await openDatabase({ db: values.db });
// The server-side copy loads into a table made from sql/baseline in a scratch schema of its own, so
// the script needs nothing prepared (no dataset in the default schema) and leaves nothing behind.
const target = withSchema(server, 'geobench_bench_ingest');
if (target.host !== '127.0.0.1' && target.host !== 'localhost') throw new Error('the server-side COPY needs the server on this machine');

// The same rows as one binary COPY file the server can read.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geobench-ingest-'));
fs.chmodSync(dir, 0o755);
const file = path.join(dir, 'geometrias.pgcopy');
const fd = fs.openSync(file, 'w', 0o644);
fs.writeSync(fd, Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]));
for (let i = 0; i < chunkCount(totalRows); i++) fs.writeSync(fd, generateChunk({ seed, totalRows }, i).copy);
fs.writeSync(fd, Buffer.from([0xff, 0xff]));
fs.closeSync(fd);
if (isRoot()) await runCommand('chown', [SERVER_OS_USER, file]);
console.log(`rows: ${totalRows.toLocaleString('en-US')} (scale ${scale}, seed ${seed}), file ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB, geobench workers: ${workers}`);

async function serverCopy(): Promise<number> {
  return withClient(target, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
    await c.query(`CREATE SCHEMA ${target.schema}`);
    const t = performance.now();
    await c.query('BEGIN');
    await c.query(`SET LOCAL search_path = ${target.schema}, public`);
    await c.query('SET LOCAL synchronous_commit = off');
    for (const st of splitStatements(fs.readFileSync(baselineFiles(SQL_DIR)[0]!, 'utf8'))) await c.query(st.text);
    await c.query('ALTER TABLE geometrias RENAME TO ingest_server');
    await c.query(`COPY ingest_server (${COPY_COLUMNS.join(', ')}) FROM '${file.replace(/'/g, "''")}' WITH (FORMAT binary, FREEZE)`);
    await c.query('COMMIT');
    const seconds = (performance.now() - t) / 1000;
    const n = await c.query(`SELECT count(*)::int AS n FROM ${target.schema}.ingest_server`);
    if (n.rows[0].n !== totalRows) throw new Error(`server COPY loaded ${n.rows[0].n} rows, expected ${totalRows}`);
    await c.query(`DROP SCHEMA ${target.schema} CASCADE`);
    return totalRows / seconds;
  });
}

const CLI_SCHEMA = 'geobench_bench_ingest_cli';

/** Runs `geobench dataset generate` and returns its COPY rate (from its own report) and peak RSS. */
function geobenchLoad(): Promise<{ rowsPerSecond: number; peakRssBytes: number }> {
  return new Promise((resolve, reject) => {
    // Into a scratch schema too: the default schema's dataset (if any) is left alone.
    const args = [path.join(PROJECT_ROOT, 'bin/geobench.js'), '--schema', CLI_SCHEMA, 'dataset', 'generate', '--scale', String(scale), '--seed', String(seed), '--workers', String(workers)];
    if (values.db) args.push('--db', values.db);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
      } catch { /* exited */ }
    }, 20);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearInterval(poll);
      const m = /loaded [\d,]+ rows in [\d.]+ s \(([\d,]+) rows\/s\)/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`geobench exited ${code}: ${stderr.slice(-500)}`));
      resolve({ rowsPerSecond: Number(m[1]!.replace(/,/g, '')), peakRssBytes: peak });
    });
  });
}

const geobenchRates: number[] = [];
const serverRates: number[] = [];
let rssAfterGeobench = 0;
for (let r = 1; r <= repeat; r++) {
  const server = await serverCopy();
  const load = await geobenchLoad();
  rssAfterGeobench = Math.max(rssAfterGeobench, load.peakRssBytes);
  serverRates.push(server);
  geobenchRates.push(load.rowsPerSecond);
  console.log(`  repetition ${r}: server COPY FROM file ${Math.round(server).toLocaleString('en-US')} rows/s, geobench generate+COPY ${Math.round(load.rowsPerSecond).toLocaleString('en-US')} rows/s`);
}
fs.rmSync(dir, { recursive: true, force: true });
await withClient(server, (c) => c.query(`DROP SCHEMA IF EXISTS ${CLI_SCHEMA} CASCADE`));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratio = median(geobenchRates) / median(serverRates);
console.log(`server-side COPY FROM file (median): ${Math.round(median(serverRates)).toLocaleString('en-US')} rows/s`);
console.log(`geobench generate + COPY (median):   ${Math.round(median(geobenchRates)).toLocaleString('en-US')} rows/s`);
console.log(`ratio geobench / server: ${ratio.toFixed(2)} (target >= 0.80: ${ratio >= 0.8 ? 'met' : 'NOT met'})`);
console.log(`geobench peak RSS (CLI process incl. worker threads): ${(rssAfterGeobench / 2 ** 20).toFixed(0)} MB (target < 512 MB: ${rssAfterGeobench < 512 * 2 ** 20 ? 'met' : 'NOT met'})`);
process.exit(0);
