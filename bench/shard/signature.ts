import { LATENCY_HISTOGRAM_CONFIG } from '../metrics/histogram.ts';
import type { RunPlan } from '../load/plan.ts';
import type { ShardSignature } from './shard-record.ts';

/** What a shard must agree on with every other shard of its run (see signatureDifferences). Pure. */
export function shardSignature(plan: RunPlan, shardCount: number, geobenchVersion: string, datasetChecksum: string | null): ShardSignature {
  return {
    geobenchVersion,
    scenario: plan.scenario,
    histogram: {
      lowestDiscernibleValue: LATENCY_HISTOGRAM_CONFIG.lowestDiscernibleValue,
      highestTrackableValue: LATENCY_HISTOGRAM_CONFIG.highestTrackableValue,
      numberOfSignificantValueDigits: LATENCY_HISTOGRAM_CONFIG.numberOfSignificantValueDigits,
    },
    datasetChecksum,
    datasetSeed: plan.dataset.seed,
    scale: plan.dataset.scale,
    paramSeed: plan.paramSeed,
    shardCount,
    loadModel: plan.load.model,
    totalConnections: plan.load.connections,
    totalRate: plan.load.model === 'open' ? plan.load.rate : null,
    warmupSec: plan.warmupSec,
    durationSec: plan.durationSec,
    segments: plan.segments.map((s) => `${s.repetition}:${s.variant}`).join(','),
  };
}
