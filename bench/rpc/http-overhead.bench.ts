/**
 * What the HTTP layer costs: the same function called through `geobench rpc serve` (a separate
 * process, loaded by runRpcLoad/autocannon from this one) and over direct SQL from this process
 * (node-postgres, prepared statements, closed loop, same connection count), interleaved.
 *
 *   node --import tsx bench/rpc/http-overhead.bench.ts [--duration 5] [--warmup 1] [--connections 2,4] [--repeat 1]
 *
 * Uses the embedded cluster of GEOBENCH_HOME (started if needed); creates and drops the schemas
 * geobench_rpcbench and geobench_rpcbench_api. Prints a markdown table on stdout.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import seedrandom from 'seedrandom';
import { PROJECT_ROOT } from '../core/paths.ts';
import { clientConfig, withClient } from '../db/connect.ts';
import { openDatabase } from '../db/resolve.ts';
import type { DbTarget } from '../db/target.ts';
import { createLatencyHistogram, microsFromMillis, recordMicros, summarize, type LatencySummary } from '../metrics/histogram.ts';
import { buildCall, type CatalogFunction } from './catalog.ts';
import { runRpcLoad } from './load.ts';

const DATA = 'geobench_rpcbench';
const API = `${DATA}_api`;
const { values: flags } = parseArgs({ options: { duration: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' }, connections: { type: 'string', default: '2,4' }, repeat: { type: 'string', default: '1' } } });
const durationSec = Number(flags.duration);
const warmupSec = Number(flags.warmup);
const connectionCounts = flags.connections.split(',').map(Number);
const repeat = Number(flags.repeat);
const args = (rng: () => number): { a: number; b: number } => ({ a: Math.floor(rng() * 1000), b: Math.floor(rng() * 1000) });

interface Row { mode: string; connections: number; rep: number; requests: number; rps: number; latency: LatencySummary; failed: number }

async function sqlLoad(target: DbTarget, connections: number, text: string, name: string): Promise<Omit<Row, 'mode' | 'rep'>> {
  const clients = await Promise.all(Array.from({ length: connections }, async () => {
    const c = new pg.Client({ ...clientConfig(target, 'geobench-rpc-bench'), options: `-c search_path=${API},${DATA},public` });
    await c.connect();
    return c;
  }));
  const h = createLatencyHistogram();
  let requests = 0;
  let failed = 0;
  const t0 = performance.now();
  const windowStart = t0 + warmupSec * 1000;
  const windowEnd = windowStart + durationSec * 1000;
  await Promise.all(clients.map(async (c, i) => {
    const rng = seedrandom.alea(`sql:${i}`);
    for (;;) {
      const start = performance.now();
      if (start >= windowEnd) break;
      const a = args(rng);
      let ok = true;
      try {
        await c.query({ name, text, values: [String(a.a), String(a.b)] });
      } catch {
        ok = false;
      }
      if (start >= windowStart) {
        requests++;
        if (ok) recordMicros(h, microsFromMillis(performance.now() - start));
        else failed++;
      }
    }
  }));
  await Promise.all(clients.map((c) => c.end()));
  return { connections, requests, rps: requests / durationSec, latency: summarize(h), failed };
}

function startServer(poolSize: number): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'geobench.js'), '--schema', DATA, 'rpc', 'serve', '--port', '0', '--pool', String(poolSize)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (\S+)/.exec(stderr);
      if (m) resolve({ url: m[1]!, stop: () => (child.kill('SIGTERM'), exit) });
    });
    void exit.then((code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

const target = await openDatabase({ schema: 'geobench' }, (l) => process.stderr.write(`${l}\n`));
await withClient(target, (c) => c.query(`DROP SCHEMA IF EXISTS ${API} CASCADE; DROP SCHEMA IF EXISTS ${DATA} CASCADE; CREATE SCHEMA ${DATA}; CREATE SCHEMA ${API};
  CREATE FUNCTION ${API}.add_numbers(a int, b int) RETURNS TABLE(sum int) LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;`));
const fn: CatalogFunction = { oid: 0, schema: API, name: 'add_numbers', returnType: 'record', returnsSet: true, inputs: ['a', 'b'].map((n) => ({ name: n, type: 'integer', category: 'N', mode: 'i' as const, hasDefault: false })) };
const viaServer = buildCall(fn, fn.inputs); // the exact statement the server sends
const plain = { name: 'gbrpc_bench_plain', text: `SELECT * FROM "${API}"."add_numbers"($1::integer, $2::integer)` };

const rows: Row[] = [];
const load0 = os.loadavg()[0]!;
try {
  for (const connections of connectionCounts) {
    const server = await startServer(connections);
    for (let rep = 1; rep <= repeat; rep++) {
      process.stderr.write(`${connections} connections, repetition ${rep}: rpc … `);
      const r = await runRpcLoad({ url: server.url, fn: 'add_numbers', args, seed: rep, connections, durationSec, warmupSec });
      rows.push({ mode: 'HTTP /rpc (autocannon)', connections, rep, requests: r.requests, rps: r.rps, latency: r.latency, failed: r.non2xx + r.errors + r.timeouts });
      process.stderr.write('sql (server statement) … ');
      rows.push({ mode: 'SQL: server statement', rep, ...(await sqlLoad(target, connections, viaServer.text, viaServer.name)) });
      process.stderr.write('sql (plain call)\n');
      rows.push({ mode: 'SQL: SELECT * FROM f($1,$2)', rep, ...(await sqlLoad(target, connections, plain.text, plain.name)) });
    }
    await server.stop();
  }
} finally {
  await withClient(target, (c) => c.query(`DROP SCHEMA IF EXISTS ${API} CASCADE; DROP SCHEMA IF EXISTS ${DATA} CASCADE`));
}

const ms = (us: number): string => (us / 1000).toFixed(3);
console.log(`${os.cpus().length} CPUs, load average ${load0.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}; ${warmupSec}+${durationSec} s per cell\n`);
console.log('| mode | conns | rep | requests | req/s | p50 ms | p99 ms | failed |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.mode} | ${r.connections} | ${r.rep} | ${r.requests} | ${r.rps.toFixed(0)} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${r.failed} |`);
process.exit(0);
