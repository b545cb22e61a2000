import { defineScenario } from '../bench/scenario/schema.ts';
import { OPT3_ROUTES, STANDARD_MIX } from '../bench/validate/comparison-run.ts';

/**
 * Roadmap step OPT3 (indexed materialized views + RPC search functions): the standard mix before
 * OPT3 (OPT1 + OPT2) and after it, where the query types OPT3 was built for are answered by its
 * objects — Q5 by RPC layer_stats (per-day view + partial days, exact), Q7 by the per-day view
 * (exact for whole months); see OPT3_ROUTES for why Q1/Q8's API routes are off. A third variant
 * also sends Q1 and Q8 through the API functions (search_bbox, get_by_ids) to show what the API's
 * answer (ordered page, props, GeoJSON) costs. Same seeded parameters everywhere. The first two
 * variant names are `validate opt3`'s, so they share its prepared schemas.
 */
export default defineScenario({
  name: 'opt3-views-rpc',
  description: 'Standard mix on 1.24M geometries: before OPT3 vs OPT3 with Q5/Q7 routed to its views (and Q1/Q8 through its API)',
  dataset: { scale: 0.1, seed: 1 },
  variants: [
    { name: 'opt3_before', migrateTo: 'OPT2', description: 'OPT1 + OPT2: every query on geometrias' },
    { name: 'opt3_after', migrateTo: 'OPT3', description: 'OPT3: Q5 via RPC layer_stats, Q7 via vw_geometrias_layer_day', routes: { ...OPT3_ROUTES } },
    { name: 'opt3_api', migrateTo: 'OPT3', description: 'OPT3 + Q1 via RPC search_bbox, Q8 via RPC get_by_ids', routes: { ...OPT3_ROUTES, Q1: 'rpc', Q8: 'rpc' } },
  ],
  workload: { ...STANDARD_MIX },
  load: { model: 'closed', connections: 4 },
  warmupSec: 5,
  durationSec: 20,
  repetitions: 3,
  statementTimeoutMs: 30_000,
  kpis: [
    // Roadmap OPT3: "RPC function latency: -90%"; judged per routed type on mean latency.
    { scope: 'Q5', variant: 'opt3_after', target: 'mean_change < -90%', label: 'Q5 via layer_stats: mean latency −90%' },
    { scope: 'Q7', variant: 'opt3_after', target: 'mean_change < -90%', label: 'Q7 via vw_geometrias_layer_day: mean latency −90%' },
    { scope: 'all', target: 'error_rate < 0.5%', label: 'system stability (errors < 0.5%)' },
  ],
});
