import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { Comparison, RepetitionSummary } from '../analysis/compare.ts';
import type { VariantStats } from '../analysis/run-analysis.ts';
import type { Timeline } from '../metrics/timeline.ts';
import type { RunPlan } from '../load/plan.ts';
import type { RunMetadata } from './metadata.ts';

/**
 * results/<run-id>/result.json — documented in docs/results.md. Bump RESULT_SCHEMA_VERSION on any
 * incompatible change; readers refuse versions they do not know.
 */
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
  readonly scenario: { readonly name: string; readonly description: string; readonly plan: RunPlan };
  /** Connection shown without credentials. */
  readonly target: { readonly kind: 'embedded' | 'external'; readonly display: string };
  readonly metadata: RunMetadata | null;
  readonly dataset: { readonly scale: number; readonly seed: number; readonly totalRows: number; readonly checksum: string | null };
  readonly variants: readonly VariantRecord[];
  readonly segments: readonly SegmentRecord[];
  readonly results: {
    readonly variants: readonly VariantStats[];
    readonly repetitions: readonly RepetitionSummary[];
    readonly timelines: readonly Timeline[];
  };
  readonly comparisons: ReadonlyArray<Comparison | { baseline: string; optimized: string; unavailable: string }>;
  readonly kpis: readonly KpiRecord[];
  /** Things a reader must know to trust the numbers (e.g. an offered rate the server could not sustain). */
  readonly warnings: readonly string[];
  readonly files: { readonly hlog: string };
}

const ResultShape = z.looseObject({
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

export function writeResult(dir: string, result: RunResult): string {
  const file = path.join(dir, RESULT_FILE);
  writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Reads and validates a result file (or a run folder holding one). */
export function readResult(fileOrDir: string): RunResult {
  const file = fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory() ? path.join(fileOrDir, RESULT_FILE) : fileOrDir;
  if (!fs.existsSync(file)) throw new GeobenchError(`no result file at ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GeobenchError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ResultShape.safeParse(raw);
  if (!parsed.success) {
    throw new GeobenchError(`${file} is not a geobench result (schema version ${RESULT_SCHEMA_VERSION}):\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return raw as RunResult;
}
