/**
 * The history index (results/history/index.json): every stored nightly entry run, grouped by
 * series key so only like is compared with like. This module is pure — the type, its validation,
 * appending a run, and choosing the comparable runs; history-store.ts does the file I/O.
 */
import { z } from 'zod';
import { keyDifferences, seriesId, type SeriesKey } from './series-key.ts';

export const HISTORY_SCHEMA_VERSION = 1;

export interface HistoryRunRecord {
  /** The nightly run that produced this entry run, e.g. 20261126T020000Z-nightly. */
  readonly nightlyRunId: string;
  /** Entry id in the nightly configuration (folder name). */
  readonly entry: string;
  readonly kind: 'scenario' | 'validate';
  /** Folder of the stored copy, relative to the history root. */
  readonly dir: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The load run's status, or `error` when the entry could not run. */
  readonly status: 'complete' | 'incomplete' | 'failed' | 'error';
  /** `regression` when a metric regressed or a plan changed (under planChange = fail). */
  readonly verdict: 'ok' | 'regression';
  /** Metric ids and plans (`plan:<variant>/<query type>`) that alarmed. */
  readonly alarms: readonly string[];
  readonly kpiFailures: number;
  /** Marked by `geobench nightly --accept <run-id>`: a regression accepted as the new normal. */
  readonly accepted: boolean;
  readonly commit: string | null;
}

export interface HistorySeries {
  readonly key: SeriesKey;
  /** Oldest first. */
  readonly runs: readonly HistoryRunRecord[];
}

export interface HistoryIndex {
  readonly schemaVersion: typeof HISTORY_SCHEMA_VERSION;
  readonly tool: 'geobench-nightly';
  readonly updatedAt: string;
  /** seriesId(key) → series. */
  readonly series: Readonly<Record<string, HistorySeries>>;
}

const KeyShape = z.strictObject({
  fingerprint: z.string(),
  scenario: z.string(),
  scale: z.number(),
  seed: z.number(),
  config: z.string(),
  configText: z.string(),
});

export const RunRecordShape = z.strictObject({
  nightlyRunId: z.string().min(1),
  entry: z.string().min(1),
  kind: z.enum(['scenario', 'validate']),
  dir: z.string().min(1).refine((d) => !d.startsWith('/') && !d.split(/[\\/]/).includes('..'), 'must be a relative path inside the history folder'),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(['complete', 'incomplete', 'failed', 'error']),
  verdict: z.enum(['ok', 'regression']),
  alarms: z.array(z.string()),
  kpiFailures: z.number().int().nonnegative(),
  accepted: z.boolean(),
  commit: z.string().nullable(),
});

const IndexShape = z.strictObject({
  schemaVersion: z.literal(HISTORY_SCHEMA_VERSION),
  tool: z.literal('geobench-nightly'),
  updatedAt: z.string(),
  series: z.record(z.string(), z.strictObject({ key: KeyShape, runs: z.array(RunRecordShape) })),
});

export const ENTRY_RECORD_SHAPE = z.strictObject({ key: KeyShape, record: RunRecordShape });

export function emptyIndex(now = new Date()): HistoryIndex {
  return { schemaVersion: HISTORY_SCHEMA_VERSION, tool: 'geobench-nightly', updatedAt: now.toISOString(), series: {} };
}

/** Validates a parsed index; returns the problems (path: message) or the index. */
export function parseIndex(raw: unknown): { index: HistoryIndex } | { problems: string[] } {
  const parsed = IndexShape.safeParse(raw);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`) };
  const problems: string[] = [];
  for (const [id, s] of Object.entries(parsed.data.series)) {
    if (seriesId(s.key) !== id) problems.push(`series.${id}: key does not match its id (expected ${seriesId(s.key)})`);
  }
  return problems.length ? { problems } : { index: parsed.data };
}

/** A new index with `record` appended to its series (created when new). Pure. */
export function appendRun(index: HistoryIndex, key: SeriesKey, record: HistoryRunRecord, now = new Date()): HistoryIndex {
  const id = seriesId(key);
  const series = index.series[id] ?? { key, runs: [] };
  return { ...index, updatedAt: now.toISOString(), series: { ...index.series, [id]: { key: series.key, runs: [...series.runs, record] } } };
}

/** Marks every entry run of a nightly run as accepted. Pure; returns the count marked. */
export function acceptRun(index: HistoryIndex, nightlyRunId: string, now = new Date()): { index: HistoryIndex; marked: number } {
  let marked = 0;
  const series = Object.fromEntries(Object.entries(index.series).map(([id, s]) => [id, {
    key: s.key,
    runs: s.runs.map((r) => (r.nightlyRunId === nightlyRunId ? (marked++, { ...r, accepted: true }) : r)),
  }]));
  return { index: { ...index, updatedAt: now.toISOString(), series }, marked };
}

/** Whether a stored run may serve as history: complete, and no alarm (or accepted). */
export function isGoodRun(r: HistoryRunRecord): boolean {
  return r.status === 'complete' && (r.verdict === 'ok' || r.accepted);
}

export interface SkippedRun {
  readonly run: HistoryRunRecord;
  readonly reasons: readonly string[];
}

export interface ComparableRuns {
  /** Good runs of the same series, most recent first, at most `lookback`. */
  readonly baseline: readonly HistoryRunRecord[];
  /** Runs of the same series left out (not good), most recent first. */
  readonly excluded: readonly SkippedRun[];
  /** Runs of the same entry or scenario in other series: not comparable, with the differences. */
  readonly incompatible: readonly SkippedRun[];
  /** Every run of the same series, most recent first (for trend charts). */
  readonly all: readonly HistoryRunRecord[];
}

const newestFirst = (a: HistoryRunRecord, b: HistoryRunRecord): number => b.startedAt.localeCompare(a.startedAt) || b.nightlyRunId.localeCompare(a.nightlyRunId);

/**
 * Chooses the history of an entry run: the last `lookback` good runs with the same series key.
 * Runs of the same entry (or scenario) under another key are listed as incompatible with why.
 * `excludeNightly` leaves out runs of that nightly run (the run being judged).
 */
export function selectComparable(index: HistoryIndex, key: SeriesKey, entry: string, lookback: number, excludeNightly?: string): ComparableRuns {
  const id = seriesId(key);
  const mine = [...(index.series[id]?.runs ?? [])].filter((r) => r.nightlyRunId !== excludeNightly).sort(newestFirst);
  const baseline = mine.filter(isGoodRun).slice(0, lookback);
  const excluded = mine.filter((r) => !isGoodRun(r)).map((run) => ({
    run,
    reasons: [run.status !== 'complete' ? `run ${run.status}` : `alarmed (${run.alarms.slice(0, 3).join(', ')}${run.alarms.length > 3 ? ', …' : ''}) and not accepted`],
  }));
  const incompatible: SkippedRun[] = [];
  for (const [otherId, s] of Object.entries(index.series)) {
    if (otherId === id) continue;
    for (const run of s.runs) {
      if (run.nightlyRunId === excludeNightly) continue;
      if (run.entry !== entry && s.key.scenario !== key.scenario) continue;
      incompatible.push({ run, reasons: keyDifferences(key, s.key) });
    }
  }
  incompatible.sort((a, b) => newestFirst(a.run, b.run));
  return { baseline, excluded, incompatible, all: mine };
}

/** One line per distinct reason: "3 runs skipped: scale 0.01 ≠ 0.002". */
export function summarizeSkipped(skipped: readonly SkippedRun[]): string[] {
  const groups = new Map<string, number>();
  for (const s of skipped) {
    const why = s.reasons.join('; ');
    groups.set(why, (groups.get(why) ?? 0) + 1);
  }
  return [...groups].map(([why, count]) => `${count} run${count === 1 ? '' : 's'} skipped: ${why}`);
}
