/**
 * Where the nightly history lives: one interface, two implementations — a folder (the default,
 * history-folder-store.ts) and a schema of its own in any PostgreSQL (history-postgres-store.ts).
 * `openHistoryStore` picks by the spelling: a postgres:// or postgresql:// URL is a database,
 * anything else a folder. Every write appends one entry run atomically under the store's lock, so
 * two nightlies writing at once both land and the index stays consistent.
 */
import type { HistoryIndex, HistoryRunRecord } from './history-index.ts';
import type { EntryRunData } from './judgement.ts';
import type { SeriesKey } from './series-key.ts';

export interface HistoryStore {
  /** Where it is, for messages: a folder path or a URL without its password. */
  readonly display: string;
  readonly kind: 'folder' | 'postgres';
  /** The validated index of every stored entry run. */
  readIndex(): Promise<HistoryIndex>;
  /** A stored run's result and checks; null when unreadable. */
  readRun(record: HistoryRunRecord): Promise<EntryRunData | null>;
  /**
   * Stores an entry run — result.json, validation.json and plans/ of `sourceDir` — with its index
   * record, atomically and under the store's lock. Returns the index after the write (including
   * what other writers stored meanwhile).
   */
  storeRun(sourceDir: string, key: SeriesKey, record: HistoryRunRecord): Promise<HistoryIndex>;
  /** Marks every entry run of a nightly run as accepted; returns how many were marked. */
  accept(nightlyRunId: string): Promise<number>;
  /** Keeps a night's summary.md next to its runs. */
  saveSummary(nightlyRunId: string, markdown: string): Promise<void>;
  close(): Promise<void>;
}

export const isHistoryUrl = (spec: string): boolean => /^postgres(ql)?:\/\//i.test(spec);
