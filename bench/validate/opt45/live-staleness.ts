/**
 * Checklist item "Data staleness, live summary": marker rows written one at a time while the
 * standard workload runs, and how long until a reader on another connection sees each in
 * geometrias_layer_day_live.
 */
import type { DbTarget } from '../../db/target.ts';
import { targetCheck, type Check } from '../checks.ts';
import { median } from '../opt45-measures.ts';
import { humanized, MARKER_ID_FIRST, ms, openIn, sec, sleep } from './shared.ts';
import type { Targets } from '../targets.ts';

const LIVE_LAYER = 998;
const LIVE_MARKER_FIRST = MARKER_ID_FIRST + 200;
const LIVE_SAMPLES = 10;
const LIVE_POLL_MS = 100;
/** A live marker not visible after this long fails the 5-minute target for sure. */
const LIVE_GIVE_UP_MS = 301_000;

export interface LiveSample { readonly id: number; readonly day: string; readonly visibleMs: number; readonly seen: boolean; readonly underLoad: boolean }


/**
 * Marker rows of a reserved layer written one at a time while the load runs; a reader on another
 * connection polls geometrias_layer_day_live every 100 ms from the moment the write returns. The
 * time from issuing the write to the reader seeing its layer × day row is the staleness a client
 * of the live summary sees.
 */
export async function liveStaleness(target: DbTarget, loadRunning: () => boolean, startDelayMs: number, spanMs: number, signal: AbortSignal): Promise<LiveSample[]> {
  const writer = await openIn(target, 'geobench-opt45-writer');
  const reader = await openIn(target, 'geobench-opt45-reader');
  const out: LiveSample[] = [];
  try {
    await sleep(startDelayMs, signal);
    const gap = Math.max(500, spanMs / LIVE_SAMPLES);
    for (let k = 0; k < LIVE_SAMPLES && !signal.aborted; k++) {
      const day = new Date(Date.UTC(2025, 10, 1 + k)).toISOString().slice(0, 10);
      const underLoad = loadRunning();
      const t0 = performance.now();
      await writer.query(`INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
        VALUES ($1, $2, ($3::date + interval '12 hours') AT TIME ZONE 'UTC', ($3::date + interval '12 hours') AT TIME ZONE 'UTC', '{"name": "opt45 live marker", "tag": "opt45-marker", "source": 8}', ST_GeomFromText('POINT(-46.63 -23.55)', 4326))`,
        [LIVE_MARKER_FIRST + k, LIVE_LAYER, day]);
      let seen = false;
      while (!seen && performance.now() - t0 < LIVE_GIVE_UP_MS && !signal.aborted) {
        seen = ((await reader.query('SELECT 1 FROM geometrias_layer_day_live WHERE layer_id = $1 AND day = $2', [LIVE_LAYER, day])).rowCount ?? 0) > 0;
        if (!seen) await sleep(LIVE_POLL_MS, signal);
      }
      out.push({ id: LIVE_MARKER_FIRST + k, day, visibleMs: performance.now() - t0, seen, underLoad });
      if (!seen) break;
      await sleep(gap, signal);
    }
  } finally {
    await writer.end().catch(() => {});
    await reader.end().catch(() => {});
  }
  return out;
}

export function liveStalenessCheck(samples: readonly LiveSample[], error: string | null, targets: Targets): Check {
  const worst = samples.length ? Math.max(...samples.map((s) => s.visibleMs)) : null;
  const allSeen = samples.length > 0 && samples.every((s) => s.seen);
  return humanized(targetCheck(`Data staleness, live summary (trigger; worst of ${samples.length} writes under load)`, targets.get('opt45.live_staleness'), worst === null ? null : worst * 1000, {
    method: `marker rows (layer ${LIVE_LAYER}) inserted one at a time while the standard workload ran; a reader on another connection polled geometrias_layer_day_live every ${LIVE_POLL_MS} ms; time from issuing the write until the reader saw it`,
    samples, medianMs: median(samples.map((s) => s.visibleMs)), liveError: error,
  }, error ?? (samples.length && !allSeen ? `a marker was not visible after ${LIVE_GIVE_UP_MS / 1000} s` : undefined)), worst === null ? null : worst < 1000 ? ms(worst, 0) : sec(worst / 1000));
}
