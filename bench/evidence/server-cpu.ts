import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type pg from 'pg';
import { isLocalHost } from '../db/target.ts';
import { unavailable, type Unavailable } from './unavailable.ts';

/**
 * CPU time used by the PostgreSQL server on this machine (all databases, all sessions, background
 * workers, autovacuum), read from /proc; and the harness's own CPU time. Both are cumulative, so a
 * window's cost is the difference of two snapshots.
 */

/** The fields of a /proc/<pid>/stat line used here; times in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
  /** CPU of children that exited and were waited for by this process. */
  readonly cutime: number;
  readonly cstime: number;
  /** Start time in ticks after boot. */
  readonly starttime: number;
}

export interface ServerCpuSnapshot {
  readonly available: true;
  readonly postmasterPid: number;
  /** Live server processes counted (the postmaster and its children). */
  readonly processes: number;
  /** Total server CPU seconds (user + system) so far. */
  readonly seconds: number;
}

export interface ServerCpuDelta {
  readonly available: true;
  /** Server CPU seconds used in the window. */
  readonly seconds: number;
}

export interface ClientCpuSnapshot {
  readonly userSeconds: number;
  readonly systemSeconds: number;
}

export interface ClientCpuDelta extends ClientCpuSnapshot {
  readonly totalSeconds: number;
}

/**
 * Parses one /proc/<pid>/stat line. The comm field is in parentheses and may itself contain
 * spaces and parentheses, so the fixed fields are split after the LAST ')'. Pure.
 */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // rest[0] is field 3 (state); field N of proc(5) is rest[N - 3].
  const rest = line.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc stat field ${n} missing in: ${line.slice(0, 80)}`);
    return value;
  };
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    state: rest[0] ?? '',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    starttime: field(22),
  };
}

/**
 * Server CPU ticks: every live process's own time plus the postmaster's cutime + cstime. A backend
 * that exited and was reaped (waited for) by the postmaster no longer has a /proc entry; the
 * kernel then adds its utime/stime to the postmaster's cutime/cstime, so its work is still
 * counted once. Pure.
 */
export function serverTicks(postmaster: ProcStat, children: readonly ProcStat[]): number {
  const own = (p: ProcStat): number => p.utime + p.stime;
  return own(postmaster) + postmaster.cutime + postmaster.cstime + children.reduce((sum, c) => sum + own(c), 0);
}

export function diffServerCpu(before: ServerCpuSnapshot | Unavailable, after: ServerCpuSnapshot | Unavailable): ServerCpuDelta | Unavailable {
  if (!before.available) return before;
  if (!after.available) return after;
  if (before.postmasterPid !== after.postmasterPid) return unavailable('the server restarted during the window (new postmaster pid)');
  return { available: true, seconds: after.seconds - before.seconds };
}

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`), read once; 100 if getconf is unavailable. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicks = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

const readStat = (pid: number): ProcStat => parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The processes whose parent is `ppid` (from /proc). */
export function childrenOf(ppid: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readStat(Number(name));
      if (stat.ppid === ppid) out.push(stat);
    } catch {
      // The process exited while we listed /proc.
    }
  }
  return out;
}

/**
 * Snapshots the CPU time of the server `client` is connected to. The postmaster is the parent of
 * our backend (pg_backend_pid). Unavailable (never throws) when the server is not on this machine
 * (`host`, default the client's: loopback or a Unix socket), /proc is unreadable, or the pid does
 * not belong to a postgres process here (e.g. a server in a container with its own pid namespace).
 */
export async function snapshotServerCpu(client: pg.Client, host: string = client.host): Promise<ServerCpuSnapshot | Unavailable> {
  if (!isLocalHost(host)) return unavailable(`the server (${host}) is not on this machine; its CPU cannot be read from /proc`);
  const res = await client.query<{ pid: number; started: string }>(
    `SELECT pg_backend_pid() AS pid, extract(epoch FROM backend_start)::float8 AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
  );
  const row = res.rows[0];
  if (!row) return unavailable('pg_stat_activity does not show our own backend');
  try {
    const backend = readStat(row.pid);
    const tck = clockTicksPerSecond();
    // Same pid, other process? Compare the process start time with the server's backend_start.
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!backend.comm.startsWith('postgres') || Math.abs(btime + backend.starttime / tck - Number(row.started)) > 5) {
      return unavailable(`pid ${row.pid} on this machine is not our server backend (server in another pid namespace?)`);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const postmaster = readStat(backend.ppid);
      if (!postmaster.comm.startsWith('postgres')) return unavailable(`parent ${backend.ppid} of our backend is not a postgres process`);
      const children = childrenOf(postmaster.pid);
      // A child reaped while we listed would be counted twice or not at all: retry until stable.
      const again = readStat(postmaster.pid);
      if (again.cutime + again.cstime !== postmaster.cutime + postmaster.cstime) continue;
      return { available: true, postmasterPid: postmaster.pid, processes: 1 + children.length, seconds: serverTicks(postmaster, children) / tck };
    }
    return unavailable('server processes kept exiting while reading /proc');
  } catch (err) {
    return unavailable(`cannot read server processes from /proc: ${(err as Error).message}`);
  }
}

/** The harness process's CPU time so far (all its threads: main and workers). */
export function snapshotClientCpu(): ClientCpuSnapshot {
  const usage = process.cpuUsage();
  return { userSeconds: usage.user / 1e6, systemSeconds: usage.system / 1e6 };
}

/** Alias of {@link snapshotClientCpu}. */
export const clientCpu = snapshotClientCpu;

/** Client CPU used between two snapshots. Pure. */
export function diffClientCpu(before: ClientCpuSnapshot, after: ClientCpuSnapshot): ClientCpuDelta {
  const userSeconds = after.userSeconds - before.userSeconds;
  const systemSeconds = after.systemSeconds - before.systemSeconds;
  return { userSeconds, systemSeconds, totalSeconds: userSeconds + systemSeconds };
}
