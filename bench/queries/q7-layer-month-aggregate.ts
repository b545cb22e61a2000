import type { QueryType } from './types.ts';
import { drawMonthWindow, isoFromSec } from './sampling.ts';
import { LAYER_DAY_VIEW, LIVE } from './freshness.ts';

export const Q7_MONTHS = 3;

/**
 * Rows per layer per month over three calendar months. Months are UTC months whatever the
 * session's time zone: the window's boundaries are computed here in UTC and passed as two
 * timestamptz parameters (`+ interval '3 months'` would be month arithmetic in the session's zone),
 * and the grouping uses the three-argument date_trunc(…, 'UTC'), which truncates in UTC and keeps
 * the timestamptz type — matching OPT1's monthly partitions, whose bounds are UTC midnights.
 */
export const q7LayerMonthAggregate: QueryType = {
  name: 'Q7',
  title: 'per-layer per-month counts over a 3-month window',
  kind: 'read',
  sql: `SELECT layer_id, date_trunc('month', created_at, 'UTC') AS month, count(*) AS n
FROM geometrias
WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz
GROUP BY 1, 2`,
  params(rng) {
    const w = drawMonthWindow(rng, Q7_MONTHS);
    return [isoFromSec(w.startSec), isoFromSec(w.endSec)];
  },
  routes: {
    // Q7's windows are whole UTC months, hence whole UTC days of the view: the right answer as of
    // the view's last refresh (it misses the writes since then).
    mv: {
      title: 'OPT3 view vw_geometrias_layer_day: sum of the days of each month',
      requires: 'OPT3',
      exact: false,
      freshness: LAYER_DAY_VIEW,
      sql: `SELECT layer_id, date_trunc('month', day::timestamp) AT TIME ZONE 'UTC' AS month, sum(n)::bigint AS n
FROM vw_geometrias_layer_day
WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date
GROUP BY 1, 2`,
    },
    // The same sum over OPT5's trigger-maintained summary (same days, updated by every write
    // statement before it commits): exact under writes.
    live: {
      title: 'OPT5 live summary geometrias_layer_day_live: sum of the days of each month',
      requires: 'OPT5',
      exact: true,
      freshness: LIVE,
      sql: `SELECT layer_id, date_trunc('month', day::timestamp) AT TIME ZONE 'UTC' AS month, sum(n)::bigint AS n
FROM geometrias_layer_day_live
WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date
GROUP BY 1, 2`,
    },
  },
};
