/**
 * Scheduler of the open (rate-based) load model, as pure logic driven by a
 * caller-supplied clock.
 *
 * Ops have an *intended* send time fixed by the arrival process, independent
 * of how fast the database answers. Latency is charged from that intended
 * time (the coordinated-omission rule of wrk2 and `pgbench -R`), so when the
 * system stalls, the ops that should have been sent during the stall carry
 * their waiting time in their latency instead of silently disappearing.
 *
 * All times are {@link Micros} on the caller's monotonic clock (e.g.
 * `performance.now() * 1000`); fractional µs are kept, the histogram rounds.
 */
import seedrandom from 'seedrandom';
import { asMicros, type Micros } from '../metrics/histogram.ts';

/** Arrival process: Poisson (exponential gaps, realistic independent clients) or uniform (fixed gaps, like wrk2). */
export type ArrivalKind = 'poisson' | 'uniform';

/** How intended send times are generated. */
export interface ArrivalOptions {
  /** Target rate, ops per second (> 0). */
  ratePerSec: number;
  arrival: ArrivalKind;
  /** Seed of the alea PRNG (used by 'poisson'), so a schedule is reproducible. */
  seed: string;
}

/**
 * Returns a generator of intended send offsets from schedule start, in µs.
 * The first op is at offset 0. Uniform offsets are k × 10⁶/rate (computed,
 * not accumulated, so no float drift); Poisson offsets accumulate
 * exponential gaps with mean 10⁶/rate drawn from alea(seed).
 */
export function createArrivals(options: ArrivalOptions): () => Micros {
  const { ratePerSec, arrival } = options;
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) {
    throw new Error(`ratePerSec must be a positive finite number, got ${ratePerSec}`);
  }
  const meanGap = 1_000_000 / ratePerSec;
  let k = 0;
  if (arrival === 'uniform') return () => asMicros(k++ * meanGap);
  if (arrival !== 'poisson') throw new Error(`unknown arrival kind "${String(arrival)}" (expected poisson or uniform)`);
  const rng = seedrandom.alea(options.seed);
  let offset = 0;
  return () => {
    const current = offset;
    // rng() ∈ [0, 1), so 1 − rng() ∈ (0, 1] and the log is finite.
    offset += -Math.log(1 - rng()) * meanGap;
    return asMicros(current);
  };
}

/** The first `count` intended send offsets (µs from schedule start). */
export function intendedOffsets(options: ArrivalOptions, count: number): Micros[] {
  const nextOffset = createArrivals(options);
  return Array.from({ length: count }, () => nextOffset());
}

/** Latency accounting of one completed op, all in µs. */
export interface ChargedLatency {
  /** completedAt − intendedAt: what the histogram records. */
  latency: Micros;
  /** startedAt − intendedAt: how far behind schedule the op was sent. */
  lag: Micros;
  /** completedAt − startedAt: what a closed-loop (coordinated-omission-prone) tool would report. */
  service: Micros;
}

/**
 * Charges an op's latency from its intended send time.
 * @throws if completion precedes start, or start precedes the intended time
 *   (this scheduler never sends early, so either means a clock mix-up).
 */
export function chargeLatency(intendedAt: Micros, startedAt: Micros, completedAt: Micros): ChargedLatency {
  if (startedAt < intendedAt) throw new Error(`op started at ${startedAt} µs, before its intended time ${intendedAt} µs`);
  if (completedAt < startedAt) throw new Error(`op completed at ${completedAt} µs, before it started at ${startedAt} µs`);
  return {
    latency: asMicros(completedAt - intendedAt),
    lag: asMicros(startedAt - intendedAt),
    service: asMicros(completedAt - startedAt),
  };
}

/** Options of an {@link OpenScheduler}. */
export interface OpenSchedulerOptions extends ArrivalOptions {
  /** Clock reading at which op 0 is intended. */
  startAt: Micros;
  /** An op sent with lag > lateAfter counts as late (it is still sent and recorded). */
  lateAfter: Micros;
  /**
   * pgbench `--latency-limit` skipping: an op whose lag already exceeds this
   * when the scheduler reaches it is skipped — never sent, not recorded,
   * counted as dropped. Undefined: never skip.
   */
  skipAfter?: Micros;
  /** Stop after this many intended ops. */
  maxOps?: number;
  /** Stop at the first op intended at or after this clock reading. */
  endAt?: Micros;
}

/** Send op `seq` now; pass this step back to {@link OpenScheduler.complete}. */
export interface SendStep {
  kind: 'send';
  seq: number;
  intendedAt: Micros;
  startedAt: Micros;
  lag: Micros;
  late: boolean;
}

/** What the worker loop should do next. */
export type ScheduleStep =
  | SendStep
  | { kind: 'wait'; untilAt: Micros }
  | { kind: 'skip'; seq: number; intendedAt: Micros; lag: Micros }
  | { kind: 'done' };

/** Running counters. `intended` = sent + skipped; sent − completed are in flight. */
export interface ScheduleStats {
  intended: number;
  sent: number;
  skipped: number;
  late: number;
  completed: number;
}

/**
 * Open-model scheduler state machine. A worker loop calls `next(now)` and
 * obeys: `send` → issue the op (without waiting for earlier ones if it has
 * spare connections) and later call `complete`; `wait` → sleep until
 * `untilAt`, then call `next` again; `skip` → count it as dropped and call
 * `next` again; `done` → stop. `next` never sends an op before its intended
 * time, and hands out every overdue op one call at a time.
 */
export class OpenScheduler {
  private readonly nextOffset: () => Micros;
  private readonly opts: OpenSchedulerOptions;
  private seq = 0;
  private pendingAt: Micros;
  private readonly counters: ScheduleStats = { intended: 0, sent: 0, skipped: 0, late: 0, completed: 0 };

  constructor(options: OpenSchedulerOptions) {
    for (const [name, v] of [['lateAfter', options.lateAfter], ['skipAfter', options.skipAfter]] as const) {
      if (v !== undefined && !(v >= 0)) throw new Error(`${name} must be >= 0 µs, got ${v}`);
    }
    if (options.maxOps !== undefined && !(Number.isInteger(options.maxOps) && options.maxOps >= 0)) {
      throw new Error(`maxOps must be a non-negative integer, got ${options.maxOps}`);
    }
    this.opts = options;
    this.nextOffset = createArrivals(options);
    this.pendingAt = this.intendedAtOf(this.nextOffset());
  }

  /** Decides the next action at clock reading `now` (µs). Advances only on send/skip. */
  next(now: Micros): ScheduleStep {
    const { maxOps, endAt, skipAfter, lateAfter } = this.opts;
    if ((maxOps !== undefined && this.seq >= maxOps) || (endAt !== undefined && this.pendingAt >= endAt)) {
      return { kind: 'done' };
    }
    const intendedAt = this.pendingAt;
    if (now < intendedAt) return { kind: 'wait', untilAt: intendedAt };
    const seq = this.seq++;
    this.pendingAt = this.intendedAtOf(this.nextOffset());
    this.counters.intended++;
    const lag = asMicros(now - intendedAt);
    if (skipAfter !== undefined && lag > skipAfter) {
      this.counters.skipped++;
      return { kind: 'skip', seq, intendedAt, lag };
    }
    const late = lag > lateAfter;
    this.counters.sent++;
    if (late) this.counters.late++;
    return { kind: 'send', seq, intendedAt, startedAt: now, lag, late };
  }

  /** Records the completion of a sent op; returns the latency to record (from the intended time). */
  complete(step: SendStep, completedAt: Micros): ChargedLatency {
    const charged = chargeLatency(step.intendedAt, step.startedAt, completedAt);
    this.counters.completed++;
    return charged;
  }

  /** A snapshot of the counters. */
  stats(): ScheduleStats {
    return { ...this.counters };
  }

  private intendedAtOf(offset: Micros): Micros {
    return asMicros(this.opts.startAt + offset);
  }
}
