/**
 * The folder history store (the default): history-store.ts's layout (index.json + one folder per
 * entry run) behind the HistoryStore interface. Each write takes <history>/.lock for the moment it
 * re-reads the index, appends and writes it back, waiting while another live process holds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { VALIDATION_FILE, type ValidationFile } from '../formats/validation-file.ts';
import { readResult } from '../result-file/result-file.ts';
import type { Check } from '../validate/checks.ts';
import { acceptRun, appendRun, type HistoryIndex, type HistoryRunRecord } from './history-index.ts';
import { lockHistory, readHistory, storeEntryRun, writeHistory } from './history-store.ts';
import type { EntryRunData } from './judgement.ts';
import type { SeriesKey } from './series-key.ts';
import type { HistoryStore } from './store.ts';

const LOCK_WAIT_MS = 120_000;

/** Takes the folder's lock, waiting (synchronously, in short sleeps) while another live process holds it. */
export function waitForHistoryLock(root: string, timeoutMs = LOCK_WAIT_MS): () => void {
  const deadline = Date.now() + timeoutMs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return lockHistory(root);
    } catch (err) {
      if (!(err instanceof GeobenchError) || !/another geobench nightly/.test(err.message) || Date.now() > deadline) throw err;
      Atomics.wait(sleeper, 0, 0, 20 + Math.floor(Math.random() * 30));
    }
  }
}

/** Reads a stored entry run (result.json and validation.json); null when unreadable. */
export function readStoredRun(historyDir: string, record: HistoryRunRecord): EntryRunData | null {
  const dir = path.join(historyDir, record.dir);
  try {
    const result = fs.existsSync(path.join(dir, 'result.json')) ? readResult(dir) : null;
    const validation = fs.existsSync(path.join(dir, VALIDATION_FILE)) ? (JSON.parse(fs.readFileSync(path.join(dir, VALIDATION_FILE), 'utf8')) as ValidationFile) : null;
    const checks: Check[] | null = validation && Array.isArray(validation.checks) ? [...validation.checks] : null;
    return result || checks ? { result, checks } : null;
  } catch {
    return null;
  }
}

export function folderStore(root: string): HistoryStore {
  const locked = <T>(fn: () => T): T => {
    const release = waitForHistoryLock(root);
    try {
      return fn();
    } finally {
      release();
    }
  };
  return {
    display: root,
    kind: 'folder',
    readIndex: async () => readHistory(root),
    readRun: async (record) => readStoredRun(root, record),
    storeRun: async (sourceDir: string, key: SeriesKey, record: HistoryRunRecord): Promise<HistoryIndex> => locked(() => {
      const index = readHistory(root);
      if (Object.values(index.series).some((x) => x.runs.some((r) => r.nightlyRunId === record.nightlyRunId && r.entry === record.entry))) {
        throw new GeobenchError(`history ${root} already holds ${record.nightlyRunId}/${record.entry}`);
      }
      storeEntryRun(root, sourceDir, key, record);
      const next = appendRun(index, key, record);
      writeHistory(root, next);
      return next;
    }),
    accept: async (nightlyRunId) => locked(() => {
      const { index, marked } = acceptRun(readHistory(root), nightlyRunId);
      if (marked > 0) writeHistory(root, index);
      return marked;
    }),
    saveSummary: async (nightlyRunId, markdown) => {
      const dir = path.join(root, nightlyRunId);
      if (fs.existsSync(dir)) writeFileAtomic(path.join(dir, 'summary.md'), markdown);
    },
    close: async () => {},
  };
}
