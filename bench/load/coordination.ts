import type { IntervalReport } from '../metrics/timeline.ts';
import type { RunResult } from '../formats/run-result.ts';
import type { Segment } from './plan.ts';
import type { SegmentOutcome } from './runner.ts';
import type { PreparedVariant } from './prepare.ts';

/**
 * How one process of a distributed run (a shard) agrees with the others. executeRun calls it at
 * the few points where shards must meet — never per operation: before preparing the variants,
 * at each segment's barrier, after each segment, and at the end. Implemented by bench/shard/.
 */
export interface RunCoordination {
  /** The coordinator prepares variants, takes the server-side evidence and captures the plans. */
  readonly isCoordinator: boolean;
  /** Runs `prepare`: the coordinator first; every other shard waits until it has finished. */
  prepared(prepare: () => Promise<PreparedVariant[]>): Promise<PreparedVariant[]>;
  /**
   * At a segment's barrier (this process's workers drained): the local time (µs) at which to start
   * measuring, agreed with the other shards. The coordinator runs `takeEvidence` once every shard
   * is drained. Throws when the run cannot go on (barrier timeout, coordinator gone).
   */
  measureStart(segment: Segment, takeEvidence: () => Promise<void>): Promise<number>;
  /** After a segment: stores this shard's part; the coordinator waits for the others' parts. */
  segmentDone(segment: Segment, outcome: SegmentOutcome, reports: readonly IntervalReport[]): Promise<void>;
  /**
   * After the coordinator's "after" evidence and clean-up of a segment: the coordinator says so,
   * the others wait for it, so no shard's next warmup lands in the previous segment's evidence.
   */
  segmentClosed(segment: Segment, measured: boolean): Promise<void>;
  /** The end of the run: stores this shard's result (the coordinator's with evidence and plans). */
  finish(result: RunResult, outDir: string): Promise<void>;
}
