import type { DbTarget } from '../db/target.ts';
import { createWorkerPool } from '../runtime/pool.ts';
import { Checksum, type ChecksumValue } from './checksum.ts';
import { chunkCount } from './model.ts';

/** Per-chunk checksums of rows 1..rows of a schema, by the verifier's own code (dataset/worker.ts verifyRange). */
export async function checksumByChunks(target: DbTarget, rows: number, workers: number): Promise<{ total: ChecksumValue; perChunk: ChecksumValue[] }> {
  const chunks = chunkCount(rows);
  const pool = createWorkerPool(new URL('./worker.ts', import.meta.url), workers);
  try {
    const tasks: Array<Promise<ChecksumValue[]>> = [];
    for (let from = 0; from < chunks; from += 25) {
      tasks.push(pool.run<ChecksumValue[]>('verifyRange', { client: target.client, schema: target.schema, fromChunk: from, toChunk: Math.min(chunks, from + 25) }));
    }
    const perChunk = (await Promise.all(tasks)).flat();
    const total = new Checksum();
    perChunk.forEach((c) => total.add(c));
    return { total: total.value(), perChunk };
  } finally {
    await pool.destroy().catch(() => {});
  }
}

