/**
 * Checklist item "Refresh overhead share of database time": the scheduled refreshes' cost per
 * hour at their production schedules against the standard workload's database time per hour at
 * the stated production load (scenarios/production-load.json).
 */
import type { RunResult } from '../../formats/run-result.ts';
import { targetCheck, type Check } from '../checks.ts';
import { refreshCosts, refreshOverheadShare, workloadDbTimePerOperation, workloadMsPerHourAt, type RefreshCost, type WorkloadDbTime } from '../opt45-measures.ts';
import type { ProductionLoad } from '../production-load.ts';
import { refreshRuns, type ForcedJobResult } from './forced-runs.ts';
import { AFTER } from './shared.ts';
import type { Targets } from '../targets.ts';

export interface RefreshOverhead {
  readonly refreshMsPerHour: number;
  readonly costs: RefreshCost[];
  readonly workload: WorkloadDbTime | null;
  readonly production: ProductionLoad;
  /** workload.msPerOperation × production ops/s × 3600. */
  readonly workloadMsPerHour: number | null;
  readonly share: number | null;
}

export function refreshOverhead(forced: readonly ForcedJobResult[], run: RunResult | null, production: ProductionLoad, loadError: string | null, targets: Targets): { check: Check; overhead: RefreshOverhead } {
  const refresh = refreshRuns(forced);
  const costs = refreshCosts(refresh.filter((f) => f.refresh).map((f) => ({ jobname: f.jobname, schedule: f.schedule, durationMs: f.refresh!.durationMs })));
  const refreshMsPerHour = costs.reduce((s, c) => s + c.msPerHour, 0);
  const workload = run ? workloadDbTimePerOperation(run, AFTER) : null;
  const workloadMsPerHour = workload ? workloadMsPerHourAt(workload.msPerOperation, production.opsPerSec) : null;
  const missing = refresh.filter((f) => !f.refresh).map((f) => f.task);
  const share = missing.length || refresh.length === 0 ? null : refreshOverheadShare(refreshMsPerHour, workloadMsPerHour);
  const overhead = { refreshMsPerHour, costs, workload, production, workloadMsPerHour, share };
  const check = targetCheck(`Refresh overhead share of database time (standard workload at the stated production load, ${production.opsPerSec} ops/s)`, targets.get('opt45.refresh_overhead'), share, {
    method: `refresh ms per hour = Σ over the refresh jobs of the forced run's mv_refresh_log.duration_ms × runs per hour of its production schedule; workload ms per hour = (Σ pg_stat_statements exec + plan time of the standard mix (Q1–Q8 + W1, Q5/Q7 routed to OPT3) / operations completed, from the load run on this schema) × the stated production load (${production.opsPerSec} ops/s, ${production.source}) × 3600; share = refresh / (refresh + workload). Per operation, so the harness's --connections does not change it. The refreshes were measured while the load ran (both slowed by each other on a shared machine).`,
    ...overhead, loadError,
  }, missing.length ? `no measured refresh for ${missing.join(', ')}` : loadError ?? undefined);
  return { check, overhead };
}
