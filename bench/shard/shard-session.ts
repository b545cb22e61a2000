import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { connect } from '../db/connect.ts';
import type { DbTarget } from '../db/target.ts';
import type { RunCoordination } from '../load/coordination.ts';
import type { RunPlan, Segment } from '../load/plan.ts';
import type { PreparedVariant } from '../load/prepare.ts';
import type { SegmentOutcome } from '../load/runner.ts';
import { nowMicros } from '../load/protocol.ts';
import type { IntervalReport } from '../metrics/timeline.ts';
import type { RunResult } from '../formats/run-result.ts';
import { measureClockOffset, serverClockSample, type ClockOffset } from './clock.ts';
import * as store from './coord-store.ts';
import { SHARD_FILE, type CoordinatorPart, type ShardRecord, type ShardSegmentPart } from './shard-record.ts';
import { shardSignature } from './signature.ts';
import type { ShardSpec } from './shard-spec.ts';
import { BarrierWait } from './barrier-wait.ts';
import { makeDirs } from '../core/output-dir.ts';

export interface ShardSessionOptions {
  readonly server: DbTarget;
  readonly runId: string;
  readonly shard: ShardSpec;
  /** The whole run's plan and this shard's part of it. */
  readonly plan: RunPlan;
  readonly shardPlan: RunPlan;
  readonly geobenchVersion: string;
  /** How long a barrier waits for a shard that has not arrived (s). */
  readonly barrierTimeoutSec: number;
  /** This shard's own result folder; shard.json is kept current there. */
  readonly outDir: string;
  readonly log: (line: string) => void;
}

/** Time from the coordinator's decision to the agreed start: room for every shard to hear of it. */
const START_LEAD_US = 300_000;
/** Every coordination query gives up after this, so a shard that lost the database stops well within 10 s. */
const COORD_QUERY_TIMEOUT_MS = 4_000;

/**
 * One shard's side of a distributed run (see RunCoordination): joins the run in geobench_coord,
 * holds its liveness lock, measures its clock offset to the server, meets the other shards at
 * every segment's barrier, stores its histograms and counters per segment, and keeps shard.json
 * in its own folder. The coordinator (shard 0) also waits for the others and stores the evidence.
 */
export class ShardSession implements RunCoordination {
  private record: ShardRecord;
  private readonly parts: ShardSegmentPart[] = [];
  private readonly excluded = new Set<number>();
  private clock: ClockOffset;
  private current: { agreedStartAt: number; observed: Promise<number | null> } | undefined;

  private constructor(private readonly o: ShardSessionOptions, private readonly client: pg.Client, clock: ClockOffset) {
    this.clock = clock;
    const load = o.shardPlan.load;
    this.record = {
      runId: o.runId, index: o.shard.index, count: o.shard.count,
      signature: shardSignature(o.plan, o.shard.count, o.geobenchVersion, null),
      plan: o.plan, connections: load.connections, offeredRate: load.model === 'open' ? load.rate : null,
      clock: { offsetMicros: clock.offsetMicros, rttMicros: clock.rttMicros },
      finished: false, status: null, statusReason: null, finishedAt: null, segments: [], coordinator: null,
    };
  }

  /** Joins run `runId` as this shard; refuses (exit 2) a shard index that is already running or ran. */
  static async open(o: ShardSessionOptions): Promise<ShardSession> {
    const target: DbTarget = { ...o.server, client: { ...o.server.client, query_timeout: COORD_QUERY_TIMEOUT_MS, keepAlive: true } };
    const client = await connect(target, `geobench-shard-${o.shard.index}`);
    try {
      await store.ensureCoordSchema(client);
      await store.createRun(client, o.runId, o.shard.count);
      const run = await client.query<{ shard_count: number }>(`SELECT shard_count FROM ${store.COORD_SCHEMA}.runs WHERE run_id = $1`, [o.runId]);
      if (run.rows[0]!.shard_count !== o.shard.count) throw new GeobenchError(`run ${o.runId} has ${run.rows[0]!.shard_count} shards, this shard was started as one of ${o.shard.count}`, { exitCode: 2 });
      if (!(await store.lockShard(client, o.runId, o.shard.index))) throw new GeobenchError(`shard ${o.shard.index} of run ${o.runId} is already running in another process`, { exitCode: 2 });
      const session = new ShardSession(o, client, await measureClockOffset(client));
      if (!(await store.joinShard(client, session.record))) {
        throw new GeobenchError(`shard ${o.shard.index} already joined run ${o.runId} once (a restarted pod?): start the run again under a new --run-id`, { exitCode: 2 });
      }
      session.writeFolder();
      o.log(`shard ${o.shard.index}/${o.shard.count} joined run ${o.runId}: clock offset to the server ${(session.clock.offsetMicros / 1000).toFixed(2)} ms (round trip ${(session.clock.rttMicros / 1000).toFixed(2)} ms)`);
      return session;
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
  }

  get isCoordinator(): boolean {
    return this.o.shard.index === 0;
  }

  private wait(): BarrierWait {
    return new BarrierWait(this.client, this.o.runId, this.o.barrierTimeoutSec);
  }

  async prepared(prepare: () => Promise<PreparedVariant[]>): Promise<PreparedVariant[]> {
    if (this.isCoordinator) {
      try {
        const prepared = await prepare();
        await this.noteChecksum(prepared);
        await store.markPrepared(this.client, this.o.runId, null);
        return prepared;
      } catch (err) {
        await store.markPrepared(this.client, this.o.runId, (err as Error).message).catch(() => {});
        throw err;
      }
    }
    this.o.log(`shard ${this.o.shard.index}: waiting for the coordinator (shard 0) to prepare the variants`);
    await this.wait().forCoordinator(async () => {
      const state = await store.preparedState(this.client, this.o.runId);
      if (state.error) throw new GeobenchError(`the coordinator (shard 0) could not prepare the variants: ${state.error}`);
      return state.prepared;
    }, 'to prepare the variants');
    const prepared = await prepare(); // finds every schema ready: reuses it
    await this.noteChecksum(prepared);
    return prepared;
  }

  private async noteChecksum(prepared: readonly PreparedVariant[]): Promise<void> {
    const checksum = prepared[0]?.manifest.checksum?.hash ?? null;
    this.record = { ...this.record, signature: shardSignature(this.o.plan, this.o.shard.count, this.o.geobenchVersion, checksum) };
    await store.saveShardRecord(this.client, this.record);
    this.writeFolder();
  }

  async measureStart(segment: Segment, takeEvidence: () => Promise<void>): Promise<number> {
    this.clock = await measureClockOffset(this.client);
    await store.markReady(this.client, this.o.runId, segment.index, this.o.shard.index);
    let agreedStartAt: number;
    if (this.isCoordinator) {
      const arrived = await this.wait().forShards(this.o.shard.count, this.excluded, async () => (await store.segmentShards(this.client, this.o.runId, segment.index)).ready);
      for (const s of arrived.missing) {
        this.excluded.add(s);
        this.o.log(`shard ${s} did not reach the barrier of segment ${segment.index} (${arrived.why.get(s)}); going on without it`);
      }
      await takeEvidence(); // every live shard is drained: nothing in flight
      agreedStartAt = await store.setSegmentStart(this.client, this.o.runId, segment.index, START_LEAD_US);
    } else {
      agreedStartAt = await this.wait().forCoordinator(() => store.segmentStart(this.client, this.o.runId, segment.index), `to start segment ${segment.index}`);
    }
    const localStart = agreedStartAt - this.clock.offsetMicros;
    this.current = { agreedStartAt, observed: this.observeStart(localStart) };
    return localStart;
  }

  /**
   * When this shard's start came, on the server's clock: one round trip sent at the local start
   * time, read as server − rtt/2. Independent of the offset estimate used to schedule it, so a
   * wrong offset shows up as skew instead of hiding.
   */
  private async observeStart(localStart: number): Promise<number | null> {
    while (nowMicros() < localStart) await new Promise((r) => setTimeout(r, Math.max(1, (localStart - nowMicros()) / 1000)));
    try {
      const s = await serverClockSample(this.client);
      return s.serverAt - (s.receivedAt - s.sentAt) / 2 - (s.sentAt - localStart);
    } catch {
      return null;
    }
  }

  async segmentDone(segment: Segment, outcome: SegmentOutcome, reports: readonly IntervalReport[]): Promise<void> {
    const observedStartAt = this.current ? await this.current.observed : null;
    const schedules = outcome.workers.map((w) => w.schedule).filter((s) => s !== undefined);
    const errorMessages: Record<string, number> = {};
    for (const w of outcome.workers) for (const [m, n] of Object.entries(w.errorMessages)) errorMessages[m] = (errorMessages[m] ?? 0) + n;
    const sum = (k: keyof NonNullable<ShardSegmentPart['schedule']>): number => schedules.reduce((s, x) => s + x[k], 0);
    const part: ShardSegmentPart = {
      index: segment.index,
      measuredSec: outcome.measuredSec,
      agreedStartAt: this.current?.agreedStartAt ?? null,
      observedStartAt,
      warmupOps: outcome.workers.reduce((s, w) => s + w.warmupOps, 0),
      errorMessages,
      schedule: schedules.length ? { intended: sum('intended'), sent: sum('sent'), skipped: sum('skipped'), late: sum('late'), completed: sum('completed') } : null,
      lagEncoded: outcome.workers.flatMap((w) => (w.lagEncoded ? [w.lagEncoded] : [])),
      stoppedEarly: outcome.stoppedEarly ?? null,
      reports,
    };
    this.current = undefined;
    this.parts.push(part);
    this.writeFolder();
    await store.saveSegmentPart(this.client, this.o.runId, this.o.shard.index, part);
    if (this.isCoordinator && outcome.measuredSec > 0) {
      // The "after" evidence only once every shard has finished its window.
      const finished = await this.wait().forShards(this.o.shard.count, this.excluded, async () => (await store.segmentShards(this.client, this.o.runId, segment.index)).done);
      for (const s of finished.missing) {
        this.excluded.add(s);
        this.o.log(`shard ${s} did not store segment ${segment.index} (${finished.why.get(s)}); going on without it`);
      }
    }
  }

  async segmentClosed(segment: Segment, measured: boolean): Promise<void> {
    if (this.isCoordinator) await store.closeSegment(this.client, this.o.runId, segment.index);
    else if (measured) await this.wait().forCoordinator(() => store.segmentClosed(this.client, this.o.runId, segment.index), `to close segment ${segment.index}`);
  }

  async finish(result: RunResult, outDir: string): Promise<void> {
    this.record = { ...this.record, clock: this.record.clock, finished: true, status: result.status, statusReason: result.statusReason, finishedAt: result.finishedAt };
    try {
      if (this.isCoordinator) {
        const coordinator: CoordinatorPart = {
          startedAt: result.startedAt, target: result.target, metadata: result.metadata, variants: result.variants,
          evidence: Object.fromEntries(result.segments.map((s) => [s.index, s.evidence])),
          planFiles: readPlanFiles(outDir, result),
        };
        this.record = { ...this.record, coordinator };
        await store.saveCoordinatorPart(this.client, this.o.runId, coordinator);
      }
      await store.saveShardRecord(this.client, this.record);
    } finally {
      this.writeFolder();
      await this.client.end().catch(() => {});
    }
  }

  /** shard.json in this shard's folder: merge can read it when there is no database to read from. */
  private writeFolder(): void {
    makeDirs(this.o.outDir);
    writeFileAtomic(path.join(this.o.outDir, SHARD_FILE), `${JSON.stringify({ ...this.record, segments: this.parts })}\n`);
  }
}

function readPlanFiles(outDir: string, result: RunResult): Record<string, string> {
  const files: Record<string, string> = {};
  for (const v of result.variants) for (const p of Object.values(v.plans)) {
    const full = path.join(outDir, p.file);
    if (fs.existsSync(full)) files[p.file] = fs.readFileSync(full, 'utf8');
  }
  return files;
}
