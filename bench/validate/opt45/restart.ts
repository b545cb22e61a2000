/**
 * Checklist item "Survival of a server restart + missed schedule": rows dated beyond the premade
 * horizon land in the default partition; the embedded cluster is restarted (an external server is
 * not ours to restart); the forced partman-maintenance run must move them to their own month.
 */
import type pg from 'pg';
import { embeddedTargetIfConfigured, startCluster, stopCluster } from '../../db/embedded.ts';
import type { DbTarget } from '../../db/target.ts';
import { infoCheck, notMeasurable, targetCheck, type Check } from '../checks.ts';
import { launcherRunning, MARKER_ID_FIRST, scalar, sleep } from './shared.ts';
import type { Targets } from '../targets.ts';

export const RESTART_MARKERS = 5;
const RESTART_LAYER = 997;
/** Months beyond the current one the restart markers are dated: past the premade horizon (36). */
export const BEYOND_HORIZON_MONTHS = 40;

export interface Restart { readonly downSec: number; readonly startedBefore: string; readonly startedAfter: string; readonly launcherAfter: number }

/** Inserts the markers beyond the horizon; returns how many landed in geometrias_default. */
export async function insertRestartMarkers(client: pg.Client): Promise<number> {
  await client.query(`INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
    SELECT $1::bigint + k, $2, t, t, '{"name": "opt45 restart marker", "tag": "opt45-marker", "source": 8}', ST_GeomFromText('POINT(-46.63 -23.55)', 4326)
      FROM generate_series(1, $3) AS k, LATERAL (SELECT date_trunc('month', now()) + make_interval(months => $4, days => k) + interval '12 hours' AS t) x`,
  [MARKER_ID_FIRST, RESTART_LAYER, RESTART_MARKERS, BEYOND_HORIZON_MONTHS]);
  const landed = (await client.query<{ part: string; n: string }>(`SELECT tableoid::regclass::text AS part, count(*) AS n FROM geometrias WHERE id > $1 AND id <= $1 + $2 GROUP BY 1`, [MARKER_ID_FIRST, RESTART_MARKERS])).rows;
  return landed.filter((r) => r.part.replace(/^.*\./, '') === 'geometrias_default').reduce((s, r) => s + Number(r.n), 0);
}

/** Whether `server` is geobench's embedded cluster (the only server the validator may restart). */
export const isOurEmbeddedCluster = (server: DbTarget): boolean => server.kind === 'embedded' && embeddedTargetIfConfigured()?.client.port === server.client.port;

/**
 * Stops (fast) and starts the embedded cluster; `client` is closed first. Returns the server as it
 * came back (its port may differ) and what was seen: downtime, start times, the pg_cron launcher.
 */
export async function restartEmbedded(client: pg.Client, server: DbTarget, reopen: (s: DbTarget) => Promise<pg.Client>, signal: AbortSignal, log: (l: string) => void): Promise<{ server: DbTarget; client: pg.Client; restart: Restart }> {
  log('restarting the embedded cluster (pg_ctl stop -m fast, start)');
  const startedBefore = (await scalar<Date>(client, 'SELECT pg_postmaster_start_time()')).toISOString();
  await client.end().catch(() => {});
  const t = performance.now();
  let next = server;
  try {
    await stopCluster('fast');
  } finally {
    const started = await startCluster({ log });
    if (started.client.port !== server.client.port) log(`  the cluster came back on port ${started.client.port} (was ${server.client.port}): validators run after this one in the same process still use the old port`);
    next = { ...started, schema: server.schema };
  }
  const downSec = (performance.now() - t) / 1000;
  const c = await reopen(next);
  const startedAfter = (await scalar<Date>(c, 'SELECT pg_postmaster_start_time()')).toISOString();
  let launcherAfter = 0;
  for (let i = 0; i < 40 && !launcherAfter; i++) {
    launcherAfter = await launcherRunning(c);
    if (!launcherAfter) await sleep(250, signal);
  }
  log(`  back after ${downSec.toFixed(1)} s; pg_cron launcher ${launcherAfter ? 'running' : 'NOT running'}`);
  return { server: next, client: c, restart: { downSec, startedBefore, startedAfter, launcherAfter } };
}

export interface MarkerPlacement { readonly rows: { id: string; part: string; proper: string }[]; readonly inProper: number }

/** Where the restart markers are now, and how many sit in the partition of their own month. */
export async function restartMarkerPlacement(client: pg.Client): Promise<MarkerPlacement> {
  const rows = (await client.query<{ id: string; part: string; proper: string }>(`SELECT id, tableoid::regclass::text AS part, 'geometrias_p' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY_MM') AS proper
      FROM geometrias WHERE id > $1 AND id <= $1 + $2 ORDER BY id`, [MARKER_ID_FIRST, RESTART_MARKERS])).rows;
  return { rows, inProper: rows.filter((r) => r.part.replace(/^.*\./, '') === r.proper).length };
}

export function survivalChecks(restart: Restart | null, inDefault: number, placement: MarkerPlacement, serverDisplay: string, targets: Targets): Check[] {
  const { inProper } = placement;
  const survival = { inserted: RESTART_MARKERS, inDefaultBefore: inDefault, found: placement.rows.length, inProperPartition: inProper, rows: placement.rows, restart };
  if (restart) {
    return [targetCheck('Survival of a server restart + missed schedule (markers beyond the horizon in their month after restart + forced run)', targets.get('opt45.restart_survival'), inProper / RESTART_MARKERS, {
      method: `${RESTART_MARKERS} rows dated now + ${BEYOND_HORIZON_MONTHS} months inserted (geometrias_default), the embedded cluster stopped and started, partman-maintenance forced through pg_cron; share = rows found in the partition of their own month / inserted`, ...survival,
    })];
  }
  return [
    notMeasurable('Survival of a server restart', targets.get('opt45.restart_survival'), `the server is not geobench's embedded cluster (${serverDisplay}): restarting it is not ours to do. Missed schedule without a restart: ${inProper}/${RESTART_MARKERS} markers beyond the horizon moved to their month by the forced partman-maintenance run`),
    infoCheck('Missed schedule (no restart): markers moved to their month', `${inProper}/${RESTART_MARKERS}`, survival),
  ];
}
