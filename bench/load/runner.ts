import { MessageChannel } from 'node:worker_threads';
import type { IntervalReport } from '../metrics/timeline.ts';
import { createWorkerPool, type WorkerPool } from '../runtime/pool.ts';
import type { RunPlan, Segment } from './plan.ts';
import type { PreparedVariant } from './prepare.ts';
import { nowMicros, type MainToWorker, type SegmentTask, type WorkerResult, type WorkerToMain } from './protocol.ts';

/** Hooks the runner calls around each measurement window (evidence snapshots, progress). */
export interface SegmentHooks {
  onMeasureStart(segment: Segment): Promise<void>;
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

/**
 * Executes the plan's segments in order on a piscina pool, one task per worker per segment.
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

  async run(segment: Segment, variant: PreparedVariant, hooks: SegmentHooks): Promise<SegmentOutcome> {
    const plan = this.plan;
    const workers = plan.workerConnections.length;
    const channels = plan.workerConnections.map(() => new MessageChannel());
    const ready: number[] = [];
    const pids: number[] = [];
    let allReady!: () => void;
    const readyPromise = new Promise<void>((r) => (allReady = r));
    let measureStartAt = 0;
    let measureEndAt = 0;
    channels.forEach((ch) => {
      this.ports.add(ch.port1);
      ch.port1.on('message', (m: WorkerToMain) => {
        if (m.type === 'ready') {
          ready.push(m.workerIndex);
          pids.push(...m.backendPids);
          if (ready.length === workers) allReady();
        } else hooks.onReport(segment, m.report);
      });
    });
    const tasks = plan.workerConnections.map((connections, workerIndex) => {
      const task: SegmentTask = {
        client: variant.target.client,
        schema: variant.schema,
        workerIndex,
        connections,
        workload: plan.workload,
        routes: plan.variants.find((v) => v.name === segment.variant)?.routes ?? {},
        load: plan.load,
        rateShare: plan.load.model === 'open' ? (plan.load.rate * connections) / plan.load.connections : 0,
        statementTimeoutMs: plan.statementTimeoutMs,
        paramSeed: plan.paramSeed,
        repetition: segment.repetition,
        variant: segment.variant,
        totalRows: plan.dataset.totalRows,
        port: channels[workerIndex]!.port2,
      };
      return this.pool.runTransfer<WorkerResult>('runSegment', task, [channels[workerIndex]!.port2]).then((result) => {
        if (result.fatal) this.stop(result.fatal);
        allReady(); // a worker that failed to connect must not leave the others waiting
        return result;
      }, (err: unknown) => {
        this.stop(`worker ${workerIndex} crashed: ${(err as Error).message}`);
        allReady();
        return { workerIndex, fatal: `worker crashed: ${(err as Error).message}`, errorMessages: {}, warmupOps: 0 } satisfies WorkerResult;
      });
    });
    if (this.stopReason) this.stop(this.stopReason);

    await readyPromise;
    let ticker: NodeJS.Timeout | undefined;
    let measureTimer: NodeJS.Timeout | undefined;
    let measureStarted: Promise<void> = Promise.resolve();
    if (!this.stopReason) {
      const warmupStartAt = nowMicros() + START_DELAY_US;
      measureStartAt = warmupStartAt + plan.warmupSec * 1e6;
      measureEndAt = measureStartAt + plan.durationSec * 1e6;
      for (const ch of channels) ch.port1.postMessage({ type: 'start', warmupStartAt, measureStartAt, measureEndAt } satisfies MainToWorker);
      measureTimer = setTimeout(() => {
        measureStarted = hooks.onMeasureStart(segment).catch(() => {});
      }, Math.max(0, (measureStartAt - nowMicros()) / 1000));
      ticker = setInterval(() => {
        const now = nowMicros();
        if (now < measureStartAt) hooks.onTick(segment, 'warmup', (now - warmupStartAt) / 1e6);
        else hooks.onTick(segment, 'measure', Math.min(plan.durationSec, (now - measureStartAt) / 1e6));
      }, 1000);
    }
    const results = await Promise.all(tasks);
    if (ticker) clearInterval(ticker);
    if (measureTimer) clearTimeout(measureTimer);
    await measureStarted;
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
