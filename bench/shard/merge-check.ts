import { GeobenchError } from '../core/errors.ts';
import { decodeHistogram, LATENCY_HISTOGRAM_CONFIG } from '../metrics/histogram.ts';
import { signatureDifferences, type ShardRecord } from './shard-record.ts';

const refuse = (message: string): GeobenchError => new GeobenchError(message, { exitCode: 2 });

/**
 * Refuses (exit 2, naming the shard and the difference) shards that cannot be added up: another
 * run, a duplicate index, another scenario, seed, dataset checksum, geobench version or histogram
 * settings — checked on the signature and on every stored histogram itself. Pure.
 */
export function checkShards(records: readonly ShardRecord[]): void {
  if (records.length === 0) throw refuse('no shard to merge');
  const ref = records.find((r) => r.index === 0) ?? records[0]!;
  const seen = new Set<number>();
  for (const r of records) {
    if (r.runId !== ref.runId) throw refuse(`shard ${r.index} belongs to run ${r.runId}, shard ${ref.index} to run ${ref.runId}`);
    if (seen.has(r.index)) throw refuse(`shard ${r.index} of run ${r.runId} is given twice`);
    seen.add(r.index);
    if (r.count !== ref.count || r.index >= r.count) throw refuse(`shard ${r.index} was started as one of ${r.count} shards, shard ${ref.index} as one of ${ref.count}`);
    const diffs = r === ref ? [] : signatureDifferences(ref.signature, r.signature)
      // A shard that died before the variants were prepared never learned the checksum.
      .filter((d) => !(d.startsWith('datasetChecksum:') && (r.signature.datasetChecksum === null || ref.signature.datasetChecksum === null)));
    if (diffs.length) throw refuse(`shard ${r.index} differs from shard ${ref.index}: ${diffs.join('; ')}`);
    checkHistograms(r);
  }
}

function checkHistograms(r: ShardRecord): void {
  const want = LATENCY_HISTOGRAM_CONFIG;
  for (const part of r.segments) for (const report of part.reports) {
    let h;
    try {
      h = decodeHistogram(report.encoded);
    } catch (err) {
      throw refuse(`shard ${r.index}, segment ${part.index}, ${report.queryType}: ${(err as Error).message}`);
    }
    const got = { lowestDiscernibleValue: h.lowestDiscernibleValue, highestTrackableValue: h.highestTrackableValue, numberOfSignificantValueDigits: h.numberOfSignificantValueDigits };
    for (const k of Object.keys(got) as Array<keyof typeof got>) {
      if (got[k] !== want[k]) throw refuse(`shard ${r.index}, segment ${part.index}, ${report.queryType}: histogram ${k} is ${got[k]}, this geobench records with ${want[k]}`);
    }
  }
}
