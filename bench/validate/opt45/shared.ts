/**
 * What the OPT4/OPT5 checklist items (this folder) share: the schema they measure, the reserved
 * marker ids and layers, connections in the schema, and the small formatting helpers of their
 * achieved texts.
 */
import type pg from 'pg';
import { connect } from '../../db/connect.ts';
import { searchPath } from '../../db/schema.ts';
import type { DbTarget } from '../../db/target.ts';
import type { Check } from '../checks.ts';

/** The variant the validator prepares (OPT1…OPT5) and loads. */
export const AFTER = 'opt45_after';

/**
 * Marker rows the validator writes: ids in [9·10^11, 9·10^11 + 10^6), outside the dataset's ids
 * (1..N, so `dataset verify`'s checksum ignores them) and below the workload's id sequence (10^12,
 * whose rows the load engine deletes between segments: markers must outlive the load run that
 * overlaps the cron waits). Reserved layers 997–999 keep them out of the dataset's 50 layers.
 */
export const MARKER_ID_FIRST = 900_000_000_000;
export const MARKER_ID_END = MARKER_ID_FIRST + 1_000_000;

export const OPT4_TASKS = ['partman-maintenance', 'constraint-check', 'analyze', 'vacuum'] as const;
export const LIVE_TRIGGERS = ['geometrias_layer_day_live_insert', 'geometrias_layer_day_live_update', 'geometrias_layer_day_live_delete', 'geometrias_layer_day_live_truncate'];

export const taskOf = (schema: string, jobname: string): string => jobname.slice(schema.length + 1);
export const viewOfCommand = (command: string): string | null => /refresh_view_logged\('([a-z_]+)'/.exec(command)?.[1] ?? null;
/** A target check whose achieved text is written for people (targetCheck prints in the target's unit: 0.0015min). */
export const humanized = (c: Check, text: string | null): Check => (c.value === null || text === null ? c : { ...c, achieved: text });
export const ms = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(digits)} ms`);
export const sec = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x >= 120 ? `${(x / 60).toFixed(1)} min` : `${x.toFixed(1)} s`);

/** Resolves after `msec`, or at once when the signal aborts. */
export function sleep(msec: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, msec);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A connection with the schema's search_path. */
export async function openIn(target: DbTarget, app = 'geobench-validate'): Promise<pg.Client> {
  const c = await connect(target, app);
  await c.query(`SET search_path = ${searchPath(target.schema)}`);
  return c;
}

/** The first column of the first row. */
export const scalar = async <T>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> => Object.values((await c.query(sql, params)).rows[0] as Record<string, unknown>)[0] as T;

export const deleteMarkers = async (c: pg.Client): Promise<number> => (await c.query('DELETE FROM geometrias WHERE id >= $1 AND id < $2', [MARKER_ID_FIRST, MARKER_ID_END])).rowCount ?? 0;

export async function launcherRunning(c: pg.Client): Promise<number> {
  return Number(await scalar<string>(c, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'`));
}

/** Monthly partitions from the current month up to now + 36 months (the premade horizon). */
export async function futurePartitions(c: pg.Client): Promise<string[]> {
  return (await c.query<{ p: string }>(`SELECT partition_name::text AS p FROM geometrias_partitions()
     WHERE NOT is_default AND range_from >= date_trunc('month', now()) AND range_from <= now() + interval '36 months' ORDER BY range_from`)).rows.map((r) => r.p);
}
