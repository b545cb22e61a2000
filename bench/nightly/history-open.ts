/**
 * Opens the history named on the command line: `--history <dir>` (a folder), `--history
 * postgresql://…` (a database; the variable GEOBENCH_HISTORY_URL gives the same when --history
 * is absent), else the default folder. Folders are write-tested before any work.
 */
import path from 'node:path';
import { assertWritableDir } from '../core/output-dir.ts';
import { resolveExternalTarget } from '../db/target.ts';
import { folderStore } from './history-folder-store.ts';
import { postgresStore } from './history-postgres-store.ts';
import { isHistoryUrl, type HistoryStore } from './store.ts';

/** Which history: the flag, else GEOBENCH_HISTORY_URL, else the default folder. */
export function historySpec(flag: string | undefined, defaultDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.GEOBENCH_HISTORY_URL ?? defaultDir;
}

export async function openHistoryStore(spec: string, flagName = '--history'): Promise<HistoryStore> {
  if (isHistoryUrl(spec)) {
    // The history may live on another machine than the benchmark: a remote server is allowed here.
    const target = resolveExternalTarget({ db: spec, allowRemote: true }, {})!;
    return postgresStore(target);
  }
  return folderStore(assertWritableDir(path.resolve(spec), flagName));
}
