/**
 * postgresql.conf settings for the embedded benchmark cluster, sized from the machine.
 * Each setting carries the reason it is there; `renderConf` writes both into geobench.conf,
 * so the cluster's configuration documents itself (docs/embedded-cluster.md mirrors this).
 */
export interface ServerSetting {
  readonly name: string;
  readonly value: string;
  readonly why: string;
}

export interface MachineFacts {
  readonly totalMemoryBytes: number;
  readonly cpus: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function mb(bytes: number): string {
  return `${Math.max(1, Math.floor(bytes / MiB))}MB`;
}

export function computeServerSettings(machine: MachineFacts, port: number, database: string): ServerSetting[] {
  const mem = machine.totalMemoryBytes;
  const sharedBuffers = Math.min(8 * GiB, Math.max(128 * MiB, mem * 0.25));
  const maintenanceWorkMem = Math.min(2 * GiB, Math.max(64 * MiB, mem / 12));
  const effectiveCache = Math.max(256 * MiB, mem * 0.6);
  const workers = Math.max(8, machine.cpus * 2 + 4);
  return [
    { name: 'listen_addresses', value: `'127.0.0.1'`, why: 'loopback only: the throwaway cluster is never reachable from the network' },
    { name: 'port', value: String(port), why: 'a free port chosen at start (or --port)' },
    { name: 'unix_socket_directories', value: `''`, why: 'TCP only, so no socket file lands in a shared folder' },
    { name: 'max_connections', value: '200', why: 'load runs open up to ~100 client connections plus tools' },
    { name: 'shared_buffers', value: mb(sharedBuffers), why: '25% of RAM (max 8 GB), the usual dedicated-server rule' },
    { name: 'effective_cache_size', value: mb(effectiveCache), why: '~60% of RAM: what the OS page cache can hold for the planner' },
    { name: 'maintenance_work_mem', value: mb(maintenanceWorkMem), why: 'fast index builds after bulk loads and migrations (RAM/12, max 2 GB)' },
    { name: 'work_mem', value: '64MB', why: 'spatial aggregates and sorts stay in memory for one connection per core' },
    { name: 'max_wal_size', value: '8GB', why: 'no forced checkpoints in the middle of a bulk load or a measurement' },
    { name: 'checkpoint_timeout', value: '30min', why: 'checkpoints rarely land inside a measurement window' },
    { name: 'wal_level', value: 'minimal', why: 'no replication here: COPY into a table created in the same transaction skips WAL' },
    { name: 'max_wal_senders', value: '0', why: 'required by wal_level=minimal' },
    { name: 'random_page_cost', value: '1.1', why: 'SSD-backed storage; keeps index plans realistic' },
    { name: 'jit', value: 'off', why: 'JIT compile time adds tens of ms to short spatial queries and skews latency' },
    { name: 'max_worker_processes', value: String(workers), why: 'room for pg_cron background workers and parallel query' },
    { name: 'track_io_timing', value: 'on', why: 'buffer read times in EXPLAIN (BUFFERS) and pg_stat_statements' },
    { name: 'shared_preload_libraries', value: `'pg_cron,pg_stat_statements'`, why: 'pg_cron schedules OPT4/OPT5 maintenance; pg_stat_statements is the server-side evidence' },
    { name: 'pg_stat_statements.max', value: '10000', why: 'keep every workload statement without eviction' },
    { name: 'pg_stat_statements.track', value: 'all', why: 'count statements inside RPC functions too' },
    { name: 'pg_stat_statements.track_planning', value: 'on', why: 'planning time is part of the cost (partitioned tables plan per partition)' },
    { name: 'cron.database_name', value: `'${database}'`, why: 'pg_cron lives in the benchmark database' },
    { name: 'cron.use_background_workers', value: 'on', why: 'jobs run in background workers: no libpq login (and no password) needed' },
    { name: 'cron.max_running_jobs', value: '5', why: 'bounded by max_worker_processes' },
    { name: 'logging_collector', value: 'off', why: 'server log goes to the file pg_ctl was given' },
    { name: 'log_min_messages', value: 'warning', why: 'keep the log readable' },
    { name: 'timezone', value: `'UTC'`, why: 'timestamps and monthly partitions in UTC everywhere' },
  ];
}

export function renderConf(settings: readonly ServerSetting[]): string {
  const lines = ['# Written by geobench (bench/db/server-settings.ts). Each setting says why it is here.', ''];
  for (const s of settings) lines.push(`# ${s.why}`, `${s.name} = ${s.value}`, '');
  return lines.join('\n');
}
