/**
 * The fault suite (issue 15): for each phase × fault — SIGINT and SIGTERM to geobench, SIGKILL to
 * the postmaster — runs the real CLI against its own embedded cluster (GEOBENCH_HOME, set by
 * scripts/faults), sends the fault, measures how long geobench takes to exit and with which code,
 * restarts the cluster, and checks that a re-run works without manual cleanup. Prints the
 * Markdown table of docs/faults.md; exit 1 when a cell misses its code, its 10 s or its re-run.
 *
 *   node --import tsx test/faults/fault-suite.ts [--phases name,name] [--faults SIGINT,SIGTERM,kill]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { clusterStatus, startCluster } from '../../bench/db/embedded.ts';
import { ensureEmbeddedDatabase } from '../../bench/db/resolve.ts';
import { withClient } from '../../bench/db/connect.ts';
import { runRpcLoad } from '../../bench/rpc/load.ts';
import { cleanupPhases, FAULTS, PHASES, RPC_PHASE_SETUP, type Fault, type Phase } from './phases.ts';
import { RUN_PHASES } from './phases-run.ts';
import { MORE_PHASES } from './phases-more.ts';

const RPC_PHASE = 'rpc serve (under load)';
const byName = (name: string): Phase => [...PHASES, ...RUN_PHASES, ...MORE_PHASES].find((p) => p.name === name)!;
/** The issue's order: the data flow of a user's day. */
export const PHASE_ORDER = ['db start', 'dataset generate', 'dataset verify', 'migrate up', 'migrate down', 'variant prepare', 'warmup', 'run (measure)',
  'evidence snapshot', 'EXPLAIN', 'report', 'validate opt45 (cron forced)', RPC_PHASE, 'nightly history write'];

export const EXIT_LIMIT_MS = 10_000;
const BIN = path.join(PROJECT_ROOT, 'bin', 'geobench.js');

export interface Cell {
  readonly phase: string;
  readonly fault: Fault;
  readonly expected: number | string;
  readonly code: number | string;
  /** ms from the fault to geobench's exit (null: it did not exit within the limit, or no fault sent). */
  readonly exitMs: number | null;
  readonly rerun: string | null;
  readonly note?: string;
}

/** A cell passes when the code is the documented one, the exit came within the limit and the re-run worked. */
export const cellPasses = (c: Cell): boolean => c.code === c.expected && c.exitMs !== null && c.exitMs <= EXIT_LIMIT_MS && c.rerun === null;

export function markdownTable(cells: readonly Cell[]): string {
  const rows = cells.map((c) => `| ${c.phase} | ${c.fault} | ${c.expected} | ${c.code} | ${c.exitMs === null ? 'no exit' : `${(c.exitMs / 1000).toFixed(2)} s`} | ${c.rerun === null ? 'yes' : `no: ${c.rerun.split('\n')[0]!.replace(/\|/g, '\\|')}`} | ${cellPasses(c) ? 'ok' : 'FAIL'}${c.note ? ` (${c.note})` : ''} |`);
  return ['| phase | fault | documented exit | exit | fault → exit | re-run works | verdict |', '|---|---|---:|---:|---:|---|---|', ...rows].join('\n');
}

async function postmasterPid(): Promise<number> {
  const s = await clusterStatus();
  if (!s.running || s.pid === undefined) throw new Error('the cluster is not running');
  return s.pid;
}

const signalNumber = (sig: NodeJS.Signals): number => os.constants.signals[sig];

/** Runs geobench, sends the fault when `trigger` fires, resolves with the exit code and the time from the fault. */
function faultRun(args: string[], trigger: RegExp | number, fault: Fault): Promise<{ code: number; exitMs: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sentAt = 0;
    let fired = false;
    let hang: NodeJS.Timeout | undefined;
    const sent = (): void => {
      sentAt = performance.now();
      hang = setTimeout(() => child.kill('SIGKILL'), EXIT_LIMIT_MS + 20_000);
    };
    const send = (): void => {
      if (fired) return;
      fired = true;
      if (fault !== 'postmaster SIGKILL') return void (child.kill(fault), sent());
      // The time counts from the kill itself; the postmaster may need a moment to appear.
      void (async () => {
        for (let i = 0; i < 250 && child.exitCode === null; i++) {
          try {
            process.kill(await postmasterPid(), 'SIGKILL');
            return sent();
          } catch {
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        stderr += '\n[fault suite] no postmaster to kill';
      })();
    };
    const timer = typeof trigger === 'number' ? setTimeout(send, trigger) : undefined;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (trigger instanceof RegExp && trigger.test(stderr)) send();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(hang);
      const exitMs = sentAt ? performance.now() - sentAt : null;
      resolve({ code: code ?? 128 + (signal ? signalNumber(signal) : 0), exitMs: exitMs !== null && exitMs <= EXIT_LIMIT_MS + 19_000 ? exitMs : null, stderr });
    });
  });
}

async function restartCluster(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      await ensureEmbeddedDatabase(await startCluster());
      return;
    } catch (err) {
      if (i === 19) throw err;
      await new Promise((r) => setTimeout(r, 500)); // orphaned backends of a killed postmaster still leaving
    }
  }
}

async function runCell(phase: Phase, fault: Fault): Promise<Cell> {
  await phase.prepare();
  const r = await faultRun(phase.args(), phase.trigger, fault);
  await restartCluster();
  const rerun = await phase.rerun().catch((err: Error) => err.message);
  const firstError = r.stderr.split('\n').find((l) => /error/i.test(l)) ?? r.stderr.slice(-200);
  const note = r.exitMs === null || r.code !== phase.expected[fault] ? `stderr: ${firstError.slice(0, 300).replace(/\s+/g, ' ')}` : undefined;
  return { phase: phase.name, fault, expected: phase.expected[fault], code: r.code, exitMs: r.exitMs, rerun, ...(note ? { note } : {}) };
}

/**
 * rpc serve under load: SIGINT/SIGTERM end it with 0 (docs/rpc.md) while autocannon keeps sending;
 * a killed postmaster does not end it — it answers 503 and serves again once the cluster is back,
 * then SIGTERM ends it. The cell's time is fault → exit for signals, fault → first 503 otherwise.
 */
async function rpcCell(fault: Fault): Promise<Cell> {
  const target = await (async () => { await restartCluster(); return startCluster(); })();
  await withClient(target, (c) => c.query(RPC_PHASE_SETUP));
  const child = spawn(process.execPath, [BIN, '--schema', 'geobench_faults', 'rpc', 'serve', '--port', '0', '--pool', '4'], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? signalNumber(signal) : 0), at: performance.now() })));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`rpc serve did not start: ${stderr}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) { clearTimeout(t); resolve(m[1]!); }
    });
  });
  const call = async (): Promise<number> => (await fetch(`${url}/rpc/count_items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"lo":1}' }).catch(() => ({ status: 0 }))).status;
  const load = runRpcLoad({ url, fn: 'count_items', args: (rng) => ({ lo: Math.floor(rng() * 10000) }), seed: 1, connections: 2, durationSec: 6, warmupSec: 0 }).catch(() => null);
  await new Promise((r) => setTimeout(r, 2000));
  const sentAt = performance.now();
  if (fault !== 'postmaster SIGKILL') {
    child.kill(fault);
    const e = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), EXIT_LIMIT_MS + 5000))]);
    if (!e) child.kill('SIGKILL');
    await load;
    await restartCluster();
    const rerun = await rerunRpc();
    return { phase: 'rpc serve (under load)', fault, expected: 0, code: e ? e.code : 'no exit', exitMs: e ? e.at - sentAt : null, rerun };
  }
  process.kill(await postmasterPid(), 'SIGKILL');
  let first503: number | null = null;
  while (performance.now() - sentAt < EXIT_LIMIT_MS) {
    if ((await call()) === 503) { first503 = performance.now() - sentAt; break; }
    await new Promise((r) => setTimeout(r, 50));
  }
  await load;
  await restartCluster();
  let back = false;
  for (let i = 0; i < 40 && !back; i++) back = (await call()) === 200 || (await new Promise((r) => setTimeout(r, 250)), false);
  child.kill('SIGTERM');
  const e = await exited;
  return {
    phase: 'rpc serve (under load)', fault, expected: '503, then 200', code: first503 !== null && back ? '503, then 200' : `503 ${first503 !== null}, back ${back}`,
    exitMs: first503, rerun: e.code === 0 ? null : `SIGTERM after recovery exited ${e.code}`, note: 'time = fault → first 503; the server keeps running',
  };
}

async function rerunRpc(): Promise<string | null> {
  const child = spawn(process.execPath, [BIN, '--schema', 'geobench_faults', 'rpc', 'serve', '--port', '0'], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string | null>((resolve) => {
    const t = setTimeout(() => resolve(null), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) { clearTimeout(t); resolve(m[1]!); }
    });
  });
  const status = url ? (await fetch(`${url}/rpc/count_items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"lo":1}' })).status : 0;
  child.kill('SIGTERM');
  return status === 200 ? null : `re-started server answered ${status}: ${stderr.slice(-300)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { phases: { type: 'string' }, faults: { type: 'string' } } });
  const wanted = values.phases?.split(',').map((s) => s.trim());
  const faults = (values.faults?.split(',').map((s) => (s.trim() === 'kill' ? 'postmaster SIGKILL' : s.trim())) ?? FAULTS) as Fault[];
  const cells: Cell[] = [];
  const suiteStarted = performance.now();
  for (const name of PHASE_ORDER.filter((n) => !wanted || wanted.some((w) => n.startsWith(w)))) {
    for (const fault of faults) {
      const started = performance.now();
      const cell = name === RPC_PHASE ? await rpcCell(fault) : await runCell(byName(name), fault);
      cells.push(cell);
      process.stderr.write(`[fault suite] ${name} × ${fault}: exit ${cell.code} after ${cell.exitMs === null ? '—' : (cell.exitMs / 1000).toFixed(2)} s, re-run ${cell.rerun === null ? 'ok' : cell.rerun} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  }
  cleanupPhases();
  console.log(markdownTable(cells));
  console.log(`\n${cells.filter(cellPasses).length} of ${cells.length} cells pass; suite time ${((performance.now() - suiteStarted) / 1000).toFixed(0)} s`);
  process.exitCode = cells.every(cellPasses) ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  await main();
  setImmediate(() => process.exit(process.exitCode));
}
