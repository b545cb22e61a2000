import type { QueryType } from './types.ts';
import { drawDaysWindow, isoFromSec } from './sampling.ts';

export const Q5_DAYS = 30;

/**
 * Rows per layer created in a 30-day window. The window start is uniform over the data's range
 * minus 30 days, so the window always lies inside the data. `interval '30 days'` is calendar
 * days in the session's time zone: the embedded server runs in UTC (bench/db/server-settings.ts),
 * where it is exactly 30 × 24 h; on a server in a DST zone a window crossing a change is ±1 h.
 */
export const q5LayerCount30d: QueryType = {
  name: 'Q5',
  title: 'count by layer over a 30-day created_at window',
  kind: 'read',
  sql: `SELECT layer_id, count(*) AS n
FROM geometrias
WHERE created_at >= $1::timestamptz AND created_at < $1::timestamptz + interval '${Q5_DAYS} days'
GROUP BY layer_id`,
  params(rng) {
    return [isoFromSec(drawDaysWindow(rng, Q5_DAYS).startSec)];
  },
  routes: {
    // Exact for any window: whole UTC days from the per-layer-day view, the partial first and last
    // day from geometrias (see the function's comment in the OPT3 migration).
    rpc: {
      title: 'OPT3 RPC layer_stats over the window (vw_geometrias_layer_day + partial days)',
      requires: 'OPT3',
      exact: true,
      sql: `SELECT layer AS layer_id, n
FROM layer_stats(from_ts => $1::timestamptz, to_ts => $1::timestamptz + interval '${Q5_DAYS} days')`,
    },
  },
};
