import type { QueryType } from './types.ts';
import { drawDaysWindow, isoFromSec } from './sampling.ts';
import { LAYER_DAY_VIEW, LIVE } from './freshness.ts';

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
    // Whole UTC days from the per-layer-day view, the partial first and last day from geometrias
    // (see the function's comment in the OPT3 migration): the right answer as of the view's last
    // refresh, so it misses the writes since then inside the window's whole days.
    rpc: {
      title: 'OPT3 RPC layer_stats over the window (vw_geometrias_layer_day + partial days)',
      requires: 'OPT3',
      exact: false,
      freshness: LAYER_DAY_VIEW,
      sql: `SELECT layer AS layer_id, n
FROM layer_stats(from_ts => $1::timestamptz, to_ts => $1::timestamptz + interval '${Q5_DAYS} days')`,
    },
    // The same split over OPT5's trigger-maintained summary, which every write statement updates
    // before it commits: exact under writes. Whole UTC days [day_lo, day_hi) from the summary, the
    // partial days [lo, day_lo) and [day_hi, hi) from geometrias (a 30-day window always has whole days).
    live: {
      title: 'OPT5 live summary geometrias_layer_day_live (whole UTC days) + geometrias (partial days)',
      requires: 'OPT5',
      exact: true,
      freshness: LIVE,
      sql: `WITH w AS (
  SELECT $1::timestamptz AS lo, $1::timestamptz + interval '${Q5_DAYS} days' AS hi,
         date_trunc('day', $1::timestamptz, 'UTC') + CASE WHEN date_trunc('day', $1::timestamptz, 'UTC') < $1::timestamptz THEN interval '24 hours' ELSE interval '0' END AS day_lo,
         date_trunc('day', $1::timestamptz + interval '${Q5_DAYS} days', 'UTC') AS day_hi
)
SELECT p.layer_id, sum(p.n)::bigint AS n
FROM (
  SELECT l.layer_id, l.n FROM geometrias_layer_day_live AS l, w
  WHERE l.day >= (w.day_lo AT TIME ZONE 'UTC')::date AND l.day < (w.day_hi AT TIME ZONE 'UTC')::date
  UNION ALL
  SELECT g.layer_id, count(*) FROM geometrias AS g, w
  WHERE (g.created_at >= w.lo AND g.created_at < w.day_lo) OR (g.created_at >= w.day_hi AND g.created_at < w.hi)
  GROUP BY g.layer_id
) AS p
GROUP BY p.layer_id`,
    },
  },
};
