import { MessageChannel } from 'node:worker_threads';
import type { IntervalReport } from '../metrics/timeline.ts';
import { createWorkerPool, type WorkerPool } from '../runtime/pool.ts';
import type { RunPlan, Segment } from './plan.ts';
import type { PreparedVariant } from './prepare.ts';
import { withClient } from '../db/connect.ts';
import { readParamSample } from '../dataset/param-sample.ts';
import { nowMicros, type MainToWorker, type SegmentTask, type WorkerResult, type WorkerToMain } from './protocol.ts';

/** Hooks the runner calls around each measurement window (evidence snapshots, progress). */
export interface SegmentHooks {
  /** May return the agreed measurement start (local µs), e.g. a shard's start agreed with the others. */
  onMeasureStart(segment: Segment): Promise<number | void>;
  onMeasureEnd(segment: Segment): Promise<void>;
  onReport(segment: Segment, report: IntervalReport): void;
  onTick(segment: Segment, phase: 'warmup' | 'measure', elapsedSec: number): void;
}

export interface SegmentOutcome {
  readonly segment: Segment;
  readonly measureStartAt: number;
  readonly measureEndAt: number;
  /** Seconds actually measured (shorter when the segment was stopped). */
  readonly measuredSec: number;
  readonly workers: WorkerResult[];
  readonly backendPids: number[];
  readonly stoppedEarly: string | undefined;
}

const START_DELAY_US = 200_000;
/** From the "before" snapshot to the first measured operation: time for the message to reach every worker. */
const MEASURE_DELAY_US = 20_000;

/** Resolves `all` once every worker index has ticked (each counts once). */
class Countdown {
  private readonly seen = new Set<number>();
  private resolve!: () => void;
  readonly all = new Promise<void>((r) => (this.resolve = r));
  constructor(private readonly size: number) {
    if (size === 0) this.resolve();
  }
  tick(workerIndex: number): void {
    this.seen.add(workerIndex);
    if (this.seen.size >= this.size) this.resolve();
  }
}

/**
 * Executes the plan's segments in order on a piscina pool, one task per worker per segment:
 * warmup, barrier (all workers idle: onMeasureStart snapshots), measurement, onMeasureEnd.
 * Stops every worker within seconds when asked (Ctrl-C) or when one reports a broken connection.
 */
export class SegmentRunner {
  private readonly pool: WorkerPool;
  private readonly ports = new Set<MessageChannel['port1']>();
  private stopReason: string | undefined;

  constructor(private readonly plan: RunPlan) {
    this.pool = createWorkerPool(new URL('./worker.ts', import.meta.url), plan.workerConnections.length);
  }

  /** Asks running workers to stop now; the current segment ends with what it has. */
  stop(reason: string): void {
    this.stopReason ??= reason;
    for (const port of this.ports) port.postMessage({ type: 'stop', reason } satisfies MainToWorker);
  }

  get stopped(): string | undefined {
    return this.stopReason;
  }

  /** `override` replaces the plan's load model or duration for this segment only (stress steps change the rate). */
  async run(segment: Segment, variant: PreparedVariant, hooks: SegmentHooks, override: { load?: RunPlan['load']; durationSec?: number } = {}): Promise<SegmentOutcome> {
    const plan = { ...this.plan, ...override };
    const load = plan.load;
    const workers = plan.workerConnections.length;
    const paramSample = await withClient(variant.target, (c) => readParamSample(c, variant.schema));
    const channels = plan.workerConnections.map(() => new MessageChannel());
    const pids: number[] = [];
    const ready = new Countdown(workers);
    const drained = new Countdown(workers);
    const done = new Countdown(workers);
    let measureStartAt = 0;
    let measureEndAt = 0;
    channels.forEach((ch) => {
      this.ports.add(ch.port1);
      ch.port1.on('message', (m: WorkerToMain) => {
        if (m.type === 'ready') {
          pids.push(...m.backendPids);
          ready.tick(m.workerIndex);
        } else if (m.type === 'drained') drained.tick(m.workerIndex);
        else if (m.type === 'done') done.tick(m.workerIndex);
        else hooks.onReport(segment, m.report);
      });
    });
    const tasks = plan.workerConnections.map((connections, workerIndex) => {
      const task: SegmentTask = {
        client: variant.target.client,
        schema: variant.schema,
        workerIndex,
        streamIndex: (plan.streamIndexBase ?? 0) + workerIndex,
        connections,
        workload: plan.workload,
        routes: plan.variants.find((v) => v.name === segment.variant)?.routes ?? {},
        load,
        rateShare: load.model === 'open' ? (load.rate * connections) / load.connections : 0,
        statementTimeoutMs: plan.statementTimeoutMs,
        paramSeed: plan.paramSeed,
        repetition: segment.repetition,
        variant: segment.variant,
        totalRows: plan.dataset.totalRows,
        paramSample,
        port: channels[workerIndex]!.port2,
      };
      // A worker that ended (failed to connect, lost its connection) must not leave the others
      // waiting at a barrier; its 'done' message still closes its port in order.
      const settle = (): void => {
        ready.tick(workerIndex);
        drained.tick(workerIndex);
      };
      return this.pool.runTransfer<WorkerResult>('runSegment', task, [channels[workerIndex]!.port2]).then((result) => {
        if (result.fatal) this.stop(result.fatal);
        settle();
        return result;
      }, (err: unknown) => {
        this.stop(`worker ${workerIndex} crashed: ${(err as Error).message}`);
        settle();
        done.tick(workerIndex); // a crashed thread sends nothing more
        return { workerIndex, fatal: `worker crashed: ${(err as Error).message}`, errorMessages: {}, warmupOps: 0 } satisfies WorkerResult;
      });
    });
    if (this.stopReason) this.stop(this.stopReason);

    await ready.all;
    let ticker: NodeJS.Timeout | undefined;
    if (!this.stopReason) {
      const warmupStartAt = nowMicros() + START_DELAY_US;
      const warmupEndAt = warmupStartAt + plan.warmupSec * 1e6;
      for (const ch of channels) ch.port1.postMessage({ type: 'start', warmupStartAt, warmupEndAt } satisfies MainToWorker);
      ticker = setInterval(() => {
        const now = nowMicros();
        if (measureStartAt === 0) hooks.onTick(segment, 'warmup', Math.max(0, now - warmupStartAt) / 1e6);
        else hooks.onTick(segment, 'measure', Math.min(plan.durationSec, Math.max(0, now - measureStartAt) / 1e6));
      }, 1000);
      await drained.all;
      if (!this.stopReason) {
        // Every connection is idle: the "before" snapshot sees exactly the warmup, nothing of the window.
        const agreedStart = await hooks.onMeasureStart(segment).catch(() => undefined);
        if (!this.stopReason) {
          measureStartAt = typeof agreedStart === 'number' ? agreedStart : nowMicros() + MEASURE_DELAY_US;
          measureEndAt = measureStartAt + plan.durationSec * 1e6;
          for (const ch of channels) ch.port1.postMessage({ type: 'measure', measureStartAt, measureEndAt } satisfies MainToWorker);
        }
      }
    }
    const results = await Promise.all(tasks);
    if (ticker) clearInterval(ticker);
    // Interval reports travel on the segment's port, the result on piscina's channel: wait for
    // each worker's last message so no report is lost when the port closes (bounded, in case).
    await Promise.race([done.all, new Promise((r) => setTimeout(r, 5_000).unref())]);
    const endedAt = Math.min(nowMicros(), measureEndAt);
    if (measureStartAt > 0 && nowMicros() >= measureStartAt) await hooks.onMeasureEnd(segment).catch(() => {});
    for (const ch of channels) {
      this.ports.delete(ch.port1);
      ch.port1.close();
    }
    const measuredSec = measureStartAt > 0 ? Math.max(0, (endedAt - measureStartAt) / 1e6) : 0;
    return { segment, measureStartAt, measureEndAt, measuredSec, workers: results, backendPids: pids, stoppedEarly: this.stopReason };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
