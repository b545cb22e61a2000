import { connect } from '../db/connect.ts';
import { searchPath } from '../db/schema.ts';
import type { DbTarget } from '../db/target.ts';
import { createWorkerPool } from '../runtime/pool.ts';
import { stepProgress } from '../core/step-progress.ts';
import { recordSteps, stepKey } from '../core/step-rates.ts';
import { Checksum, sameChecksum, type ChecksumValue } from './checksum.ts';
import { requireCompleteManifest, type Manifest } from './manifest.ts';
import type { RowMismatches } from './worker.ts';

export interface VerifyResult {
  readonly ok: boolean;
  readonly manifest: Manifest;
  readonly actual: ChecksumValue;
  readonly badChunks: number[];
  /** Offending ids per kind, capped at `MAX_LISTED` each. */
  readonly mismatches: RowMismatches;
  /** Rows outside the dataset's id range (e.g. workload writes); not part of the checksum. */
  readonly rowsOutsideRange: number;
  readonly seconds: number;
}

const CHUNKS_PER_TASK = 25;
const MAX_DRILL_CHUNKS = 20;
export const MAX_LISTED = 50;

/**
 * Recomputes the checksum from the database (streamed in id ranges by a worker pool), compares
 * it chunk by chunk with the manifest, and for every mismatching chunk regenerates the expected
 * rows to name the missing, changed or duplicated ids.
 */
export async function verifyDataset(target: DbTarget, options: { workers: number; log?: (line: string) => void }): Promise<VerifyResult> {
  const result = await verifyChunks(target, options);
  // A clean verify's time is the step's rate (a failed one also drilled down: not comparable).
  if (result.ok) recordSteps([{ key: stepKey.verify, rows: result.manifest.totalRows, seconds: result.seconds }]);
  return result;
}

async function verifyChunks(target: DbTarget, options: { workers: number; log?: (line: string) => void }): Promise<VerifyResult> {
  const started = performance.now();
  const client = await connect(target, 'geobench-verify');
  let manifest: Manifest;
  let rowsOutsideRange: number;
  try {
    manifest = await requireCompleteManifest(client, target.schema, where(target));
    await client.query(`SET search_path = ${searchPath(target.schema)}`);
    const outside = await client.query('SELECT count(*)::bigint AS n FROM geometrias WHERE id < 1 OR id > $1', [manifest.totalRows]);
    rowsOutsideRange = Number(outside.rows[0].n);
  } finally {
    await client.end().catch(() => {});
  }
  const chunkCount = manifest.chunks!.length;
  const pool = createWorkerPool(new URL('./worker.ts', import.meta.url), options.workers);
  const progress = stepProgress({ label: `verify ${target.schema}`, total: manifest.totalRows, unit: 'rows', showRate: true });
  try {
    const tasks: Array<Promise<ChecksumValue[]>> = [];
    let rowsDone = 0;
    for (let from = 0; from < chunkCount; from += CHUNKS_PER_TASK) {
      const to = Math.min(chunkCount, from + CHUNKS_PER_TASK);
      const rows = Math.min(manifest.totalRows, to * manifest.chunkRows) - from * manifest.chunkRows;
      tasks.push(pool.run<ChecksumValue[]>('verifyRange', { client: target.client, schema: target.schema, fromChunk: from, toChunk: to }).then((sums) => {
        progress.update((rowsDone += rows));
        return sums;
      }));
    }
    const actualChunks = (await Promise.all(tasks).finally(() => progress.finish())).flat();
    const actual = new Checksum();
    const badChunks: number[] = [];
    actualChunks.forEach((c, i) => {
      actual.add(c);
      if (!sameChecksum(c, manifest.chunks![i]!)) badChunks.push(i);
    });
    const mismatches: { missing: number[]; changed: number[]; duplicated: number[] } = { missing: [], changed: [], duplicated: [] };
    // An imported dataset (manifest.source) has no generator to regenerate rows from: chunks only.
    if (badChunks.length > 0 && !manifest.source) {
      options.log?.(`${badChunks.length} chunk(s) differ; comparing their rows one by one`);
      const drills = await Promise.all(
        badChunks.slice(0, MAX_DRILL_CHUNKS).map((chunkIndex) =>
          pool.run<RowMismatches>('drillDown', { client: target.client, schema: target.schema, seed: manifest.seed, totalRows: manifest.totalRows, chunkIndex }),
        ),
      );
      for (const d of drills) {
        mismatches.missing.push(...d.missing);
        mismatches.changed.push(...d.changed);
        mismatches.duplicated.push(...d.duplicated);
      }
    }
    const cap = (ids: number[]): number[] => ids.sort((a, b) => a - b).slice(0, MAX_LISTED);
    const ok = badChunks.length === 0 && sameChecksum(actual.value(), manifest.checksum!);
    return {
      ok,
      manifest,
      actual: actual.value(),
      badChunks,
      mismatches: { missing: cap(mismatches.missing), changed: cap(mismatches.changed), duplicated: cap(mismatches.duplicated) },
      rowsOutsideRange,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await pool.destroy().catch(() => {});
  }
}

/** Where a dataset lives, for messages: server and schema. */
export function where(target: DbTarget): string {
  return `${target.display} schema ${target.schema}`;
}

/** Compresses sorted ids into ranges: [1,2,3,7] → "1-3, 7". */
export function formatIdRanges(ids: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < ids.length) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
