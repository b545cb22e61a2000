/**
 * geobench vs pgbench (a benchmark script, not a test): the same query at the same connection
 * count through both clients, interleaved, in one run. Prints TPS and p50 of each and the ratios.
 *
 *   node --import tsx scripts/bench-vs-pgbench.ts [--duration 15] [--connections 2] [--scale 1]
 *
 * The default scale 1.0 (12.4M geometries, loaded once into schema geobench_vs_pgbench, ~2 min)
 * gives Q3 the server-side cost it has in production; at small scales the query is so cheap that
 * the comparison is mostly about client overhead (that is what SELECT 1 measures).
 *
 * Queries: `SELECT 1` (pure client overhead) and Q3 (kNN, 10 nearest) with the same parameter
 * distribution (pgbench draws each point with its own random functions from the dataset model,
 * see knnScript), in prepared mode (-M prepared) like geobench's named statements. The table and
 * its GiST index are prewarmed into shared buffers, and both clients warm up for the same time.
 * Targets: geobench >= 0.95x pgbench TPS on Q3, >= 0.5x on SELECT 1, p50 within 10%.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT, RESULTS_DIR } from '../bench/core/paths.ts';
import { openDatabase } from '../bench/db/resolve.ts';
import { findServerBinaries } from '../bench/db/embedded.ts';
import { searchPath, variantSchema } from '../bench/db/schema.ts';
import { queryType } from '../bench/queries/index.ts';
import { CITIES, CLUSTERED_SHARE, METERS_PER_DEGREE_LAT, UNIFORM_BBOX } from '../bench/dataset/model.ts';
import { citySigmaM } from '../bench/queries/sampling.ts';
import { withClient } from '../bench/db/connect.ts';
import { readResult } from '../bench/result-file/result-file.ts';
import { makeDirs } from '../bench/core/output-dir.ts';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '15' }, connections: { type: 'string', default: '2' }, scale: { type: 'string', default: '1' }, warmup: { type: 'string', default: '3' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);
const scale = Number(values.scale);
const warmup = Number(values.warmup);
const VARIANT = 'vs_pgbench';

const server = await openDatabase({});
if (server.kind !== 'embedded') throw new Error('this script runs against the embedded cluster');
const work = path.join(RESULTS_DIR, `vs-pgbench-${Date.now()}`);
makeDirs(work);
fs.writeFileSync(path.join(work, 'package.json'), '{ "type": "module" }\n');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

let geobenchRuns = 0;
interface Measured {
  readonly tps: number;
  readonly p50Ms: number | null;
  readonly meanMs: number;
}

async function geobench(query: string): Promise<Measured> {
  const scenario = {
    name: `vs-pgbench-${query.toLowerCase()}`,
    description: `${query} for the pgbench comparison`,
    dataset: { scale, seed: 1 },
    variants: [{ name: VARIANT, migrateTo: 'baseline' }],
    workload: { [query]: 1 },
    load: { model: 'closed', connections },
    warmupSec: warmup,
    durationSec: duration,
    repetitions: 1,
  };
  const file = path.join(work, `${query}.ts`);
  fs.writeFileSync(file, `export default ${JSON.stringify(scenario, null, 2)};\n`);
  const out = path.join(work, `geobench-${query}-${++geobenchRuns}`);
  const r = await run(process.execPath, [path.join(PROJECT_ROOT, 'bin/geobench.js'), 'run', file, '--out', out]);
  if (r.code !== 0) throw new Error(`geobench run failed: ${r.stderr.slice(-1500)}`);
  const stats = readResult(out).results.variants[0]!.byQueryType[query]!;
  return { tps: stats.throughput, p50Ms: stats.latency.p50 / 1000, meanMs: stats.latency.mean / 1000 };
}

/**
 * Q3 as a pgbench script drawing its point from the dataset model with pgbench's own random
 * functions: 80% a zipf-chosen city (s = 1.001, pgbench's minimum; geobench uses 1) with a gaussian
 * offset of the city's spread (truncated at ±5σ), 20% uniform over the bounding box — the same
 * distribution as Q3's generator (bench/queries/sampling.ts drawPoint), a fresh point per transaction.
 */
function knnScript(): string {
  const cases = (f: (i: number) => number): string => `CASE ${CITIES.map((_, i) => `WHEN :c = ${i + 1} THEN ${f(i).toFixed(9)}`).join(' ')} ELSE 0 END`;
  const degLat = (i: number): number => citySigmaM(i) / METERS_PER_DEGREE_LAT;
  const degLon = (i: number): number => citySigmaM(i) / (METERS_PER_DEGREE_LAT * Math.cos((CITIES[i]!.lat * Math.PI) / 180));
  const b = UNIFORM_BBOX;
  const sql = queryType('Q3').sql.replace(/\$1/g, ':lon').replace(/\$2/g, ':lat').replace(/\s+/g, ' ');
  return [
    '\\set u random(0, 9999)',
    '\\set c random_zipfian(1, 40, 1.001)',
    '\\set g1 random_gaussian(-5000000, 5000000, 5.0) / 1000000.0',
    '\\set g2 random_gaussian(-5000000, 5000000, 5.0) / 1000000.0',
    `\\set clon ${cases((i) => CITIES[i]!.lon)}`,
    `\\set clat ${cases((i) => CITIES[i]!.lat)}`,
    `\\set dlon ${cases(degLon)}`,
    `\\set dlat ${cases(degLat)}`,
    `\\set lon CASE WHEN :u < ${CLUSTERED_SHARE * 10000} THEN :clon + :g1 * :dlon ELSE ${b.minLon} + random(0, 1000000000) / 1000000000.0 * ${b.maxLon - b.minLon} END`,
    `\\set lat CASE WHEN :u < ${CLUSTERED_SHARE * 10000} THEN :clat + :g2 * :dlat ELSE ${b.minLat} + random(0, 1000000000) / 1000000000.0 * ${b.maxLat - b.minLat} END`,
    `${sql};`,
    '',
  ].join('\n');
}

async function pgbench(query: string, seconds: number): Promise<Measured> {
  const dir = path.join(work, `pgbench-${query}-${seconds}`);
  makeDirs(dir);
  const file = path.join(dir, 'script.sql');
  fs.writeFileSync(file, query === 'S1' ? 'SELECT 1;\n' : knnScript());
  const scripts = ['-f', file];
  const c = server.client;
  const env = {
    PGHOST: String(c.host), PGPORT: String(c.port), PGUSER: String(c.user), PGDATABASE: String(c.database), PGPASSWORD: String(c.password),
    PGOPTIONS: `-c search_path=${searchPath(variantSchema(VARIANT)).replace(/ /g, '')}`,
  };
  const r = await run(path.join(findServerBinaries(), 'pgbench'), ['-n', '-M', 'prepared', '-c', String(connections), '-j', String(connections), '-T', String(seconds), '-l', '--log-prefix', path.join(dir, 'log'), ...scripts], env);
  if (r.code !== 0) throw new Error(`pgbench failed: ${r.stderr.slice(-1500)}`);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout)?.[1]);
  const latencies: number[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.startsWith('log'))) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (line && Number.isFinite(us)) latencies.push(us);
    }
  }
  latencies.sort((a, b) => a - b);
  // pgbench 15's per-transaction log reads a coarse clock: sub-100 µs transactions are mostly
  // logged as 0 µs. Trust the log's p50 only when its mean matches pgbench's own average.
  const meanMs = Number(/latency average = ([\d.]+) ms/.exec(r.stdout)?.[1]);
  const logMeanMs = latencies.reduce((a, b) => a + b, 0) / latencies.length / 1000;
  const p50Ms = Math.abs(logMeanMs / meanMs - 1) <= 0.1 ? latencies[Math.floor(latencies.length / 2)]! / 1000 : null;
  return { tps, p50Ms, meanMs };
}

console.log(`geobench vs pgbench: ${connections} connection(s), ${warmup} s warmup + ${duration} s, dataset scale ${scale}`);
// Prepare the dataset schema once (geobench creates it), so both clients query the same table,
// then load table and GiST index into shared buffers: both clients run against a hot cache.
await geobench('S1');
await withClient(server, async (c) => {
  await c.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
  const schema = variantSchema(VARIANT);
  await c.query("SELECT pg_prewarm(format('%I.geometrias', $1::text)), pg_prewarm(format('%I.geometrias_geom_gist', $1::text))", [schema]);
});
const rows: Array<[string, Measured, Measured, number]> = [];
for (const [query, target] of [['S1', 0.5], ['Q3', 0.95]] as const) {
  await pgbench(query, warmup);
  const pg = await pgbench(query, duration);
  const gb = await geobench(query);
  rows.push([query, pg, gb, target]);
}
console.log('query     pgbench TPS  geobench TPS  ratio  target      pgbench latency  geobench latency  diff');
for (const [query, pg, gb, target] of rows) {
  const ratio = gb.tps / pg.tps;
  // p50 where pgbench's log can be trusted, else the means (pgbench's own average).
  const [what, a, b] = pg.p50Ms !== null ? ['p50', pg.p50Ms, gb.p50Ms!] : ['mean', pg.meanMs, gb.meanMs];
  const diff = b / a - 1;
  console.log(
    `${(query === 'S1' ? 'SELECT 1' : 'Q3 kNN').padEnd(9)} ${pg.tps.toFixed(0).padStart(11)}  ${gb.tps.toFixed(0).padStart(12)}  ${ratio.toFixed(2).padStart(5)}  >=${target.toFixed(2)} ${ratio >= target ? 'met ' : 'MISS'}  ${what.padStart(4)} ${a.toFixed(3).padStart(7)} ms  ${what.padStart(4)} ${b.toFixed(3).padStart(8)} ms  ${(diff >= 0 ? '+' : '') + (diff * 100).toFixed(1)}% ${Math.abs(diff) <= 0.1 ? 'met' : 'MISS'}`,
  );
}
fs.rmSync(work, { recursive: true, force: true });
process.exit(0);
