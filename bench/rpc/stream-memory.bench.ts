/**
 * Does the RPC server's memory stay flat under the row cap? For each cap, starts `geobench rpc
 * serve --max-rows <cap>` (a separate process), sends `--concurrency` requests at once for
 * `--rounds` rounds, each asking for every row of a wide table (the cap cuts them), and samples the
 * server's resident memory (VmRSS in /proc/<pid>/status) every 10 ms. Prints, per cap: the
 * response size, the server's RSS when idle (after a 10-row warm-up call) and its peak under the
 * requests. `--root` runs another checkout's server (e.g. one without streaming) for comparison.
 *
 *   node --import tsx bench/rpc/stream-memory.bench.ts [--caps 1000,10000,100000] [--concurrency 4] [--rounds 3] [--root <dir>] [--statement-timeout 10000]
 *
 * Uses the embedded cluster of GEOBENCH_HOME (started if needed); creates and drops the schemas
 * geobench_streambench and geobench_streambench_api. Linux only (/proc).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../core/paths.ts';
import { withClient } from '../db/connect.ts';
import { openDatabase } from '../db/resolve.ts';

const DATA = 'geobench_streambench';
const API = `${DATA}_api`;
const TABLE_ROWS = 100_000;
const { values: flags } = parseArgs({ options: { 'statement-timeout': { type: 'string', default: '10000' }, caps: { type: 'string', default: '1000,10000,100000' }, concurrency: { type: 'string', default: '4' }, rounds: { type: 'string', default: '3' }, root: { type: 'string', default: PROJECT_ROOT } } });
const caps = flags.caps.split(',').map(Number);
const concurrency = Number(flags.concurrency);
const rounds = Number(flags.rounds);

const rssKiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

function startServer(cap: number): Promise<{ url: string; pid: number; stop: () => Promise<number | null> }> {
  const bin = path.join(path.resolve(flags.root), 'bin', 'geobench.js');
  const child = spawn(process.execPath, [bin, '--schema', DATA, 'rpc', 'serve', '--port', '0', '--pool', String(concurrency), '--max-rows', String(cap), '--statement-timeout', flags['statement-timeout']], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.startsWith('rpc:')) process.stderr.write(`server: ${line}\n`);
      stderr += d.toString();
      const m = /listening on (\S+)/.exec(stderr);
      if (m) resolve({ url: m[1]!, pid: child.pid!, stop: () => (child.kill('SIGTERM'), exit) });
    });
    void exit.then((code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

/** One call; resolves with the bytes of the body and the number of rows in it. */
async function call(url: string, n: number): Promise<{ bytes: number; rows: number; status: number }> {
  try {
    const res = await fetch(`${url}/rpc/rows_upto`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ n }) });
    const text = await res.text();
    return { bytes: Buffer.byteLength(text), rows: res.status === 200 ? (JSON.parse(text) as unknown[]).length : 0, status: res.status };
  } catch (err) {
    process.stderr.write(`call failed: ${(err as Error).message}\n`);
    return { bytes: 0, rows: 0, status: 0 };
  }
}

interface Row { cap: number; rows: number; bytes: number; idleMiB: number; peakMiB: number; seconds: number; failed: number }

const target = await openDatabase({ schema: 'geobench' }, (l) => process.stderr.write(`${l}\n`));
await withClient(target, (c) => c.query(`DROP SCHEMA IF EXISTS ${API} CASCADE; DROP SCHEMA IF EXISTS ${DATA} CASCADE; CREATE SCHEMA ${DATA}; CREATE SCHEMA ${API};
  CREATE TABLE ${DATA}.wide AS SELECT g AS id, now() AS at, repeat(md5(g::text), 6) AS payload FROM generate_series(1, ${TABLE_ROWS}) AS g;
  CREATE FUNCTION ${API}.rows_upto(n int) RETURNS TABLE(id int, at timestamptz, payload text) LANGUAGE sql STABLE AS $$ SELECT id, at, payload FROM ${DATA}.wide ORDER BY id LIMIT n $$;`));

const results: Row[] = [];
const load0 = os.loadavg()[0]!;
try {
  for (const cap of caps) {
    const server = await startServer(cap);
    await call(server.url, 10);
    await new Promise((r) => setTimeout(r, 500));
    const idle = rssKiB(server.pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(server.pid))), 10);
    const t0 = performance.now();
    let last = { bytes: 0, rows: 0 };
    let failed = 0;
    for (let r = 0; r < rounds; r++) {
      for (const x of await Promise.all(Array.from({ length: concurrency }, () => call(server.url, 1_000_000)))) {
        if (x.status !== 200) failed++;
        else last = x;
      }
    }
    clearInterval(sampler);
    peak = Math.max(peak, rssKiB(server.pid));
    results.push({ cap, rows: last.rows, bytes: last.bytes, idleMiB: idle / 1024, peakMiB: peak / 1024, seconds: (performance.now() - t0) / 1000, failed });
    process.stderr.write(`cap ${cap}: ${last.rows} rows, ${(last.bytes / 1e6).toFixed(1)} MB a response, RSS ${(idle / 1024).toFixed(0)} → ${(peak / 1024).toFixed(0)} MiB\n`);
    await server.stop();
  }
} finally {
  await withClient(target, (c) => c.query(`DROP SCHEMA IF EXISTS ${API} CASCADE; DROP SCHEMA IF EXISTS ${DATA} CASCADE`));
}

console.log(`server of ${path.resolve(flags.root)}; ${os.cpus().length} CPUs, load average ${load0.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}; ${concurrency} concurrent requests × ${rounds} rounds per cap\n`);
console.log('| row cap | rows a response | MB a response | RSS idle MiB | RSS peak MiB | peak − idle MiB | seconds | failed |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.cap} | ${r.rows} | ${(r.bytes / 1e6).toFixed(2)} | ${r.idleMiB.toFixed(0)} | ${r.peakMiB.toFixed(0)} | ${(r.peakMiB - r.idleMiB).toFixed(0)} | ${r.seconds.toFixed(1)} | ${r.failed} |`);
}
process.exit(0);
