import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type pg from 'pg';
import { PROJECT_ROOT } from '../core/paths.ts';
import type { RunMetadata } from '../formats/run-records.ts';

const SETTINGS = [
  'server_version', 'shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem', 'random_page_cost',
  'jit', 'max_parallel_workers_per_gather', 'max_worker_processes', 'synchronous_commit', 'wal_level', 'max_wal_size',
  'checkpoint_timeout', 'plan_cache_mode', 'track_io_timing', 'huge_pages', 'default_statistics_target',
];

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

export function machineFacts(): RunMetadata['machine'] {
  const cpuModel = os.cpus()[0]?.model ?? 'unknown';
  const cpus = os.availableParallelism();
  const memoryBytes = os.totalmem();
  const fingerprint = crypto.createHash('sha256').update(`${cpuModel}|${cpus}|${Math.round(memoryBytes / 2 ** 30)}`).digest('hex').slice(0, 16);
  return { cpuModel, cpus, memoryBytes, platform: os.platform(), release: os.release(), fingerprint };
}

export async function collectMetadata(client: pg.Client, geobenchVersion: string): Promise<RunMetadata> {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit ? git(['status', '--porcelain', '--untracked-files=no']) : null;
  const settings = await client.query<{ name: string; setting: string; unit: string | null }>('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [SETTINGS]);
  const ext = await client.query<{ extname: string; extversion: string }>('SELECT extname, extversion FROM pg_extension ORDER BY 1');
  const version = await client.query<{ v: string }>('SELECT version() AS v');
  const postgis = await client.query<{ v: string }>('SELECT postgis_lib_version() AS v').catch(() => ({ rows: [{ v: null }] as Array<{ v: string | null }> }));
  return {
    git: { commit, dirty: status === null ? null : status.length > 0 },
    versions: {
      geobench: geobenchVersion,
      node: process.version,
      postgres: version.rows[0]?.v ?? null,
      postgis: postgis.rows[0]?.v ?? null,
      extensions: Object.fromEntries(ext.rows.map((r) => [r.extname, r.extversion])),
    },
    settings: Object.fromEntries(settings.rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting])),
    machine: machineFacts(),
  };
}
