/**
 * results/<run-id>/result.json — documented in docs/results.md: the type every producer writes and
 * every reader reads, and the zod schema a reader checks a file against. Imports only the ground
 * floor: load/ writes it, analysis/, report/, nightly/ and validate/ read it, none of them through
 * another. Bump RESULT_SCHEMA_VERSION on any incompatible change; readers refuse versions they do
 * not know.
 */
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import type { ComparisonRecord, PlanRecord, RepetitionSummaryRecord, RunMetadata, TimelineRecord, VariantStatsRecord } from './run-records.ts';

export const RESULT_SCHEMA_VERSION = 1;

export type RunStatus = 'complete' | 'incomplete' | 'failed';

export interface KpiRecord {
  readonly label: string;
  readonly scope: string;
  readonly variant: string;
  readonly target: string;
  /** Canonical unit of the target (µs, fraction, ops/s); null = not measured. */
  readonly achieved: number | null;
  readonly pass: boolean | null;
  readonly text: string;
}

export interface SegmentRecord {
  readonly index: number;
  readonly repetition: number;
  readonly variant: string;
  /** Position within its repetition (0 = first; the plan alternates A B / B A). Absent in older results. */
  readonly orderInRepetition?: number;
  readonly measuredSec: number;
  /** When the measurement window began (ISO), to place events (e.g. maintenance runs) on timelines. */
  readonly measureStartedAt?: string | null;
  readonly stoppedEarly: string | null;
  readonly warmupOps: number;
  readonly errorMessages: Record<string, number>;
  /** Open model: scheduler counters and schedule lag (µs) over the measurement. */
  readonly schedule: { intended: number; sent: number; skipped: number; late: number; completed: number; lag: unknown } | null;
  /** Server-side deltas over the measurement window (bench/evidence). */
  readonly evidence: unknown;
}

export interface VariantRecord {
  readonly name: string;
  readonly schema: string;
  readonly migrateTo: string;
  readonly applied: readonly string[];
  readonly reused: boolean;
  readonly sizes: unknown;
  /** Query type → plan file (relative to the run folder) and its summary. */
  readonly plans: Record<string, { file: string; summary: unknown }>;
}

export interface RunResult {
  readonly schemaVersion: typeof RESULT_SCHEMA_VERSION;
  readonly tool: 'geobench';
  readonly runId: string;
  readonly status: RunStatus;
  readonly statusReason: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly scenario: { readonly name: string; readonly description: string; readonly plan: PlanRecord };
  /** Connection shown without credentials. */
  readonly target: { readonly kind: 'embedded' | 'external'; readonly display: string };
  readonly metadata: RunMetadata | null;
  readonly dataset: { readonly scale: number; readonly seed: number; readonly totalRows: number; readonly checksum: string | null };
  readonly variants: readonly VariantRecord[];
  readonly segments: readonly SegmentRecord[];
  readonly results: {
    readonly variants: readonly VariantStatsRecord[];
    readonly repetitions: readonly RepetitionSummaryRecord[];
    readonly timelines: readonly TimelineRecord[];
  };
  readonly comparisons: ReadonlyArray<ComparisonRecord | { baseline: string; optimized: string; unavailable: string }>;
  readonly kpis: readonly KpiRecord[];
  /** Things a reader must know to trust the numbers (e.g. an offered rate the server could not sustain). */
  readonly warnings: readonly string[];
  readonly files: { readonly hlog: string };
  /** A run merged from shards (`geobench merge`): each shard's part, clock and start skew. */
  readonly distributed?: DistributedRecord;
}

/** One shard's line in a merged result. Times in µs; rates in ops/s over the measured seconds. */
export interface ShardLineRecord {
  readonly index: number;
  /** finished: ran every segment; incomplete: finished but stopped early; missing: died or never arrived. */
  readonly status: 'finished' | 'incomplete' | 'missing';
  readonly reason: string | null;
  readonly connections: number | null;
  /** Open model: the rate this shard offered; closed model: null. */
  readonly offeredRate: number | null;
  readonly ops: number;
  readonly achievedRate: number | null;
  readonly errors: number;
  readonly timeouts: number;
  readonly segments: number;
  readonly clockOffsetMicros: number | null;
  readonly clockRttMicros: number | null;
  /** Largest lag of this shard's observed start behind the earliest shard's, over the segments. */
  readonly startSkewMicros: number | null;
}

export interface DistributedRecord {
  readonly runId: string;
  readonly shardCount: number;
  /** Largest spread of the shards' observed measurement starts in one segment (server clock). */
  readonly startSkewMicros: number | null;
  readonly shards: readonly ShardLineRecord[];
}

/** What a reader checks before it trusts a file: the envelope and the fields every reader uses. */
export const RunResultSchema = z.looseObject({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  tool: z.literal('geobench'),
  runId: z.string(),
  status: z.enum(['complete', 'incomplete', 'failed']),
  scenario: z.looseObject({ name: z.string(), plan: z.looseObject({}) }),
  dataset: z.looseObject({ scale: z.number(), seed: z.number() }),
  variants: z.array(z.looseObject({ name: z.string() })),
  segments: z.array(z.looseObject({ variant: z.string(), repetition: z.number() })),
  results: z.looseObject({ variants: z.array(z.looseObject({})), timelines: z.array(z.looseObject({})) }),
  kpis: z.array(z.looseObject({ target: z.string() })),
});

export const RESULT_FILE = 'result.json';
export const HLOG_FILE = 'latency.hlog';

/** Checks parsed JSON against the schema; `where` names the file in the error. */
export function parseRunResult(raw: unknown, where: string): RunResult {
  const parsed = RunResultSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GeobenchError(`${where} is not a geobench result (schema version ${RESULT_SCHEMA_VERSION}):\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return raw as RunResult;
}
