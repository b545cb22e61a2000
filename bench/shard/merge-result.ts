import { judge, parseKpiTarget } from '../analysis/kpi.ts';
import { analyzeRun, segmentKey } from '../analysis/run-analysis.ts';
import { measuredValue } from '../analysis/run-metrics.ts';
import { HLOG_FILE, type KpiRecord, type RunResult, type SegmentRecord, type VariantRecord } from '../formats/run-result.ts';
import { sustainWarnings } from '../load/run.ts';
import { decodeHistogram, summarize } from '../metrics/histogram.ts';
import { writeHistogramLog } from '../metrics/hlog.ts';
import type { IntervalReport } from '../metrics/timeline.ts';
import type { ShardRecord, ShardSegmentPart } from './shard-record.ts';
import { shardLines, startSkews } from './shard-lines.ts';

export interface MergedRun {
  readonly result: RunResult;
  /** latency.hlog text: every shard's interval histograms, added per interval and key. */
  readonly hlog: string;
  /** Plan files of the coordinator (relative path → content). */
  readonly planFiles: Record<string, string>;
}

/**
 * One result of the same form as a one-process run from checked shard records (checkShards):
 * the interval histograms of all shards go through the same analysis as a single process's
 * workers (histograms added: lossless), counters summed, evidence and plans from the
 * coordinator. Incomplete when any shard is missing or stopped early, naming it. Pure.
 */
export function mergeShardRecords(records: readonly ShardRecord[], finishedAt: string): MergedRun {
  const ref = records.find((r) => r.index === 0) ?? records[0]!;
  const plan = ref.plan;
  const coord = records.find((r) => r.index === 0)?.coordinator ?? null;
  const reports: IntervalReport[] = records.flatMap((r) => r.segments.flatMap((p) => p.reports));
  const partsOf = (index: number): ShardSegmentPart[] => records.flatMap((r) => r.segments.filter((p) => p.index === index));
  // Every shard measures the same window: its length is the longest any shard measured.
  const measuredSec = new Map(plan.segments.map((s) => [segmentKey(s.variant, s.repetition), Math.max(0, ...partsOf(s.index).map((p) => p.measuredSec))]));
  const analysis = analyzeRun({ reports, measuredSec, variants: plan.variants.map((v) => v.name), baseline: plan.baseline, seed: `${plan.paramSeed}` });
  const kpis: KpiRecord[] = plan.kpis.map((k) => {
    const target = parseKpiTarget(k.target.source);
    const verdict = judge(target, measuredValue(analysis, target, k.scope, k.variant, plan.baseline));
    return { label: k.label ?? target.source, scope: k.scope, variant: k.variant, target: target.source, achieved: verdict.achieved, pass: verdict.pass, text: verdict.text };
  });
  const segments: SegmentRecord[] = plan.segments.map((s) => mergedSegment(s, partsOf(s.index), coord?.evidence[s.index] ?? null));
  const lines = shardLines(records, ref.count, plan.segments.length);
  const skews = startSkews(records);
  const notFinished = lines.filter((l) => l.status !== 'finished');
  const firstStart = Math.min(...records.flatMap((r) => r.segments.map((p) => p.agreedStartAt ?? Number.POSITIVE_INFINITY)));
  const result: RunResult = {
    schemaVersion: 1,
    tool: 'geobench',
    runId: ref.runId,
    status: notFinished.length === 0 ? 'complete' : 'incomplete',
    statusReason: notFinished.length === 0 ? null : notFinished.map((l) => `shard ${l.index} ${l.status}: ${l.reason}`).join('; '),
    startedAt: coord?.startedAt ?? new Date(Number.isFinite(firstStart) ? firstStart / 1000 : Date.now()).toISOString(),
    finishedAt,
    scenario: { name: plan.scenario, description: plan.description, plan },
    target: coord?.target ?? { kind: 'external', display: 'unknown (the coordinator, shard 0, left no record)' },
    metadata: coord?.metadata ?? null,
    dataset: { scale: plan.dataset.scale, seed: plan.dataset.seed, totalRows: plan.dataset.totalRows, checksum: ref.signature.datasetChecksum },
    variants: coord?.variants ?? plan.variants.map((v): VariantRecord => ({ name: v.name, schema: v.schema, migrateTo: v.migrateTo, applied: [], reused: true, sizes: { available: false, reason: 'the coordinator (shard 0) left no record' }, plans: {} })),
    segments,
    results: { variants: analysis.variants, repetitions: analysis.repetitions, timelines: analysis.timelines },
    comparisons: analysis.comparisons,
    kpis,
    warnings: sustainWarnings(plan, segments),
    files: { hlog: HLOG_FILE },
    distributed: { runId: ref.runId, shardCount: ref.count, startSkewMicros: skews.overall, shards: lines },
  };
  const hlog = writeHistogramLog(reports, {
    startTimeMs: Number.isFinite(firstStart) ? firstStart / 1000 : Date.parse(result.startedAt),
    comments: [`geobench run ${ref.runId}, scenario ${plan.scenario}, merged from ${records.length} of ${ref.count} shard(s)`, 'latencies in microseconds; tags: variant, repetition, query type'],
  });
  return { result, hlog, planFiles: coord?.planFiles ?? {} };
}

function mergedSegment(s: ShardRecord['plan']['segments'][number], parts: readonly ShardSegmentPart[], evidence: unknown): SegmentRecord {
  const errorMessages: Record<string, number> = {};
  for (const p of parts) for (const [m, n] of Object.entries(p.errorMessages)) errorMessages[m] = (errorMessages[m] ?? 0) + n;
  const schedules = parts.map((p) => p.schedule).filter((x) => x !== null);
  const lags = parts.flatMap((p) => p.lagEncoded.map(decodeHistogram));
  const lag = lags.length ? lags.reduce((a, b) => (a.add(b), a)) : null;
  const sum = (k: keyof NonNullable<ShardSegmentPart['schedule']>): number => schedules.reduce((n, x) => n + x[k], 0);
  const starts = parts.map((p) => p.agreedStartAt).filter((x) => x !== null);
  return {
    index: s.index,
    repetition: s.repetition,
    variant: s.variant,
    orderInRepetition: s.orderInRepetition,
    measuredSec: Math.max(0, ...parts.map((p) => p.measuredSec)),
    measureStartedAt: starts.length ? new Date(Math.min(...starts) / 1000).toISOString() : null,
    stoppedEarly: parts.map((p) => p.stoppedEarly).find((x) => x !== null) ?? null,
    warmupOps: parts.reduce((n, p) => n + p.warmupOps, 0),
    errorMessages,
    schedule: schedules.length ? { intended: sum('intended'), sent: sum('sent'), skipped: sum('skipped'), late: sum('late'), completed: sum('completed'), lag: lag ? summarize(lag) : null } : null,
    evidence,
  };
}
