import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { GeobenchError } from '../core/errors.ts';
import { geobenchHome } from '../core/paths.ts';
import { computeServerSettings, renderConf } from './server-settings.ts';
import { isRoot, runCommand, runServerTool, SERVER_OS_USER } from './os-commands.ts';
import { registerSecret } from './redact.ts';
import { DEFAULT_SCHEMA } from './schema.ts';
import type { DbTarget } from './target.ts';
import { makeDirs } from '../core/output-dir.ts';

/**
 * The embedded throwaway cluster: PostgreSQL 15 binaries from Debian, a data directory of our own,
 * loopback only, benchmark settings in geobench.conf. State (port, data dir, password) is kept in
 * <GEOBENCH_HOME>/cluster.json with mode 0600.
 */
export const EMBEDDED_USER = 'geobench';
export const EMBEDDED_DATABASE = 'geobench';

interface ClusterState {
  readonly dataDir: string;
  readonly port: number;
  readonly password: string;
  readonly binDir: string;
}

export interface ClusterStatus {
  readonly initialized: boolean;
  readonly running: boolean;
  readonly pid?: number;
  readonly port?: number;
  readonly dataDir?: string;
  readonly display?: string;
}

const statePath = (): string => path.join(geobenchHome(), 'cluster.json');
export const pgpassPath = (): string => path.join(geobenchHome(), 'pgpass');

/** Finds the PostgreSQL 15 server binaries, or says which package provides them. */
export function findServerBinaries(): string {
  // GEOBENCH_PG_BINDIR replaces the default location (other installs; tests of the missing-binaries error).
  const candidates = process.env.GEOBENCH_PG_BINDIR ? [process.env.GEOBENCH_PG_BINDIR] : ['/usr/lib/postgresql/15/bin'];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  throw new GeobenchError(`PostgreSQL 15 server binaries (initdb, pg_ctl) not found in ${candidates.join(', ')}`, {
    hint: 'install the Debian package postgresql-15 (scripts/setup does it), or point --db at a server',
  });
}

function readState(): ClusterState | undefined {
  if (!fs.existsSync(statePath())) return undefined;
  try {
    const state = JSON.parse(fs.readFileSync(statePath(), 'utf8')) as ClusterState;
    registerSecret(state.password);
    return state;
  } catch (err) {
    throw new GeobenchError(`embedded cluster state file ${statePath()} is unreadable: ${(err as Error).message}`, {
      hint: 'run `geobench db destroy` to start over',
    });
  }
}

function writeState(state: ClusterState): void {
  makeDirs(geobenchHome());
  const tmp = `${statePath()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, statePath());
  fs.writeFileSync(pgpassPath(), `127.0.0.1:${state.port}:*:${EMBEDDED_USER}:${state.password}\n`, { mode: 0o600 });
}

export function targetFromState(state: ClusterState): DbTarget {
  return {
    kind: 'embedded',
    host: '127.0.0.1',
    client: { host: '127.0.0.1', port: state.port, user: EMBEDDED_USER, password: state.password, database: EMBEDDED_DATABASE },
    display: `postgresql://${EMBEDDED_USER}@127.0.0.1:${state.port}/${EMBEDDED_DATABASE} (embedded)`,
    schema: DEFAULT_SCHEMA,
  };
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** The data directory must be reachable by the server OS user; a private temp clone may not be. */
async function chooseDataDir(): Promise<string> {
  const preferred = path.join(geobenchHome(), 'cluster');
  if (!isRoot()) return preferred;
  makeDirs(geobenchHome());
  makeDirs(preferred, { mode: 0o700 });
  await runCommand('chown', [SERVER_OS_USER, preferred]);
  const probe = await runServerTool('test', ['-w', preferred]);
  if (probe.code === 0) return preferred;
  fs.rmSync(preferred, { recursive: true, force: true });
  const hash = crypto.createHash('sha1').update(geobenchHome()).digest('hex').slice(0, 12);
  const fallback = path.join('/var/tmp/geobench-clusters', hash);
  makeDirs(fallback, { mode: 0o700 });
  fs.chmodSync('/var/tmp/geobench-clusters', 0o755);
  await runCommand('chown', [SERVER_OS_USER, fallback]);
  return fallback;
}

const pgdata = (dataDir: string): string => path.join(dataDir, 'data');
const serverLog = (dataDir: string): string => path.join(dataDir, 'server.log');

async function initCluster(binDir: string, port: number): Promise<ClusterState> {
  const dataDir = await chooseDataDir();
  makeDirs(dataDir, { mode: 0o700 });
  if (isRoot()) await runCommand('chown', [SERVER_OS_USER, dataDir]);
  const password = crypto.randomBytes(18).toString('base64url');
  registerSecret(password);
  const pwfile = path.join(dataDir, 'initdb.pw');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) await runCommand('chown', [SERVER_OS_USER, pwfile]);
  const init = await runServerTool(path.join(binDir, 'initdb'), [
    '-D', pgdata(dataDir), '-U', EMBEDDED_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256',
    '-E', 'UTF8', '--locale=C', '--no-sync',
  ]);
  fs.rmSync(pwfile, { force: true });
  if (init.code !== 0) throw new GeobenchError(`initdb failed: ${init.stderr.trim() || init.stdout.trim()}`);
  const settings = computeServerSettings({ totalMemoryBytes: os.totalmem(), cpus: os.cpus().length }, port, EMBEDDED_DATABASE);
  fs.writeFileSync(path.join(pgdata(dataDir), 'geobench.conf'), renderConf(settings));
  fs.appendFileSync(path.join(pgdata(dataDir), 'postgresql.conf'), `\ninclude = 'geobench.conf'\n`);
  fs.writeFileSync(
    path.join(pgdata(dataDir), 'pg_hba.conf'),
    '# geobench: TCP on loopback only, password (scram) required\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n',
  );
  if (isRoot()) await runCommand('chown', ['-R', SERVER_OS_USER, dataDir]);
  const state: ClusterState = { dataDir, port, password, binDir };
  writeState(state);
  return state;
}

function setPort(state: ClusterState, port: number): ClusterState {
  const conf = path.join(pgdata(state.dataDir), 'geobench.conf');
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/^port = \d+$/m, `port = ${port}`));
  const next = { ...state, port };
  writeState(next);
  return next;
}

function readPid(dataDir: string): number | undefined {
  const file = path.join(pgdata(dataDir), 'postmaster.pid');
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isPostgresProcess(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return false;
  }
}

export async function clusterStatus(): Promise<ClusterStatus> {
  const state = readState();
  if (!state || !fs.existsSync(path.join(pgdata(state.dataDir), 'PG_VERSION'))) return { initialized: false, running: false };
  const pid = readPid(state.dataDir);
  const running = pid !== undefined && isPostgresProcess(pid);
  return {
    initialized: true,
    running,
    port: state.port,
    dataDir: state.dataDir,
    display: targetFromState(state).display,
    ...(running && pid !== undefined ? { pid } : {}),
  };
}

export interface StartOptions {
  readonly port?: number | undefined;
  readonly log?: (line: string) => void;
}

/** Starts (creating if needed) the embedded cluster and returns its target. Idempotent. */
export async function startCluster(options: StartOptions = {}): Promise<DbTarget> {
  const log = options.log ?? (() => {});
  const binDir = findServerBinaries();
  let state = readState();
  if (state && !fs.existsSync(path.join(pgdata(state.dataDir), 'PG_VERSION'))) state = undefined;

  if (options.port !== undefined && !(await isPortFree(options.port)) && !(state && state.port === options.port && (await clusterStatus()).running)) {
    throw new GeobenchError(`port ${options.port} is already in use on 127.0.0.1`, {
      hint: 'choose another --port, or omit --port to pick a free one',
    });
  }
  if (!state) {
    const port = options.port ?? (await freePort());
    log(`initializing embedded PostgreSQL cluster (initdb) on port ${port}`);
    state = await initCluster(binDir, port);
  }
  const status = await clusterStatus();
  if (status.running) {
    if (options.port !== undefined && options.port !== state.port) {
      throw new GeobenchError(`embedded cluster is already running on port ${state.port}`, { hint: 'run `geobench db stop` first to change the port' });
    }
    return targetFromState(state);
  }
  removeStalePidFile(state.dataDir, log);
  if (options.port !== undefined && options.port !== state.port) state = setPort(state, options.port);
  else if (!(await isPortFree(state.port))) {
    const port = await freePort();
    log(`port ${state.port} is taken by another process; using ${port}`);
    state = setPort(state, port);
  }
  const started = await runServerTool(path.join(binDir, 'pg_ctl'), ['start', '-D', pgdata(state.dataDir), '-l', serverLog(state.dataDir), '-w', '-t', '120'], { timeoutMs: 150_000 });
  if (started.code !== 0) {
    throw new GeobenchError(`pg_ctl start failed: ${started.stderr.trim() || started.stdout.trim()}\n${tailLog(state.dataDir)}`);
  }
  log(`embedded PostgreSQL started on 127.0.0.1:${state.port}`);
  return targetFromState(state);
}

function removeStalePidFile(dataDir: string, log: (line: string) => void): void {
  const pid = readPid(dataDir);
  if (pid === undefined) return;
  if (isPostgresProcess(pid)) return;
  fs.rmSync(path.join(pgdata(dataDir), 'postmaster.pid'), { force: true });
  log(`removed stale postmaster.pid (pid ${pid} is not a running postgres)`);
}

function tailLog(dataDir: string): string {
  try {
    const lines = fs.readFileSync(serverLog(dataDir), 'utf8').trim().split('\n');
    return `last server log lines (${serverLog(dataDir)}):\n${lines.slice(-8).join('\n')}`;
  } catch {
    return '';
  }
}

export async function stopCluster(mode: 'fast' | 'immediate' = 'fast'): Promise<boolean> {
  const state = readState();
  if (!state || !(await clusterStatus()).running) return false;
  const stopped = await runServerTool(path.join(state.binDir, 'pg_ctl'), ['stop', '-D', pgdata(state.dataDir), '-m', mode, '-w', '-t', '120']);
  if (stopped.code !== 0) throw new GeobenchError(`pg_ctl stop failed: ${stopped.stderr.trim()}`);
  return true;
}

export async function destroyCluster(): Promise<boolean> {
  const state = readState();
  if (!state) return false;
  await stopCluster('immediate');
  fs.rmSync(state.dataDir, { recursive: true, force: true });
  fs.rmSync(statePath(), { force: true });
  fs.rmSync(pgpassPath(), { force: true });
  return true;
}

/** The embedded target if the cluster runs, without starting it. */
export function embeddedTargetIfConfigured(): DbTarget | undefined {
  const state = readState();
  return state ? targetFromState(state) : undefined;
}
