/**
 * Load worker (piscina thread): runs one segment on its share of the connections and streams
 * per-second interval histograms to the main thread. Closed model: each connection sends its
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
import { nowMicros, type MainToWorker, type SegmentTask, type StartMessage, type WorkerResult } from './protocol.ts';

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

  let resolveStart!: (m: StartMessage) => void;
  const started = new Promise<StartMessage>((r) => (resolveStart = r));
  port.on('message', (m: MainToWorker) => {
    if (m.type === 'start') resolveStart(m);
    else if (m.type === 'stop') {
      stopAll();
      resolveStart({ type: 'start', warmupStartAt: 0, measureStartAt: 0, measureEndAt: 0 });
    }
  });

  try {
    for (let i = 0; i < task.connections; i++) clients.push(await openLoadConnection(task.client, task.schema, task.statementTimeoutMs));
  } catch (err) {
    for (const c of clients) destroyConnection(c);
    port.close();
    return { workerIndex: task.workerIndex, fatal: `cannot open load connection: ${(err as Error).message}`, errorMessages, warmupOps };
  }
  port.postMessage({ type: 'ready', workerIndex: task.workerIndex, backendPids: clients.map((c) => (c as unknown as { processID: number }).processID) });
  const start = await started;
  if (stopped) {
    port.close();
    return { workerIndex: task.workerIndex, fatal, errorMessages, warmupOps };
  }

  const open = task.load.model === 'open';
  const recorder = new IntervalRecorder(task.variant, task.repetition, start.measureStartAt, start.measureEndAt, open);
  const picker = weightedPicker(task.workload, task.routes);
  const ctx = { totalRows: task.totalRows };
  const flusher = setInterval(() => {
    for (const report of recorder.flushReady(nowMicros())) port.postMessage({ type: 'interval', report });
  }, FLUSH_EVERY_MS);

  /** Sends one operation; returns false when the connection is broken. */
  const execute = async (client: pg.Client, q: QueryType, values: unknown[], interval: number, chargeFrom: number, late: boolean): Promise<boolean> => {
    recorder.begin(interval);
    try {
      await leanQuery(client, `gb_${q.name}`, q.sql, values);
      const done = nowMicros();
      if (interval < 0) warmupOps++;
      recorder.success(interval, q.name, done - chargeFrom, late);
      return true;
    } catch (err) {
      const kind = classifyFailure(err);
      if (stopped) return false;
      noteError(err);
      if (kind === 'fatal') {
        recorder.failure(interval, q.name, 'error');
        stopAll(`database connection lost: ${(err as Error).message}`);
        return false;
      }
      recorder.failure(interval, q.name, kind);
      return true;
    }
  };

  let lagEncoded: string | undefined;
  let schedule: WorkerResult['schedule'];
  await sleep((start.warmupStartAt - nowMicros()) / 1000);
  if (!open) {
    await Promise.all(clients.map(async (client, c) => {
      const rng = seedrandom.alea(`${task.paramSeed}:${task.repetition}:${task.workerIndex}:${c}`);
      while (!stopped) {
        const q = picker.pick(rng);
        const values = q.params(rng, ctx);
        const t0 = nowMicros();
        if (t0 >= start.measureEndAt) break;
        if (!(await execute(client, q, values, recorder.intervalOf(t0), t0, false))) break;
      }
    }));
  } else {
    const plan = task.load;
    if (plan.model !== 'open') throw new Error('unreachable');
    const lag = createLatencyHistogram();
    const rng = seedrandom.alea(`${task.paramSeed}:${task.repetition}:${task.workerIndex}:open`);
    const scheduler = new OpenScheduler({
      ratePerSec: task.rateShare,
      arrival: plan.arrival,
      seed: `${task.paramSeed}:${task.repetition}:${task.workerIndex}:arrivals`,
      startAt: asMicros(start.warmupStartAt),
      endAt: asMicros(start.measureEndAt),
      lateAfter: asMicros(plan.lateAfterMs * 1000),
      ...(plan.skipAfterMs !== undefined ? { skipAfter: asMicros(plan.skipAfterMs * 1000) } : {}),
    });
    const idle = [...clients];
    const inFlight = new Set<Promise<void>>();
    let wake: (() => void) | undefined;
    const measuredLag = { intended: 0, sent: 0, skipped: 0, late: 0, completed: 0 };
    for (;;) {
      if (stopped) break;
      const client = idle.pop();
      if (!client) {
        await new Promise<void>((r) => (wake = r)); // a connection frees up
        continue;
      }
      const now = nowMicros();
      if (now >= start.measureEndAt) {
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
      const q = picker.pick(rng);
      const values = q.params(rng, ctx);
      const interval = recorder.intervalOf(step.intendedAt);
      if (interval >= 0) measuredLag.intended++;
      if (step.kind === 'skip') {
        idle.push(client);
        recorder.dropped(interval, q.name);
        if (interval >= 0) measuredLag.skipped++;
        continue;
      }
      const send: SendStep = step;
      if (interval >= 0) {
        recordMicros(lag, send.lag);
        measuredLag.sent++;
        if (send.late) measuredLag.late++;
      }
      const op = execute(client, q, values, interval, send.intendedAt, send.late).then((ok) => {
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
    for (let step = scheduler.next(asMicros(start.measureEndAt)); !stopped && (step.kind === 'send' || step.kind === 'skip'); step = scheduler.next(asMicros(start.measureEndAt))) {
      const q = picker.pick(rng);
      q.params(rng, ctx);
      const interval = recorder.intervalOf(step.intendedAt);
      recorder.dropped(interval, q.name);
      if (interval >= 0) {
        measuredLag.intended++;
        measuredLag.skipped++;
      }
    }
    await Promise.all(inFlight);
    lagEncoded = encodeHistogram(lag);
    schedule = measuredLag;
  }
  clearInterval(flusher);
  for (const report of recorder.flushAll()) port.postMessage({ type: 'interval', report });
  for (const c of clients) await c.end().catch(() => {});
  port.close();
  return { workerIndex: task.workerIndex, fatal, errorMessages, warmupOps, lagEncoded, schedule };
}
