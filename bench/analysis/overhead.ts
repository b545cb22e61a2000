/**
 * The roadmap's "combined overhead", defined as a measurement (docs/overhead.md):
 *
 *   overhead = database work per 1,000 workload operations
 *            = (server execution + planning time of the workload's statements, pg_stat_statements,
 *               over the measurement window — trigger work inside a write is part of its statement
 *             + maintenance time: each scheduled job's measured duration × its runs per hour,
 *               prorated to the window's length)
 *              / operations completed in the window × 1000            [ms per 1,000 operations]
 *
 * and, independently, server CPU seconds (all server processes, /proc) per 1,000 operations.
 * Per repetition: ratio optimized / baseline; combined reduction = 1 − geometric mean of the
 * ratios, with a 95% t-interval on the log ratios across repetitions. Pure.
 */
import type { RunResult } from '../formats/run-result.ts';
import { pairedRatio, type PairedRatio } from './paired.ts';

export interface SegmentOverhead {
  readonly variant: string;
  readonly repetition: number;
  readonly ops: number;
  readonly measuredSec: number;
  /** Σ total_exec_time + total_plan_time of the workload's statements in the window, ms. */
  readonly statementMs: number;
  /** Prorated maintenance, ms. */
  readonly maintenanceMs: number;
  /** (statementMs + maintenanceMs) / ops × 1000; null without ops or evidence. */
  readonly msPer1000: number | null;
  /** Server CPU seconds per 1,000 operations; null when CPU could not be read. */
  readonly cpuSecPer1000: number | null;
  /** Server memory (PSS, bytes): the largest sample taken while the load ran; null when unavailable. */
  readonly serverPssBytes: number | null;
  /** Why this segment has no statement time (no evidence, or a window that lost data); null when it has. */
  readonly statementsMissing: string | null;
}

export interface RatioSummary {
  readonly baseline: number | null;
  readonly optimized: number | null;
  /** 1 − geometric mean of per-repetition optimized/baseline ratios (0.366 = 36.6% less). */
  readonly reduction: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly repetitions: number;
  /** The paired interval of optimized/baseline behind the reduction (null without pairs). */
  readonly paired: PairedRatio | null;
}

export interface OverheadAnalysis {
  readonly segments: readonly SegmentOverhead[];
  readonly overhead: RatioSummary;
  readonly cpu: RatioSummary;
  readonly memory: RatioSummary;
}

/** Maintenance cost rate of a variant: Σ over its jobs of mean duration (ms) × runs per hour. */
export type MaintenanceRates = Readonly<Record<string, number>>;


interface SegmentEvidenceShape {
  available?: boolean;
  reason?: string;
  statements?: { available?: boolean; reason?: string; incomplete?: boolean; incompleteReason?: string | null; byType?: Record<string, { totalExecMs?: number; totalPlanMs?: number }> };
  serverCpu?: { available?: boolean; seconds?: number };
  serverMemory?: { available?: boolean; pssBytes?: number };
}

export function segmentOverheads(result: RunResult, maintenanceMsPerHour: MaintenanceRates = {}): SegmentOverhead[] {
  const out: SegmentOverhead[] = [];
  for (const s of result.segments) {
    const ev = (s.evidence ?? {}) as SegmentEvidenceShape;
    const timeline = result.results.timelines.find((t) => t.key.variant === s.variant && t.key.repetition === s.repetition && t.key.queryType === '*');
    const ops = timeline?.totals.ops ?? 0;
    const statementsMissing = missingStatements(ev);
    const byType = statementsMissing === null ? ev.statements?.byType ?? null : null;
    const statementMs = byType ? Object.values(byType).reduce((sum, c) => sum + (c.totalExecMs ?? 0) + (c.totalPlanMs ?? 0), 0) : NaN;
    const maintenanceMs = ((maintenanceMsPerHour[s.variant] ?? 0) * s.measuredSec) / 3600;
    const cpu = ev.available && ev.serverCpu?.available ? ev.serverCpu.seconds ?? null : null;
    out.push({
      variant: s.variant,
      repetition: s.repetition,
      ops,
      measuredSec: s.measuredSec,
      statementMs: Number.isFinite(statementMs) ? statementMs : 0,
      maintenanceMs,
      msPer1000: ops > 0 && Number.isFinite(statementMs) ? ((statementMs + maintenanceMs) / ops) * 1000 : null,
      cpuSecPer1000: ops > 0 && cpu !== null ? (cpu / ops) * 1000 : null,
      serverPssBytes: ev.available && ev.serverMemory?.available ? ev.serverMemory.pssBytes ?? null : null,
      statementsMissing,
    });
  }
  return out;
}

/**
 * Why a segment's statement evidence cannot be used, or null when it can. A window in which
 * pg_stat_statements evicted entries or was reset holds lower bounds: missing, never 0.
 */
function missingStatements(ev: SegmentEvidenceShape): string | null {
  if (!ev.available) return ev.reason ?? 'no evidence for this segment';
  if (!ev.statements?.available) return ev.statements?.reason ?? 'no pg_stat_statements evidence';
  if (ev.statements.incomplete) return ev.statements.incompleteReason ?? 'pg_stat_statements lost data during the window';
  return null;
}

/** Per-repetition ratios of `pick` (optimized over baseline), summarized. */
export function ratioSummary(segments: readonly SegmentOverhead[], baseline: string, optimized: string, pick: (s: SegmentOverhead) => number | null): RatioSummary {
  const logs: number[] = [];
  const b: number[] = [];
  const o: number[] = [];
  const reps = [...new Set(segments.map((s) => s.repetition))].sort((x, y) => x - y);
  for (const r of reps) {
    const x = segments.find((s) => s.variant === baseline && s.repetition === r);
    const y = segments.find((s) => s.variant === optimized && s.repetition === r);
    const vx = x ? pick(x) : null;
    const vy = y ? pick(y) : null;
    if (vx === null || vy === null || !(vx > 0) || !(vy > 0)) continue;
    b.push(vx);
    o.push(vy);
    logs.push(Math.log(vy / vx));
  }
  const paired = pairedRatio(logs);
  if (!paired) return { baseline: null, optimized: null, reduction: null, ciLow: null, ciHigh: null, repetitions: 0, paired: null };
  const avg = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
  // A higher ratio is a smaller reduction: the interval's ends swap.
  return {
    baseline: avg(b),
    optimized: avg(o),
    reduction: 1 - paired.ratio,
    ciLow: paired.ratioHigh === null ? null : 1 - paired.ratioHigh,
    ciHigh: paired.ratioLow === null ? null : 1 - paired.ratioLow,
    repetitions: paired.n,
    paired,
  };
}

export function analyzeOverhead(result: RunResult, baseline: string, optimized: string, maintenanceMsPerHour: MaintenanceRates = {}): OverheadAnalysis {
  const segments = segmentOverheads(result, maintenanceMsPerHour);
  return {
    segments,
    overhead: ratioSummary(segments, baseline, optimized, (s) => s.msPer1000),
    cpu: ratioSummary(segments, baseline, optimized, (s) => s.cpuSecPer1000),
    memory: ratioSummary(segments, baseline, optimized, (s) => s.serverPssBytes),
  };
}
