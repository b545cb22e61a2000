/**
 * `geobench history import <folder>`: copies a folder history's entry runs into another store
 * (typically a database), oldest first, with their records as they are (accepted marks and alarms
 * included). Runs the target already holds are skipped, so an interrupted import can be re-run.
 */
import path from 'node:path';
import { readHistory } from './history-store.ts';
import type { HistoryStore } from './store.ts';

export interface ImportCounts {
  readonly imported: number;
  readonly skipped: number;
}

export async function importFolderHistory(folder: string, target: HistoryStore, log: (line: string) => void = () => {}): Promise<ImportCounts> {
  const source = readHistory(folder);
  const present = new Set(Object.values((await target.readIndex()).series).flatMap((s) => s.runs.map((r) => `${r.nightlyRunId}/${r.entry}`)));
  const runs = Object.values(source.series)
    .flatMap((s) => s.runs.map((record) => ({ key: s.key, record })))
    .sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt) || a.record.nightlyRunId.localeCompare(b.record.nightlyRunId));
  let imported = 0;
  let skipped = 0;
  for (const { key, record } of runs) {
    if (present.has(`${record.nightlyRunId}/${record.entry}`)) {
      skipped++;
      continue;
    }
    await target.storeRun(path.join(folder, record.dir), key, record);
    imported++;
    log(`imported ${record.nightlyRunId}/${record.entry}`);
  }
  return { imported, skipped };
}
