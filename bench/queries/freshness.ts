/**
 * The freshness declarations routes share: which materialized view a stale-bounded route reads, what
 * refreshes it, and how many written rows it misses (see RouteFreshness in types.ts).
 */
import type { RouteFreshness } from './types.ts';

/** Reads only tables that every write statement changes (the base table, a trigger-kept summary). */
export const LIVE: RouteFreshness = Object.freeze({ kind: 'live' });

/** OPT3's per layer × UTC day view, refreshed hourly by OPT5's pg_cron job (never without OPT5). */
export const LAYER_DAY_VIEW: RouteFreshness = Object.freeze({
  kind: 'stale-bounded',
  source: 'vw_geometrias_layer_day',
  refreshedBy: "OPT5's hourly pg_cron job <schema>:refresh-layer_day (minute 12); below OPT5 only a manual REFRESH",
  // Net rows written since the last refresh (W1 only inserts, so these are the inserts the view misses).
  missedRowsSql: 'SELECT (SELECT count(*) FROM geometrias) - (SELECT coalesce(sum(n), 0) FROM vw_geometrias_layer_day) AS missed',
});

/** OPT3's one-row-per-geometry search view, refreshed hourly by OPT5's pg_cron job. */
export const SEARCH_VIEW: RouteFreshness = Object.freeze({
  kind: 'stale-bounded',
  source: 'vw_geometrias_search',
  refreshedBy: "OPT5's hourly pg_cron job <schema>:refresh-search (minute 42); below OPT5 only a manual REFRESH",
  missedRowsSql: 'SELECT (SELECT count(*) FROM geometrias) - (SELECT count(*) FROM vw_geometrias_search) AS missed',
});
