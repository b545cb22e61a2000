import fs from 'node:fs';

/** A PostgreSQL postmaster process on this machine. */
export interface PostgresServer {
  readonly pid: number;
  /** Its `-D` argument, when it was started with one. */
  readonly dataDir: string | null;
}

export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** /proc/<pid>/comm. */
  readonly comm: string;
  readonly argv: readonly string[];
}

const isPostgres = (comm: string): boolean => comm === 'postgres' || comm === 'postmaster';

/**
 * The postmasters among `procs` (a postgres process whose parent is not one) other than the one
 * `ownBackendPid` belongs to. Pure.
 */
export function otherPostmasters(procs: readonly ProcessEntry[], ownBackendPid: number | null): PostgresServer[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const own = ownBackendPid === null ? undefined : byPid.get(ownBackendPid)?.ppid;
  return procs
    .filter((p) => isPostgres(p.comm) && !isPostgres(byPid.get(p.ppid)?.comm ?? '') && p.pid !== own && p.pid !== ownBackendPid)
    .map((p) => {
      const d = p.argv.indexOf('-D');
      return { pid: p.pid, dataDir: d >= 0 ? (p.argv[d + 1] ?? null) : null };
    })
    .sort((a, b) => a.pid - b.pid);
}

function readProcesses(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return out; // not Linux: nothing to say
  }
  for (const n of names) {
    try {
      const comm = fs.readFileSync(`/proc/${n}/comm`, 'utf8').trim();
      if (!isPostgres(comm)) {
        out.push({ pid: Number(n), ppid: 0, comm, argv: [] });
        continue;
      }
      const ppid = Number(/^PPid:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${n}/status`, 'utf8'))?.[1] ?? 0);
      const argv = fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(n), ppid, comm, argv });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/**
 * Other PostgreSQL servers running on this machine while a measurement runs: their background
 * work (autovacuum, pg_cron jobs refreshing views) takes CPU from the server being measured. One
 * idle cluster with schemas at OPT5 slowed a whole segment of a sign-off (docs/benchmarks.md).
 */
export function otherPostgresServers(ownBackendPid: number | null): PostgresServer[] {
  return otherPostmasters(readProcesses(), ownBackendPid);
}

/** The warning a run records when other servers share the machine; null when none do. */
export function otherServersWarning(servers: readonly PostgresServer[]): string | null {
  if (servers.length === 0) return null;
  const list = servers.map((s) => `pid ${s.pid}${s.dataDir ? ` (${s.dataDir})` : ''}`).join(', ');
  return `${servers.length} other PostgreSQL server${servers.length === 1 ? '' : 's'} ran on this machine during the measurement: ${list}; their background work (autovacuum, pg_cron jobs) competes for the CPU being measured — stop them (\`geobench db stop\` in their GEOBENCH_HOME) for clean numbers`;
}
