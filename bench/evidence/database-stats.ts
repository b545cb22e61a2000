import type pg from 'pg';
import { anyDecreased, hitRatio, num, subtractCounters } from './counters.ts';

/**
 * pg_stat_database for the current database: whole-database activity over a window (every
 * session's, autovacuum's and our own snapshot queries' included), as the difference of two
 * snapshots.
 *
 * Backends report these counters when they go idle, at most about once a second, and on exit; a
 * snapshot taken right after a burst may miss up to ~1 s of another session's work. Take the
 * "after" snapshot once the workload's connections are idle for over a second, or closed.
 */

/** The pg_stat_database counters kept. Block counts are 8 kB pages; blkReadMs needs track_io_timing. */
export interface DatabaseCounters {
  readonly xactCommit: number;
  readonly xactRollback: number;
  readonly blksRead: number;
  readonly blksHit: number;
  readonly tupReturned: number;
  readonly tupFetched: number;
  readonly tupInserted: number;
  readonly tempBytes: number;
  readonly deadlocks: number;
  readonly blkReadMs: number;
}

export interface DatabaseSnapshot {
  readonly counters: DatabaseCounters;
  /** pg_stat_database.stats_reset (ISO time), to detect a reset inside a window. */
  readonly statsReset: string | null;
}

export interface DatabaseDelta extends DatabaseCounters {
  /** Buffer cache hit ratio blksHit / (blksHit + blksRead) over the window; null when both are 0. */
  readonly hitRatio: number | null;
  /** True when the statistics were reset during the window: the deltas are then meaningless. */
  readonly reset: boolean;
}

/** Parses a raw pg_stat_database row (bigints arrive as strings). Pure. */
export function parseDatabaseRow(raw: Readonly<Record<string, unknown>>): DatabaseSnapshot {
  const reset = raw.stats_reset;
  return {
    counters: {
      xactCommit: num(raw.xact_commit),
      xactRollback: num(raw.xact_rollback),
      blksRead: num(raw.blks_read),
      blksHit: num(raw.blks_hit),
      tupReturned: num(raw.tup_returned),
      tupFetched: num(raw.tup_fetched),
      tupInserted: num(raw.tup_inserted),
      tempBytes: num(raw.temp_bytes),
      deadlocks: num(raw.deadlocks),
      blkReadMs: num(raw.blk_read_time),
    },
    statsReset: reset instanceof Date ? reset.toISOString() : reset == null ? null : String(reset),
  };
}

/** `after − before` with the window's buffer cache hit ratio. Pure. */
export function diffDatabaseStats(before: DatabaseSnapshot, after: DatabaseSnapshot): DatabaseDelta {
  const reset = after.statsReset !== before.statsReset || anyDecreased(after.counters, before.counters);
  const d = subtractCounters(after.counters, before.counters);
  return { ...d, hitRatio: hitRatio(d.blksHit, d.blksRead), reset };
}

/** Snapshots pg_stat_database for the database `client` is connected to. */
export async function snapshotDatabaseStats(client: pg.Client): Promise<DatabaseSnapshot> {
  // Outside a transaction each statement sees fresh statistics; clearing covers a caller's open one.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const res = await client.query(
    `SELECT xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted,
            temp_bytes, deadlocks, blk_read_time, stats_reset
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return parseDatabaseRow(res.rows[0] ?? {});
}
