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
  /** Server memory (PSS, bytes) at the window's end; null when unavailable. */
  readonly serverPssBytes: number | null;
}

export interface RatioSummary {
  readonly baseline: number | null;
  readonly optimized: number | null;
  /** 1 − geometric mean of per-repetition optimized/baseline ratios (0.366 = 36.6% less). */
  readonly reduction: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly repetitions: number;
}

export interface OverheadAnalysis {
  readonly segments: readonly SegmentOverhead[];
  readonly overhead: RatioSummary;
  readonly cpu: RatioSummary;
  readonly memory: RatioSummary;
}

/** Maintenance cost rate of a variant: Σ over its jobs of mean duration (ms) × runs per hour. */
export type MaintenanceRates = Readonly<Record<string, number>>;

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

interface SegmentEvidenceShape {
  available?: boolean;
  statements?: { available?: boolean; byType?: Record<string, { totalExecMs?: number; totalPlanMs?: number }> };
  serverCpu?: { available?: boolean; seconds?: number };
  serverMemory?: { available?: boolean; pssBytes?: number };
}

export function segmentOverheads(result: RunResult, maintenanceMsPerHour: MaintenanceRates = {}): SegmentOverhead[] {
  const out: SegmentOverhead[] = [];
  for (const s of result.segments) {
    const ev = (s.evidence ?? {}) as SegmentEvidenceShape;
    const timeline = result.results.timelines.find((t) => t.key.variant === s.variant && t.key.repetition === s.repetition && t.key.queryType === '*');
    const ops = timeline?.totals.ops ?? 0;
    const byType = ev.available && ev.statements?.available ? ev.statements.byType ?? null : null;
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
    });
  }
  return out;
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
  const n = logs.length;
  if (n === 0) return { baseline: null, optimized: null, reduction: null, ciLow: null, ciHigh: null, repetitions: 0 };
  const mean = logs.reduce((s, v) => s + v, 0) / n;
  const avg = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  if (n >= 2) {
    const sd = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
    const half = (T975[Math.min(n - 1, T975.length) - 1] ?? 1.96) * (sd / Math.sqrt(n));
    // A higher ratio is a smaller reduction: the interval's ends swap.
    ciLow = 1 - Math.exp(mean + half);
    ciHigh = 1 - Math.exp(mean - half);
  }
  return { baseline: avg(b), optimized: avg(o), reduction: 1 - Math.exp(mean), ciLow, ciHigh, repetitions: n };
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
