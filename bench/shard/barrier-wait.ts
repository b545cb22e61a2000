import type pg from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { joinedShards, liveShards } from './coord-store.ts';

const POLL_MS = 20;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polling waits of the shard barriers (a few per segment, never per operation). A shard that has
 * not arrived is waited for until the barrier timeout; a shard whose liveness lock is gone (its
 * process died or lost the database) is not waited for at all.
 */
export class BarrierWait {
  private readonly deadline: number;
  constructor(private readonly client: pg.Client, private readonly runId: string, timeoutSec: number) {
    this.deadline = Date.now() + timeoutSec * 1000;
  }

  /**
   * Waits until every shard of 0..count-1 not in `excluded` is in `arrived()`, or is gone, or the
   * timeout passed. Returns the shards that are not there, each with the reason.
   */
  async forShards(count: number, excluded: ReadonlySet<number>, arrived: () => Promise<Set<number>>): Promise<{ missing: number[]; why: Map<number, string> }> {
    const why = new Map<number, string>();
    for (;;) {
      const here = await arrived();
      const waiting = Array.from({ length: count }, (_, i) => i).filter((i) => !excluded.has(i) && !here.has(i));
      if (waiting.length === 0) return { missing: [], why };
      const live = await liveShards(this.client, this.runId);
      const joined = await joinedShards(this.client, this.runId);
      const gone = waiting.filter((i) => !live.has(i) && joined.has(i));
      const stillWaiting = waiting.filter((i) => !gone.includes(i));
      if (stillWaiting.length === 0 || Date.now() > this.deadline) {
        for (const i of gone) why.set(i, 'its process is gone');
        for (const i of stillWaiting) why.set(i, live.has(i) ? 'barrier timeout: alive but late' : 'barrier timeout: never arrived');
        return { missing: waiting, why };
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * Waits for the coordinator (shard 0): until `ready()` gives a value, failing when the
   * coordinator's process is gone or, if it never showed up, at the barrier timeout.
   */
  async forCoordinator<T>(ready: () => Promise<T | undefined | false>, what: string): Promise<T> {
    for (let poll = 0; ; poll++) {
      const value = await ready();
      if (value !== undefined && value !== false) return value;
      if (poll % 10 === 0 && !(await liveShards(this.client, this.runId)).has(0)) {
        // Check again: it may have stored the value and ended between the two queries.
        const late = await ready();
        if (late !== undefined && late !== false) return late;
        if ((await joinedShards(this.client, this.runId)).has(0)) throw new GeobenchError(`the coordinator (shard 0) of run ${this.runId} is gone while this shard waited for it ${what}`);
        else if (Date.now() > this.deadline) throw new GeobenchError(`the coordinator (shard 0) of run ${this.runId} did not arrive within the barrier timeout while this shard waited for it ${what}`);
      }
      await sleep(POLL_MS);
    }
  }
}
