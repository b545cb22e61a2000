import type { IntervalReport } from '../metrics/timeline.ts';
import type { RunPlan } from '../load/plan.ts';
import type { RunMetadata } from '../formats/run-records.ts';
import type { VariantRecord } from '../formats/run-result.ts';

/** What must be equal in every shard of one run for their histograms to be added. */
export interface ShardSignature {
  readonly geobenchVersion: string;
  readonly scenario: string;
  readonly histogram: { readonly lowestDiscernibleValue: number; readonly highestTrackableValue: number; readonly numberOfSignificantValueDigits: number };
  readonly datasetChecksum: string | null;
  readonly datasetSeed: number;
  readonly scale: number;
  readonly paramSeed: number;
  readonly shardCount: number;
  readonly loadModel: string;
  readonly totalConnections: number;
  readonly totalRate: number | null;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly segments: string;
}

/** One shard's part of one segment: its interval histograms and counters. */
export interface ShardSegmentPart {
  readonly index: number;
  readonly measuredSec: number;
  /** The agreed start and this shard's observed start, server clock, µs since the epoch. */
  readonly agreedStartAt: number | null;
  readonly observedStartAt: number | null;
  readonly warmupOps: number;
  readonly errorMessages: Record<string, number>;
  readonly schedule: { intended: number; sent: number; skipped: number; late: number; completed: number } | null;
  readonly lagEncoded: string[];
  readonly stoppedEarly: string | null;
  readonly reports: readonly IntervalReport[];
}

/** What only the coordinator knows: the evidence, plans and metadata of the run. */
export interface CoordinatorPart {
  readonly startedAt: string;
  readonly target: { readonly kind: 'embedded' | 'external'; readonly display: string };
  readonly metadata: RunMetadata | null;
  readonly variants: readonly VariantRecord[];
  /** Segment index → server-side evidence over its window. */
  readonly evidence: Record<number, unknown>;
  /** Plan files (relative path → content) as the one-process run writes them. */
  readonly planFiles: Record<string, string>;
}

/** Everything merge needs of one shard; stored as rows in geobench_coord or as shard.json in a folder. */
export interface ShardRecord {
  readonly runId: string;
  readonly index: number;
  readonly count: number;
  readonly signature: ShardSignature;
  /** The whole run's plan (not this shard's part). */
  readonly plan: RunPlan;
  readonly connections: number;
  /** Open model: this shard's offered rate (ops/s). */
  readonly offeredRate: number | null;
  readonly clock: { readonly offsetMicros: number; readonly rttMicros: number };
  readonly finished: boolean;
  readonly status: string | null;
  readonly statusReason: string | null;
  readonly finishedAt: string | null;
  readonly segments: readonly ShardSegmentPart[];
  readonly coordinator: CoordinatorPart | null;
}

export const SHARD_FILE = 'shard.json';

/** The fields of two signatures that differ, as "field: a vs b" (empty = compatible). Pure. */
export function signatureDifferences(a: ShardSignature, b: ShardSignature): string[] {
  const out: string[] = [];
  for (const key of Object.keys(a) as Array<keyof ShardSignature>) {
    const x = JSON.stringify(a[key]);
    const y = JSON.stringify(b[key]);
    if (x !== y) out.push(`${key}: ${x} vs ${y}`);
  }
  return out;
}
