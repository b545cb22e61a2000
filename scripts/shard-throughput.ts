/**
 * Shards vs one process (a benchmark script, not a test): `SELECT 1` (S1), closed model,
 * 2 shards × 1 connection (two processes meeting in geobench_coord, merged) against one process
 * with 2 connections, in alternating order, on the embedded cluster. Prints the measured
 * throughput of each (ops/s over the measured window, from result.json) and the ratio per round
 * and its median. Target (issue 13): shards ≥ 0.85× one process — sharding must add no
 * per-operation work.
 *
 *   GEOBENCH_HOME=… node --import tsx scripts/shard-throughput.ts [--rounds 3] [--duration 10]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../bench/core/paths.ts';
import { readResult } from '../bench/result-file/result-file.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '10' } } });
const rounds = Number(values.rounds);
const duration = values.duration!;
const SCENARIO = ['--scenario-file', 'test/fixtures/scenarios/shard-select-one.ts', '--duration', duration, '--warmup', '1'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-shard-bench-'));

function cli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'geobench.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`geobench ${args.join(' ')} exited ${code}:\n${err.slice(-1500)}`))));
  });
}

const opsPerSec = (dir: string): number => {
  const r = readResult(dir);
  const all = r.results.variants[0]!.byQueryType['*']!;
  return all.ops / all.measuredSec;
};

async function oneProcess(round: number): Promise<number> {
  const out = path.join(tmp, `one-${round}`);
  await cli(['run', ...SCENARIO, '--connections', '2', '--workers', '2', '--out', out]);
  return opsPerSec(out);
}

async function twoShards(round: number): Promise<number> {
  const id = `shard-bench-${process.pid}-${round}`;
  await Promise.all([0, 1].map((i) => cli(['run', ...SCENARIO, '--connections', '2', '--shard', `${i}/2`, '--run-id', id, '--out', path.join(tmp, `${id}-s${i}`)])));
  const out = path.join(tmp, `${id}-merged`);
  await cli(['merge', id, '--out', out]).catch(() => {}); // the report step may fail without charts; result.json is written first
  return opsPerSec(out);
}

const ratios: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first so a drifting machine favours neither.
    let one: number;
    let two: number;
    if (round % 2 === 0) {
      one = await oneProcess(round);
      two = await twoShards(round);
    } else {
      two = await twoShards(round);
      one = await oneProcess(round);
    }
    ratios.push(two / one);
    console.log(`round ${round + 1}: one process 2 conns ${one.toFixed(0)} ops/s, 2 shards × 1 conn ${two.toFixed(0)} ops/s, ratio ${(two / one).toFixed(3)}`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`median ratio over ${rounds} round(s): ${median.toFixed(3)} (target >= 0.85; ${os.availableParallelism()} cores, ${new Date().toISOString()})`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
