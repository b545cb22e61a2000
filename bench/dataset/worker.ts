/**
 * piscina worker for dataset generation and verification. Each export is one task kind
 * (pool.run(task, { name })). Tasks are chunk-sized so the ~0.1 ms per-task overhead vanishes.
 */
import type pg from 'pg';
import { CHUNK_ROWS } from './model.ts';
import { Checksum, lanesToHex, type ChecksumValue } from './checksum.ts';
import { generateChunk, chunkRows, type DatasetSpec } from './generator.ts';
import { streamCanonicalRows } from './db-rows.ts';

export interface GenerateTask extends DatasetSpec {
  readonly chunkIndex: number;
}

export function generate(task: GenerateTask): { chunkIndex: number; rows: number; copy: Uint8Array; checksum: ChecksumValue } {
  const out = generateChunk(task, task.chunkIndex);
  return { chunkIndex: out.chunkIndex, rows: out.rows, copy: out.copy, checksum: out.checksum };
}

export interface VerifyRangeTask {
  readonly client: pg.ClientConfig;
  readonly schema: string;
  readonly fromChunk: number;
  /** exclusive */
  readonly toChunk: number;
}

/** Checksums per chunk of the rows the database holds for chunks [fromChunk, toChunk). */
export async function verifyRange(task: VerifyRangeTask): Promise<ChecksumValue[]> {
  const sums = Array.from({ length: task.toChunk - task.fromChunk }, () => new Checksum());
  await streamCanonicalRows(task.client, task.schema, task.fromChunk * CHUNK_ROWS + 1, task.toChunk * CHUNK_ROWS + 1, (id, bytes, end) => {
    sums[Math.floor((id - 1) / CHUNK_ROWS) - task.fromChunk]!.addRow(bytes, 0, end);
  });
  return sums.map((s) => s.value());
}

export interface DrillDownTask extends DatasetSpec {
  readonly client: pg.ClientConfig;
  readonly schema: string;
  readonly chunkIndex: number;
}

export interface RowMismatches {
  readonly missing: number[];
  readonly changed: number[];
  readonly duplicated: number[];
}

/** Regenerates one chunk and compares it row by row with the database: names the offending ids. */
export async function drillDown(task: DrillDownTask): Promise<RowMismatches> {
  const expected = generateChunk(task, task.chunkIndex, { rowHashes: true }).rowHashes!;
  const firstId = task.chunkIndex * CHUNK_ROWS + 1;
  const seen = new Map<number, number>();
  const changed: number[] = [];
  const fingerprint = new Checksum();
  await streamCanonicalRows(task.client, task.schema, firstId, firstId + chunkRows(task.totalRows, task.chunkIndex), (id, bytes, end) => {
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (expected.get(String(id)) !== lanesToHex(fingerprint.addRow(bytes, 0, end))) changed.push(id);
  });
  const missing: number[] = [];
  for (const id of expected.keys()) if (!seen.has(Number(id))) missing.push(Number(id));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  return { missing, changed: [...new Set(changed)].sort((a, b) => a - b), duplicated };
}
