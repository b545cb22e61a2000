/**
 * Checklist item "Data staleness, scheduled views": the worst case of each view's production
 * schedule (longest gap + the forced run's measured refresh), and, as evidence, how long a marker
 * row took to show in each view once its job was switched to every minute.
 */
import type pg from 'pg';
import { infoCheck, targetCheck, type Check } from '../checks.ts';
import { scheduledStaleness, type ScheduledStaleness } from '../opt45-measures.ts';
import type { CronJob } from '../../evidence/cron-jobs.ts';
import type { ForcedJobResult } from './forced-runs.ts';
import { refreshRuns } from './forced-runs.ts';
import { humanized, MARKER_ID_FIRST, scalar, sec, viewOfCommand } from './shared.ts';
import type { Targets } from '../targets.ts';

const SCHEDULED_LAYER = 999;
const SCHEDULED_MARKER_ID = MARKER_ID_FIRST + 100;
/** Far from the data (Brazil): its 0.1° tile (100, 100) of vw_geometrias_tile exists only through the marker. */
const MARKER_POINT = 'POINT(10.05 10.05)';
const MARKER_TILE = { x: 100, y: 100 };
const VIEWS = ['vw_geometrias_by_layer', 'vw_geometrias_layer_tag', 'vw_geometrias_layer_day', 'vw_geometrias_tile', 'vw_geometrias_search'] as const;

const MARKER_SQL = `SELECT clock_timestamp() AS at,
    EXISTS (SELECT 1 FROM vw_geometrias_by_layer WHERE layer_id = $1) AS vw_geometrias_by_layer,
    EXISTS (SELECT 1 FROM vw_geometrias_layer_tag WHERE layer_id = $1) AS vw_geometrias_layer_tag,
    EXISTS (SELECT 1 FROM vw_geometrias_layer_day WHERE layer_id = $1) AS vw_geometrias_layer_day,
    EXISTS (SELECT 1 FROM vw_geometrias_tile WHERE tile_x = $2 AND tile_y = $3) AS vw_geometrias_tile,
    EXISTS (SELECT 1 FROM vw_geometrias_search WHERE id = $4) AS vw_geometrias_search,
    EXISTS (SELECT 1 FROM geometrias_layer_day_live WHERE layer_id = $1) AS geometrias_layer_day_live`;

/** The marker row and when each view (and the live summary) first showed it. */
export interface MarkerWatch {
  readonly writtenAt: Date;
  readonly seen: Record<string, string | null>;
  readonly visibleBefore: string[];
  /** Looks once (on any connection in the schema) and records the views that show the marker now. */
  check(c: pg.Client): Promise<void>;
}

export async function writeScheduledMarker(client: pg.Client): Promise<MarkerWatch> {
  await client.query(`INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
    VALUES ($1, $2, '2025-12-15T12:00:00Z', '2025-12-15T12:00:00Z', '{"name": "opt45 staleness marker", "tag": "opt45-marker", "source": 8}', ST_GeomFromText($3, 4326))`,
  [SCHEDULED_MARKER_ID, SCHEDULED_LAYER, MARKER_POINT]);
  const writtenAt = await scalar<Date>(client, 'SELECT clock_timestamp()');
  const seen: Record<string, string | null> = Object.fromEntries([...VIEWS, 'geometrias_layer_day_live'].map((v) => [v, null]));
  const check = async (c: pg.Client): Promise<void> => {
    const r = (await c.query(MARKER_SQL, [SCHEDULED_LAYER, MARKER_TILE.x, MARKER_TILE.y, SCHEDULED_MARKER_ID])).rows[0] as Record<string, unknown>;
    for (const v of Object.keys(seen)) if (seen[v] === null && r[v] === true) seen[v] = (r.at as Date).toISOString();
  };
  await check(client);
  const visibleBefore = Object.entries(seen).filter(([v, at]) => at !== null && v !== 'geometrias_layer_day_live').map(([v]) => v);
  return { writtenAt, seen, visibleBefore, check };
}

export type StalenessByView = Record<string, ScheduledStaleness & { forcedRunVisibleSec: number | null }>;

export function scheduledStalenessChecks(forced: readonly ForcedJobResult[], jobs: readonly CronJob[], marker: MarkerWatch, targets: Targets): { checks: Check[]; byView: StalenessByView } {
  const refresh = refreshRuns(forced);
  const byView: StalenessByView = {};
  for (const f of refresh) {
    const view = viewOfCommand(jobs.find((j) => j.jobname === f.jobname)?.command ?? '') ?? f.task;
    const seenAt = marker.seen[view];
    const visibleSec = seenAt ? (new Date(seenAt).getTime() - marker.writtenAt.getTime()) / 1000 : null;
    if (f.refresh) byView[view] = { ...scheduledStaleness(f.schedule, f.refresh.durationMs), forcedRunVisibleSec: visibleSec };
  }
  const worst = Object.keys(byView).length === refresh.length && refresh.length > 0 ? Math.max(...Object.values(byView).map((s) => s.worstSec)) : null;
  const worstView = Object.entries(byView).sort((a, b) => b[1].worstSec - a[1].worstSec)[0];
  const short = (v: string): string => v.replace('vw_geometrias_', '');
  const checks = [
    humanized(targetCheck('Data staleness, scheduled views (worst case: longest gap of the production schedule + refresh time)', targets.get('opt45.scheduled_staleness'), worst === null ? null : worst * 1e6, {
      method: 'per view: the longest gap between two runs of its pg_cron schedule (a write just after a refresh took its snapshot waits for the next run) + the forced run\'s measured refresh duration; the worst view counts',
      byView, worstView: worstView?.[0] ?? null,
    }), worstView ? `${sec(worstView[1].worstSec)} (${short(worstView[0])}: ${sec(worstView[1].intervalSec)} gap + ${sec(worstView[1].refreshSec)}; ${Object.entries(byView).map(([v, s]) => `${short(v)} ${sec(s.worstSec)}`).join(', ')})` : null),
    infoCheck('Time until a forced every-minute refresh showed a new row (per view)', Object.entries(byView).map(([v, s]) => `${short(v)} ${sec(s.forcedRunVisibleSec)}`).join(', ') || 'n/a', {
      markerId: SCHEDULED_MARKER_ID, markerWrittenAt: marker.writtenAt.toISOString(), seenAt: marker.seen, visibleBeforeTheWave: marker.visibleBefore,
      note: 'the marker was written before the switch to every minute: the time includes the wait for the next minute',
    }),
  ];
  return { checks, byView };
}
