import type { SampledRow } from '../queries/types.ts';
import type { MessagePort } from 'node:worker_threads';
import type pg from 'pg';
import type { IntervalReport } from '../metrics/timeline.ts';
import type { LoadPlan } from './plan.ts';

/**
 * Messages between the runner (main thread) and the load workers. One task per worker per
 * segment; live data flows over `port` so the main thread can print progress every second.
 */
export interface SegmentTask {
  readonly client: pg.ClientConfig;
  readonly schema: string;
  readonly workerIndex: number;
  /** Index of this worker's parameter streams: workerIndex plus the shard's base (see param-streams.ts). */
  readonly streamIndex: number;
  readonly connections: number;
  readonly workload: ReadonlyArray<{ readonly queryType: string; readonly weight: number }>;
  /** This variant's routes: query type → route name. */
  readonly routes: Readonly<Record<string, string>>;
  readonly load: LoadPlan;
  /** This worker's share of an open model's rate (ops/s). */
  readonly rateShare: number;
  readonly statementTimeoutMs: number;
  readonly paramSeed: number;
  readonly repetition: number;
  readonly variant: string;
  readonly totalRows: number;
  /** An imported dataset's parameter sample (real rows) for query-file types; absent for generated data. */
  readonly paramSample?: readonly SampledRow[] | undefined;
  readonly port: MessagePort;
}

/**
 * Absolute times in µs since the Unix epoch (performance.timeOrigin + now: comparable across threads).
 * A segment has two phases with a barrier between them: the warmup runs until `warmupEndAt`, then
 * every worker lets its in-flight operations finish and reports `drained`; the main thread takes
 * the "before" evidence snapshot on an idle workload and only then sends {@link MeasureMessage}.
 * So no operation straddles the snapshot, and server counts equal client counts exactly.
 */
export interface StartMessage {
  readonly type: 'start';
  readonly warmupStartAt: number;
  readonly warmupEndAt: number;
}

export interface MeasureMessage {
  readonly type: 'measure';
  readonly measureStartAt: number;
  readonly measureEndAt: number;
}

export interface StopMessage {
  readonly type: 'stop';
  readonly reason: string;
}

export type MainToWorker = StartMessage | MeasureMessage | StopMessage;

export type WorkerToMain =
  | { readonly type: 'ready'; readonly workerIndex: number; readonly backendPids: number[] }
  | { readonly type: 'interval'; readonly report: IntervalReport }
  /** Warmup over and nothing in flight: the main thread may snapshot, then send `measure`. */
  | { readonly type: 'drained'; readonly workerIndex: number }
  /**
   * The last message of a task, after its last interval. The task's result travels on piscina's
   * own channel, which can overtake this port: the runner waits for `done` before closing it.
   */
  | { readonly type: 'done'; readonly workerIndex: number };

export interface WorkerResult {
  readonly workerIndex: number;
  /** Set when the worker stopped because the database connection broke (server died, restart). */
  readonly fatal?: string | undefined;
  /** Distinct error messages (capped) with counts, measurement and warmup together. */
  readonly errorMessages: Record<string, number>;
  readonly warmupOps: number;
  /** Open model only: schedule lag histogram (encoded, µs) and scheduler counters over the measurement. */
  readonly lagEncoded?: string | undefined;
  readonly schedule?: { intended: number; sent: number; skipped: number; late: number; completed: number } | undefined;
}

/**
 * Test hook: GEOBENCH_CLOCK_OFFSET_MS shifts this process's clock (main thread and workers alike,
 * they share the environment), to show that a shard with a wrong clock still starts on time.
 */
const INJECTED_OFFSET_US = Number(process.env.GEOBENCH_CLOCK_OFFSET_MS ?? 0) * 1000 || 0;

/** Epoch microseconds, valid across worker threads. */
export const nowMicros = (): number => (performance.timeOrigin + performance.now()) * 1000 + INJECTED_OFFSET_US;
