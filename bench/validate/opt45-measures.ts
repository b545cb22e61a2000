/**
 * Pure helpers of the OPT4/OPT5 validator (bench/validate/opt45.ts): partition pruning from an
 * EXPLAIN, the worst-case staleness of a scheduled refresh, the refresh overhead share, and the
 * database time per operation of a load run charged at the stated production rate. No I/O here, so each is unit-tested on its own.
 */
import { cronFieldValues, runsPerHour } from '../analysis/cron-schedule.ts';
import { summarizePlan, type ExplainJson, type ExplainResult } from '../evidence/plan-summary.ts';
import type { RunResult } from '../formats/run-result.ts';

export interface PruningMeasure {
  /** Partitions of the table the plan still reads (scan nodes), sorted; empty ones included. */
  readonly scanned: readonly string[];
  /** The scanned partitions that hold rows: what the share counts. */
  readonly scannedWithData: number;
  /** Partitions that hold rows (exact EXISTS per partition at measurement time). */
  readonly withData: number;
  /** Partitions the table has (the default partition and empty premade months included). */
  readonly total: number;
  /** 1 − scannedWithData / withData; null when no partition holds rows. */
  readonly share: number | null;
}

/**
 * Share of the partitions that hold data a plan skips: 1 − (data-holding partitions its scan
 * nodes read) / (data-holding partitions). Empty partitions (OPT4 premakes 36 future months) are
 * left out of both sides: skipping a month that holds nothing saves nothing, and counting them
 * let any query that reads 2 of 36 data months score 1 − 2/78. `partitions` are the table's
 * partition names (e.g. from geometrias_partitions()), `withData` those that hold rows;
 * relations of the plan that are not partitions (other tables, views) are ignored. Works on
 * EXPLAIN with or without ANALYZE: partitions pruned at plan time do not appear in the plan, those
 * pruned at executor start-up ("Subplans Removed") have no node either.
 */
export function partitionPruning(plan: ExplainJson | ExplainResult, partitions: readonly string[], withData: readonly string[]): PruningMeasure {
  const names = new Set(partitions);
  const data = new Set(withData.filter((p) => names.has(p)));
  const scanned = [...new Set(summarizePlan(plan).relationsScanned.filter((r) => names.has(r)))].sort();
  const scannedWithData = scanned.filter((p) => data.has(p)).length;
  return { scanned, scannedWithData, withData: data.size, total: names.size, share: data.size > 0 ? 1 - scannedWithData / data.size : null };
}

/**
 * The longest gap (seconds) between two consecutive runs of a pg_cron schedule: what a reader can
 * see as the view's age just before the next refresh starts. Exact for schedules whose three day
 * fields are `*` (every day alike: minute × hour lists, ranges, steps, `@hourly`/`@daily` macros)
 * and for `N seconds`; for schedules restricted to some days it falls back to the mean interval
 * (3600 / runs per hour) and says so with `exact: false`. Throws on a schedule it cannot read.
 */
export function longestScheduleGapSec(schedule: string): { gapSec: number; exact: boolean } {
  const text = schedule.trim().toLowerCase();
  const seconds = /^(\d+)\s+seconds?$/.exec(text);
  if (seconds) return { gapSec: Number(seconds[1]), exact: true };
  const macros: Record<string, string> = { '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *' };
  const fields = (macros[text] ?? text).split(/\s+/);
  if (fields.length !== 5) throw new Error(`not a cron schedule: '${schedule}'`);
  if (fields[2] !== '*' || fields[3] !== '*' || fields[4] !== '*') {
    return { gapSec: 3600 / runsPerHour(schedule), exact: false };
  }
  const minutes = [...cronFieldValues(fields[0]!, 0, 59)];
  const hours = [...cronFieldValues(fields[1]!, 0, 23)];
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  let gap = times[0]! + 1440 - times[times.length - 1]!;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return { gapSec: gap * 60, exact: true };
}

export interface ScheduledStaleness {
  readonly schedule: string;
  /** Longest gap between two runs of the schedule, s. */
  readonly intervalSec: number;
  readonly intervalExact: boolean;
  /** Measured duration of one refresh, s. */
  readonly refreshSec: number;
  /** intervalSec + refreshSec: a write just after a refresh started is visible only when the next one ends. */
  readonly worstSec: number;
}

/**
 * Worst-case staleness of a view refreshed on a schedule: a row written just after a refresh took
 * its snapshot waits for the next run (the schedule's longest gap) and that run's duration.
 */
export function scheduledStaleness(schedule: string, refreshMs: number): ScheduledStaleness {
  const { gapSec, exact } = longestScheduleGapSec(schedule);
  const refreshSec = refreshMs / 1000;
  return { schedule, intervalSec: gapSec, intervalExact: exact, refreshSec, worstSec: gapSec + refreshSec };
}

export interface RefreshCost {
  readonly jobname: string;
  readonly schedule: string;
  readonly runsPerHour: number;
  /** Measured duration of one refresh, ms. */
  readonly durationMs: number;
  /** durationMs × runsPerHour. */
  readonly msPerHour: number;
}

/** The cost rate of each refresh job at its production schedule: measured duration × runs per hour. */
export function refreshCosts(jobs: readonly { jobname: string; schedule: string; durationMs: number }[]): RefreshCost[] {
  return jobs.map((j) => {
    const perHour = runsPerHour(j.schedule);
    return { jobname: j.jobname, schedule: j.schedule, runsPerHour: perHour, durationMs: j.durationMs, msPerHour: j.durationMs * perHour };
  });
}

/**
 * Share of database time spent refreshing: refresh ms per hour / (refresh ms per hour + workload
 * database ms per hour). null when the workload's time is unknown or both are zero.
 */
export function refreshOverheadShare(refreshMsPerHour: number, workloadMsPerHour: number | null): number | null {
  if (workloadMsPerHour === null || !Number.isFinite(workloadMsPerHour) || !Number.isFinite(refreshMsPerHour)) return null;
  const total = refreshMsPerHour + workloadMsPerHour;
  return total > 0 ? refreshMsPerHour / total : null;
}

export interface WorkloadDbTime {
  /** Σ pg_stat_statements exec + plan time of the workload's statements over the measured windows, ms. */
  readonly statementMs: number;
  /** Operations completed in those windows (all query types). */
  readonly operations: number;
  readonly measuredSec: number;
  /** statementMs / operations. */
  readonly msPerOperation: number;
  readonly segments: number;
}

type SegmentsAndTimelines = { segments: RunResult['segments']; results: Pick<RunResult['results'], 'timelines'> };

/**
 * Database time per operation of a variant under a load run: Σ over its segments of the workload
 * statements' execution + planning time (pg_stat_statements deltas of the measured windows) / Σ
 * the operations completed in them. Per operation, not per second: the harness's rate (closed
 * loop, --connections) must not set the denominator of a production cost. null when no segment
 * carries statement evidence and operations.
 */
export function workloadDbTimePerOperation(result: SegmentsAndTimelines, variant: string): WorkloadDbTime | null {
  let ms = 0;
  let ops = 0;
  let sec = 0;
  let n = 0;
  for (const s of result.segments) {
    if (s.variant !== variant || !(s.measuredSec > 0)) continue;
    const ev = s.evidence as { available?: boolean; statements?: { available?: boolean; incomplete?: boolean; byType?: Record<string, { totalExecMs?: number; totalPlanMs?: number }> } } | null;
    // A window in which pg_stat_statements evicted entries or was reset holds lower bounds: left out.
    const byType = ev?.available && ev.statements?.available && !ev.statements.incomplete ? ev.statements.byType : undefined;
    const timeline = result.results.timelines.find((t) => t.key.variant === s.variant && t.key.repetition === s.repetition && t.key.queryType === '*');
    const segOps = timeline?.totals.ops ?? 0;
    if (!byType || !(segOps > 0)) continue;
    for (const c of Object.values(byType)) ms += (c.totalExecMs ?? 0) + (c.totalPlanMs ?? 0);
    ops += segOps;
    sec += s.measuredSec;
    n++;
  }
  if (n === 0 || ops <= 0) return null;
  return { statementMs: ms, operations: ops, measuredSec: sec, msPerOperation: ms / ops, segments: n };
}

/** Workload database ms per hour at a stated production rate: ms per operation × ops/s × 3600. */
export function workloadMsPerHourAt(msPerOperation: number, productionOpsPerSec: number): number {
  return msPerOperation * productionOpsPerSec * 3600;
}

/** The q-quantile (0..1) of samples, nearest rank; null for none. */
export function quantile(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median: the middle sample, the mean of the two middle ones for an even count; null for none. */
export function median(samples: readonly number[]): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
