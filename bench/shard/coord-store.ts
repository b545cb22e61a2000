import type pg from 'pg';
import type { ShardRecord, ShardSegmentPart } from './shard-record.ts';

/**
 * geobench's coordination schema in the database under test: one row per run, per shard, per
 * segment start and per (segment, shard). Shards meet only here (no shared filesystem), a few
 * times per segment, never per operation. Each shard holds a session advisory lock
 * (hashtext('geobench_coord:' || run), shard) for its lifetime: a shard whose process died has
 * released it, so the others can tell a dead shard from a slow one.
 */
export const COORD_SCHEMA = 'geobench_coord';

const DDL = `
CREATE SCHEMA IF NOT EXISTS ${COORD_SCHEMA};
CREATE TABLE IF NOT EXISTS ${COORD_SCHEMA}.runs (
  run_id text PRIMARY KEY,
  shard_count int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  prepared_at timestamptz,
  prepare_error text,
  coordinator jsonb
);
CREATE TABLE IF NOT EXISTS ${COORD_SCHEMA}.shards (
  run_id text NOT NULL REFERENCES ${COORD_SCHEMA}.runs ON DELETE CASCADE,
  shard_index int NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  record jsonb NOT NULL,
  PRIMARY KEY (run_id, shard_index)
);
CREATE TABLE IF NOT EXISTS ${COORD_SCHEMA}.segment_starts (
  run_id text NOT NULL REFERENCES ${COORD_SCHEMA}.runs ON DELETE CASCADE,
  segment_index int NOT NULL,
  start_at_us bigint NOT NULL,
  closed_at timestamptz,
  PRIMARY KEY (run_id, segment_index)
);
CREATE TABLE IF NOT EXISTS ${COORD_SCHEMA}.segment_shards (
  run_id text NOT NULL REFERENCES ${COORD_SCHEMA}.runs ON DELETE CASCADE,
  segment_index int NOT NULL,
  shard_index int NOT NULL,
  ready_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  done_at timestamptz,
  part jsonb,
  PRIMARY KEY (run_id, segment_index, shard_index)
);`;

/** Creates the schema once; concurrent shards serialize on a transaction advisory lock. */
export async function ensureCoordSchema(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('geobench_coord:ddl'))");
    await client.query(DDL);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

const LOCK_KEY = "hashtext('geobench_coord:' || $1)";

/** Takes this shard's liveness lock; false when another live process already is this shard. */
export async function lockShard(client: pg.Client, runId: string, shard: number): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}, $2) AS ok`, [runId, shard]);
  return r.rows[0]!.ok;
}

/** Shards of the run whose process holds its liveness lock now. */
export async function liveShards(client: pg.Client, runId: string): Promise<Set<number>> {
  const r = await client.query<{ objid: number }>(
    `SELECT objid::int AS objid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = (${LOCK_KEY})::oid`,
    [runId],
  );
  return new Set(r.rows.map((x) => x.objid));
}

export async function createRun(client: pg.Client, runId: string, count: number): Promise<void> {
  await client.query(`INSERT INTO ${COORD_SCHEMA}.runs (run_id, shard_count) VALUES ($1, $2) ON CONFLICT (run_id) DO NOTHING`, [runId, count]);
}

/** Registers a shard; false when that shard index already joined this run once. */
export async function joinShard(client: pg.Client, record: ShardRecord): Promise<boolean> {
  const r = await client.query(`INSERT INTO ${COORD_SCHEMA}.shards (run_id, shard_index, record) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [record.runId, record.index, JSON.stringify(record)]);
  return r.rowCount === 1;
}

/** The shard's record without its segment parts (those live in segment_shards). */
export async function saveShardRecord(client: pg.Client, record: ShardRecord): Promise<void> {
  await client.query(`UPDATE ${COORD_SCHEMA}.shards SET record = $3 WHERE run_id = $1 AND shard_index = $2`, [record.runId, record.index, JSON.stringify({ ...record, segments: [] })]);
}

export async function markPrepared(client: pg.Client, runId: string, error: string | null): Promise<void> {
  await client.query(`UPDATE ${COORD_SCHEMA}.runs SET prepared_at = clock_timestamp(), prepare_error = $2 WHERE run_id = $1`, [runId, error]);
}

export async function preparedState(client: pg.Client, runId: string): Promise<{ prepared: boolean; error: string | null }> {
  const r = await client.query<{ prepared_at: Date | null; prepare_error: string | null }>(`SELECT prepared_at, prepare_error FROM ${COORD_SCHEMA}.runs WHERE run_id = $1`, [runId]);
  return { prepared: !!r.rows[0]?.prepared_at, error: r.rows[0]?.prepare_error ?? null };
}

export async function markReady(client: pg.Client, runId: string, segment: number, shard: number): Promise<void> {
  await client.query(`INSERT INTO ${COORD_SCHEMA}.segment_shards (run_id, segment_index, shard_index) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [runId, segment, shard]);
}

/** Shards ready at a segment's barrier, and those that stored their part of it. */
export async function segmentShards(client: pg.Client, runId: string, segment: number): Promise<{ ready: Set<number>; done: Set<number> }> {
  const r = await client.query<{ shard_index: number; done: boolean }>(`SELECT shard_index, done_at IS NOT NULL AS done FROM ${COORD_SCHEMA}.segment_shards WHERE run_id = $1 AND segment_index = $2`, [runId, segment]);
  return { ready: new Set(r.rows.map((x) => x.shard_index)), done: new Set(r.rows.filter((x) => x.done).map((x) => x.shard_index)) };
}

/** The agreed start, server clock µs: now on the server plus `leadMicros` (room to hear of it). */
export async function setSegmentStart(client: pg.Client, runId: string, segment: number, leadMicros: number): Promise<number> {
  const r = await client.query<{ at: string }>(
    `INSERT INTO ${COORD_SCHEMA}.segment_starts (run_id, segment_index, start_at_us)
     VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + $3)
     ON CONFLICT (run_id, segment_index) DO UPDATE SET start_at_us = ${COORD_SCHEMA}.segment_starts.start_at_us
     RETURNING start_at_us::text AS at`,
    [runId, segment, Math.round(leadMicros)],
  );
  return Number(r.rows[0]!.at);
}

export async function segmentStart(client: pg.Client, runId: string, segment: number): Promise<number | undefined> {
  const r = await client.query<{ at: string }>(`SELECT start_at_us::text AS at FROM ${COORD_SCHEMA}.segment_starts WHERE run_id = $1 AND segment_index = $2`, [runId, segment]);
  return r.rows[0] ? Number(r.rows[0].at) : undefined;
}

/** The coordinator took the segment's "after" evidence and cleaned up: the next segment may warm up. */
export async function closeSegment(client: pg.Client, runId: string, segment: number): Promise<void> {
  await client.query(`UPDATE ${COORD_SCHEMA}.segment_starts SET closed_at = clock_timestamp() WHERE run_id = $1 AND segment_index = $2`, [runId, segment]);
}

export async function segmentClosed(client: pg.Client, runId: string, segment: number): Promise<boolean> {
  const r = await client.query(`SELECT 1 FROM ${COORD_SCHEMA}.segment_starts WHERE run_id = $1 AND segment_index = $2 AND closed_at IS NOT NULL`, [runId, segment]);
  return r.rowCount === 1;
}

export async function saveSegmentPart(client: pg.Client, runId: string, shard: number, part: ShardSegmentPart): Promise<void> {
  await client.query(
    `INSERT INTO ${COORD_SCHEMA}.segment_shards (run_id, segment_index, shard_index, done_at, part) VALUES ($1, $2, $3, clock_timestamp(), $4)
     ON CONFLICT (run_id, segment_index, shard_index) DO UPDATE SET done_at = clock_timestamp(), part = EXCLUDED.part`,
    [runId, part.index, shard, JSON.stringify(part)],
  );
}

export async function saveCoordinatorPart(client: pg.Client, runId: string, part: unknown): Promise<void> {
  await client.query(`UPDATE ${COORD_SCHEMA}.runs SET coordinator = $2 WHERE run_id = $1`, [runId, JSON.stringify(part)]);
}

/** Every stored shard record of a run with its segment parts, for merge; undefined = no such run. */
export async function loadRun(client: pg.Client, runId: string): Promise<{ count: number; records: ShardRecord[] } | undefined> {
  const run = await client.query<{ shard_count: number; coordinator: ShardRecord['coordinator'] }>(`SELECT shard_count, coordinator FROM ${COORD_SCHEMA}.runs WHERE run_id = $1`, [runId]);
  if (!run.rows[0]) return undefined;
  const shards = await client.query<{ shard_index: number; record: ShardRecord }>(`SELECT shard_index, record FROM ${COORD_SCHEMA}.shards WHERE run_id = $1 ORDER BY shard_index`, [runId]);
  const parts = await client.query<{ shard_index: number; part: ShardSegmentPart }>(`SELECT shard_index, part FROM ${COORD_SCHEMA}.segment_shards WHERE run_id = $1 AND part IS NOT NULL ORDER BY segment_index`, [runId]);
  const records = shards.rows.map((s) => ({
    ...s.record,
    segments: parts.rows.filter((p) => p.shard_index === s.shard_index).map((p) => p.part),
    coordinator: s.shard_index === 0 ? run.rows[0]!.coordinator : null,
  }));
  return { count: run.rows[0].shard_count, records };
}

/** Shards that joined the run (whether still alive or not). */
export async function joinedShards(client: pg.Client, runId: string): Promise<Set<number>> {
  const r = await client.query<{ shard_index: number }>(`SELECT shard_index FROM ${COORD_SCHEMA}.shards WHERE run_id = $1`, [runId]);
  return new Set(r.rows.map((x) => x.shard_index));
}

/** Whether a run has settled: every shard joined and each has finished or is gone (lock released). */
export async function runSettled(client: pg.Client, runId: string): Promise<{ exists: boolean; settled: boolean; waitingFor: number[] }> {
  const schema = await client.query<{ ok: boolean }>(`SELECT to_regclass('${COORD_SCHEMA}.runs') IS NOT NULL AS ok`);
  if (!schema.rows[0]!.ok) return { exists: false, settled: false, waitingFor: [] };
  const run = await client.query<{ shard_count: number }>(`SELECT shard_count FROM ${COORD_SCHEMA}.runs WHERE run_id = $1`, [runId]);
  if (!run.rows[0]) return { exists: false, settled: false, waitingFor: [] };
  const rows = await client.query<{ shard_index: number; finished: boolean }>(`SELECT shard_index, coalesce((record->>'finished')::boolean, false) AS finished FROM ${COORD_SCHEMA}.shards WHERE run_id = $1`, [runId]);
  const live = await liveShards(client, runId);
  const waitingFor = Array.from({ length: run.rows[0].shard_count }, (_, i) => i).filter((i) => {
    const row = rows.rows.find((r) => r.shard_index === i);
    return !row || (!row.finished && live.has(i));
  });
  return { exists: true, settled: waitingFor.length === 0, waitingFor };
}
