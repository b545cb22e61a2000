import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { withClient } from '../db/connect.ts';
import type { DbTarget } from '../db/target.ts';
import { writeResult } from '../result-file/result-file.ts';
import { HLOG_FILE } from '../formats/run-result.ts';
import { loadRun, runSettled } from './coord-store.ts';
import type { MergedRun } from './merge-result.ts';
import { SHARD_FILE, type ShardRecord } from './shard-record.ts';
import { makeDirs } from '../core/output-dir.ts';

/** Shard records from shard folders (each with the shard.json its shard kept current). */
export function readShardFolders(folders: readonly string[]): ShardRecord[] {
  return folders.map((dir) => {
    const file = path.join(dir, SHARD_FILE);
    if (!fs.existsSync(file)) throw new GeobenchError(`${dir} holds no ${SHARD_FILE}: not the folder of a shard (geobench run --shard … --out ${dir})`, { exitCode: 2 });
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as ShardRecord;
    } catch (err) {
      throw new GeobenchError(`${file} is not readable JSON: ${(err as Error).message}`, { exitCode: 2 });
    }
  });
}

/** Shard records of run `runId` from geobench_coord in the database under test. */
export async function readShardRun(server: DbTarget, runId: string): Promise<{ count: number; records: ShardRecord[] }> {
  const run = await withClient(server, async (c) => {
    const exists = await c.query("SELECT to_regclass('geobench_coord.runs') IS NOT NULL AS ok");
    return exists.rows[0].ok ? loadRun(c, runId) : undefined;
  }, 'geobench-merge');
  if (!run) throw new GeobenchError(`no sharded run ${runId} in geobench_coord on ${server.display}`, { exitCode: 2, hint: 'give the --run-id the shards ran with, or their folders' });
  return run;
}

/** Writes the merged run folder: result.json, latency.hlog and the coordinator's plan files. */
export function writeMergedRun(outDir: string, merged: MergedRun): string {
  makeDirs(outDir);
  for (const [rel, content] of Object.entries(merged.planFiles)) {
    const full = path.resolve(outDir, rel);
    if (!full.startsWith(path.resolve(outDir) + path.sep)) throw new GeobenchError(`plan file ${rel} would land outside ${outDir}`, { exitCode: 2 });
    writeFileAtomic(full, content);
  }
  writeFileAtomic(path.join(outDir, HLOG_FILE), merged.hlog);
  return writeResult(outDir, merged.result);
}

/**
 * Waits (polling every 2 s, up to `timeoutSec`) until run `runId` has settled: every shard joined
 * and finished or died. Lets the merge start with the shards (Kubernetes has no Job ordering).
 * At the timeout the merge goes on: what is missing is named in the result.
 */
export async function waitForShards(server: DbTarget, runId: string, timeoutSec: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutSec * 1000;
  let last = '';
  for (;;) {
    const state = await withClient(server, (c) => runSettled(c, runId), 'geobench-merge');
    if (state.settled) return;
    const now = state.exists ? `waiting for shard(s) ${state.waitingFor.join(', ')} of run ${runId}` : `waiting for run ${runId} to start`;
    if (now !== last) log(now);
    last = now;
    if (Date.now() > deadline) {
      log(`gave up waiting after ${timeoutSec} s: merging what is there`);
      return;
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
}
