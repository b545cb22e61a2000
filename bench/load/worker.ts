/**
 * Load worker (piscina thread): runs one segment on its share of the connections and streams
 * per-second interval histograms to the main thread. Warmup, then a barrier (see StartMessage),
 * then the measurement. Closed model: each connection sends its
 * next operation when the last returned. Open model: a seeded arrival schedule; an arrival that
 * finds no free connection waits, and its latency counts from the intended time.
 */
import seedrandom from 'seedrandom';
import type pg from 'pg';
import { routedQueryType } from '../queries/index.ts';
import type { QueryType } from '../queries/types.ts';
import { asMicros, createLatencyHistogram, encodeHistogram, recordMicros } from '../metrics/histogram.ts';
import { OpenScheduler, type SendStep } from './open-schedule.ts';
import { classifyFailure, destroyConnection, openLoadConnection } from './connections.ts';
import { IntervalRecorder } from './recorder.ts';
import { leanQuery } from './lean-query.ts';
import { connectionStreamKey } from './param-streams.ts';
import type { MessagePort } from 'node:worker_threads';
import { nowMicros, type MainToWorker, type SegmentTask, type WorkerResult } from './protocol.ts';

const MAX_DISTINCT_ERRORS = 20;

const FLUSH_EVERY_MS = 200;

interface Picker {
  pick(rng: () => number): QueryType;
}

function weightedPicker(workload: SegmentTask['workload'], routes: SegmentTask['routes']): Picker {
  const types = workload.map((w) => routedQueryType(w.queryType, routes[w.queryType]));
  const total = workload.reduce((s, w) => s + w.weight, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of workload) cdf.push((acc += w.weight / total));
  return {
    pick(rng) {
      const u = rng();
      for (let i = 0; i < cdf.length; i++) if (u < cdf[i]!) return types[i]!;
      return types[types.length - 1]!;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Sleeps until the clock reads `at` (µs): a timer may fire up to a millisecond early. */
async function sleepUntil(at: number): Promise<void> {
  while (nowMicros() < at) await sleep(Math.max(1, (at - nowMicros()) / 1000));
}

/** Waits for the next message of one kind from the main thread (or for a stop). */
class Inbox {
  private waiting: { type: MainToWorker['type']; resolve: (m: MainToWorker | undefined) => void } | undefined;
  private readonly received: MainToWorker[] = [];
  private stoppedFlag = false;
  constructor(port: MessagePort, onStop: () => void) {
    port.on('message', (m: MainToWorker) => {
      if (m.type === 'stop') {
        this.stoppedFlag = true;
        onStop();
        this.waiting?.resolve(undefined);
        this.waiting = undefined;
      } else if (this.waiting?.type === m.type) {
        this.waiting.resolve(m);
        this.waiting = undefined;
      } else this.received.push(m);
    });
  }
  /** The message, or undefined when the segment was stopped first. */
  next<T extends MainToWorker['type']>(type: T): Promise<Extract<MainToWorker, { type: T }> | undefined> {
    const i = this.received.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0] as Extract<MainToWorker, { type: T }>);
    if (this.stoppedFlag) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiting = { type, resolve: resolve as (m: MainToWorker | undefined) => void }));
  }
}

export async function runSegment(task: SegmentTask): Promise<WorkerResult> {
  const port = task.port;
  const errorMessages: Record<string, number> = {};
  let stopped = false;
  let fatal: string | undefined;
  let warmupOps = 0;
  const clients: pg.Client[] = [];
  const noteError = (err: unknown): void => {
    const msg = String((err as Error)?.message ?? err).slice(0, 160);
    if (msg in errorMessages || Object.keys(errorMessages).length < MAX_DISTINCT_ERRORS) errorMessages[msg] = (errorMessages[msg] ?? 0) + 1;
  };
  const stopAll = (reason?: string): void => {
    if (reason && !fatal) fatal = reason;
    if (stopped) return;
    stopped = true;
    for (const c of clients) destroyConnection(c);
  };
  const inbox = new Inbox(port, () => stopAll());
  const finish = (result: WorkerResult): WorkerResult => {
    port.postMessage({ type: 'done', workerIndex: task.workerIndex });
    port.close();
    return result;
  };

  try {
    for (let i = 0; i < task.connections; i++) clients.push(await openLoadConnection(task.client, task.schema, task.statementTimeoutMs));
  } catch (err) {
    for (const c of clients) destroyConnection(c);
    return finish({ workerIndex: task.workerIndex, fatal: `cannot open load connection: ${(err as Error).message}`, errorMessages, warmupOps });
  }
  port.postMessage({ type: 'ready', workerIndex: task.workerIndex, backendPids: clients.map((c) => (c as unknown as { processID: number }).processID) });
  const start = await inbox.next('start');
  if (stopped || !start) return finish({ workerIndex: task.workerIndex, fatal, errorMessages, warmupOps });

  const open = task.load.model === 'open';
  const picker = weightedPicker(task.workload, task.routes);
  const ctx = { totalRows: task.totalRows, sample: task.paramSample };

  /** Sends one operation; returns false when the connection is broken. */
  const execute = async (recorder: IntervalRecorder | null, client: pg.Client, q: QueryType, values: unknown[], interval: number, chargeFrom: number, late: boolean): Promise<boolean> => {
    recorder?.begin(interval);
    try {
      await leanQuery(client, `gb_${q.name}`, q.sql, values);
      const done = nowMicros();
      if (!recorder) warmupOps++;
      recorder?.success(interval, q.name, done - chargeFrom, late);
      return true;
    } catch (err) {
      const kind = classifyFailure(err);
      if (stopped) return false;
      noteError(err);
      if (kind === 'fatal') {
        recorder?.failure(interval, q.name, 'error');
        stopAll(`database connection lost: ${(err as Error).message}`);
        return false;
      }
      recorder?.failure(interval, q.name, kind);
      return true;
    }
  };

  // The parameter streams continue from the warmup into the measurement (one per connection, or
  // one per worker in the open model), so the measured operations are the same in every variant.
  const connectionRngs = clients.map((_, c) => seedrandom.alea(connectionStreamKey(task.paramSeed, task.repetition, task.streamIndex, c)));
  const openRng = seedrandom.alea(connectionStreamKey(task.paramSeed, task.repetition, task.streamIndex, 'open'));
  const phase = { clients, picker, ctx, execute, isStopped: () => stopped };

  await sleepUntil(start.warmupStartAt);
  if (start.warmupEndAt > start.warmupStartAt) {
    if (!open) await closedPhase(phase, null, start.warmupEndAt, connectionRngs);
    else await openPhase(phase, null, task, start.warmupStartAt, start.warmupEndAt, openRng, 'warmup-arrivals');
  }
  // Barrier: nothing in flight now; the main thread snapshots the evidence, then says when to measure.
  if (!stopped) port.postMessage({ type: 'drained', workerIndex: task.workerIndex });
  const measure = stopped ? undefined : await inbox.next('measure');
  if (stopped || !measure) return finish({ workerIndex: task.workerIndex, fatal, errorMessages, warmupOps });

  const recorder = new IntervalRecorder(task.variant, task.repetition, measure.measureStartAt, measure.measureEndAt, open);
  const flusher = setInterval(() => {
    for (const report of recorder.flushReady(nowMicros())) port.postMessage({ type: 'interval', report });
  }, FLUSH_EVERY_MS);
  // Not one operation early: it would be the client's warmup but inside the server's window.
  await sleepUntil(measure.measureStartAt);
  let lagEncoded: string | undefined;
  let schedule: WorkerResult['schedule'];
  if (!open) await closedPhase(phase, recorder, measure.measureEndAt, connectionRngs);
  else {
    const measured = await openPhase(phase, recorder, task, measure.measureStartAt, measure.measureEndAt, openRng, 'arrivals');
    lagEncoded = measured.lagEncoded;
    schedule = measured.schedule;
  }
  clearInterval(flusher);
  for (const report of recorder.flushAll()) port.postMessage({ type: 'interval', report });
  for (const c of clients) await c.end().catch(() => {});
  return finish({ workerIndex: task.workerIndex, fatal, errorMessages, warmupOps, lagEncoded, schedule });
}

interface Phase {
  readonly clients: readonly pg.Client[];
  readonly picker: Picker;
  readonly ctx: { totalRows: number };
  readonly execute: (recorder: IntervalRecorder | null, client: pg.Client, q: QueryType, values: unknown[], interval: number, chargeFrom: number, late: boolean) => Promise<boolean>;
  readonly isStopped: () => boolean;
}

/** Closed model until `endAt`: each connection sends its next operation when the last returned. */
async function closedPhase(p: Phase, recorder: IntervalRecorder | null, endAt: number, rngs: ReadonlyArray<() => number>): Promise<void> {
  await Promise.all(p.clients.map(async (client, c) => {
    const rng = rngs[c]!;
    while (!p.isStopped()) {
      const q = p.picker.pick(rng);
      const values = q.params(rng, p.ctx);
      const t0 = nowMicros();
      if (t0 >= endAt) break;
      if (!(await p.execute(recorder, client, q, values, recorder ? recorder.intervalOf(t0) : -1, t0, false))) break;
    }
  }));
}

/**
 * Open model from `startAt` to `endAt` on a seeded arrival schedule; an arrival that finds no free
 * connection waits, and its latency counts from the intended time. Returns the schedule counters
 * (meaningful for the measurement phase). Ends with nothing in flight.
 */
async function openPhase(p: Phase, recorder: IntervalRecorder | null, task: SegmentTask, startAt: number, endAt: number, rng: () => number, seedTag: string): Promise<{ lagEncoded: string; schedule: NonNullable<WorkerResult['schedule']> }> {
  const plan = task.load;
  if (plan.model !== 'open') throw new Error('unreachable');
  const intervalOf = (at: number): number => (recorder ? recorder.intervalOf(at) : -1);
  const lag = createLatencyHistogram();
  const scheduler = new OpenScheduler({
    ratePerSec: task.rateShare,
    arrival: plan.arrival,
    seed: connectionStreamKey(task.paramSeed, task.repetition, task.streamIndex, seedTag),
    startAt: asMicros(startAt),
    endAt: asMicros(endAt),
    lateAfter: asMicros(plan.lateAfterMs * 1000),
    ...(plan.skipAfterMs !== undefined ? { skipAfter: asMicros(plan.skipAfterMs * 1000) } : {}),
  });
  const idle = [...p.clients];
  const inFlight = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  const measuredLag = { intended: 0, sent: 0, skipped: 0, late: 0, completed: 0 };
  for (;;) {
    if (p.isStopped()) break;
    const client = idle.pop();
    if (!client) {
      await new Promise<void>((r) => (wake = r)); // a connection frees up
      continue;
    }
    const now = nowMicros();
    if (now >= endAt) {
      idle.push(client);
      break;
    }
    const step = scheduler.next(asMicros(now));
    if (step.kind === 'done') break;
    if (step.kind === 'wait') {
      idle.push(client);
      await Promise.race([sleep((step.untilAt - nowMicros()) / 1000), new Promise<void>((r) => (wake = r))]);
      continue;
    }
    const q = p.picker.pick(rng);
    const values = q.params(rng, p.ctx);
    const interval = intervalOf(step.intendedAt);
    if (interval >= 0) measuredLag.intended++;
    if (step.kind === 'skip') {
      idle.push(client);
      recorder?.dropped(interval, q.name);
      if (interval >= 0) measuredLag.skipped++;
      continue;
    }
    const send: SendStep = step;
    if (interval >= 0) {
      recordMicros(lag, send.lag);
      measuredLag.sent++;
      if (send.late) measuredLag.late++;
    }
    const op = p.execute(recorder, client, q, values, interval, send.intendedAt, send.late).then((ok) => {
      scheduler.complete(send, asMicros(nowMicros()));
      if (interval >= 0) measuredLag.completed++;
      if (ok) idle.push(client);
      inFlight.delete(op);
      wake?.();
    });
    inFlight.add(op);
  }
  // Arrivals intended inside the window that were never sent by its end (the backlog of a
  // server that could not keep up) are counted as dropped, not silently forgotten.
  for (let step = scheduler.next(asMicros(endAt)); !p.isStopped() && (step.kind === 'send' || step.kind === 'skip'); step = scheduler.next(asMicros(endAt))) {
    const q = p.picker.pick(rng);
    q.params(rng, p.ctx);
    const interval = intervalOf(step.intendedAt);
    recorder?.dropped(interval, q.name);
    if (interval >= 0) {
      measuredLag.intended++;
      measuredLag.skipped++;
    }
  }
  await Promise.all(inFlight);
  return { lagEncoded: encodeHistogram(lag), schedule: measuredLag };
}
