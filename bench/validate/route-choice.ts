/**
 * Which routes a validator's optimized variant takes for the query types OPT3 and OPT5 serve
 * (see `routes` in bench/queries/). The choice depends on what the variant has:
 * - OPT3 without OPT5: Q5 through RPC layer_stats (per-day view + partial days) and Q7 from the
 *   per-day view. Both are stale-bounded (the view is as of its last refresh), and every KPI line
 *   using them shows the staleness measured during the run.
 * - OPT5 as well: Q5 and Q7 from OPT5's trigger-maintained live summary: exact under writes.
 * Q1 and Q8 also have RPC routes (search_bbox, get_by_ids), but those functions read the same table
 * through the same indexes and return more (props, GeoJSON): routing them measures the API's cost,
 * not OPT3's, so they stay off. Q6's function (search_layer_time) filters on the representative
 * point and pages 100 rows — another answer — so Q6 has no route.
 */
import type { Migration } from '../migrate/catalog.ts';

/** OPT3's views, stale-bounded. */
export const OPT3_ROUTES = { Q5: 'rpc', Q7: 'mv' } as const;
/** OPT5's live summary, exact. */
export const OPT5_LIVE_ROUTES = { Q5: 'live', Q7: 'live' } as const;

/** The routes for a variant migrated to `migrateTo` in `catalog` (tags in order). Pure. */
export function routesForTarget(catalog: readonly Pick<Migration, 'tag'>[], migrateTo: string): Record<string, string> {
  const upTo = catalog.findIndex((m) => m.tag === migrateTo);
  const has = (tag: string): boolean => {
    const i = catalog.findIndex((m) => m.tag === tag);
    return i >= 0 && upTo >= 0 && i <= upTo;
  };
  if (has('OPT5')) return { ...OPT5_LIVE_ROUTES };
  if (has('OPT3')) return { ...OPT3_ROUTES };
  return {};
}
