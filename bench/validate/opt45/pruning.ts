/**
import type { Targets } from '../targets.ts';
 * Checklist item "Partition Pruning": Q5 (a 30-day window) EXPLAINed with and without
 * enable_partition_pruning, the share of the partitions holding rows that its plan skips, and its
 * latency with and without pruning.
 */
import seedrandom from 'seedrandom';
import type pg from 'pg';
import { queryType } from '../../queries/index.ts';
import { infoCheck, targetCheck, type Check } from '../checks.ts';
import { median, partitionPruning, type PruningMeasure } from '../opt45-measures.ts';
import { ms } from './shared.ts';
import type { Targets } from '../targets.ts';

const PRUNING_RUNS = 20;

export interface PruningResult {
  readonly pruned: PruningMeasure;
  readonly unpruned: PruningMeasure;
  readonly params: unknown[];
  /** Partitions that held at least one row when measured (exact EXISTS per partition). */
  readonly withData: readonly string[];
  readonly withMs: number[];
  readonly withoutMs: number[];
}

/**
 * The partitions of geometrias and those that hold rows: an exact `EXISTS` per partition (one
 * index-less probe each, stops at the first row), not reltuples, which is 0 or −1 until ANALYZE.
 */
async function partitionsWithData(c: pg.Client): Promise<{ all: string[]; withData: string[] }> {
  const all = (await c.query<{ p: string }>('SELECT partition_name::text AS p FROM geometrias_partitions()')).rows.map((r) => r.p);
  const withData: string[] = [];
  for (const p of all) {
    const { rows } = await c.query<{ e: boolean }>(`SELECT EXISTS (SELECT 1 FROM ONLY ${p}) AS e`);
    if (rows[0]!.e) withData.push(p);
  }
  return { all, withData };
}

async function withoutPruning<T>(c: pg.Client, fn: () => Promise<T>): Promise<T> {
  await c.query('SET enable_partition_pruning = off');
  try {
    return await fn();
  } finally {
    await c.query('RESET enable_partition_pruning');
  }
}

export async function measurePruning(c: pg.Client, seed: number, totalRows: number): Promise<PruningResult> {
  const q5 = queryType('Q5');
  const params = q5.params(seedrandom.alea(`${seed}:opt45:pruning`), { totalRows });
  const { all, withData } = await partitionsWithData(c);
  const explain = async (): Promise<unknown> => (await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${q5.sql}`, params)).rows[0]!['QUERY PLAN'];
  const pruned = partitionPruning(await explain() as never, all, withData);
  const unpruned = partitionPruning(await withoutPruning(c, explain) as never, all, withData);
  const time = async (): Promise<number> => {
    const t = performance.now();
    await c.query(q5.sql, params);
    return performance.now() - t;
  };
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  // Alternating, the first two pairs as warm-up.
  for (let i = 0; i < PRUNING_RUNS + 2; i++) {
    const a = await time();
    const b = await withoutPruning(c, time);
    if (i >= 2) {
      withMs.push(a);
      withoutMs.push(b);
    }
  }
  return { pruned, unpruned, params, withData, withMs, withoutMs };
}

export function pruningChecks(p: PruningResult, targets: Targets): Check[] {
  const pw = median(p.withMs);
  const pwo = median(p.withoutMs);
  return [
    targetCheck(`Partition Pruning (Q5, 30-day window: partitions holding data skipped; read ${p.pruned.scannedWithData} of ${p.pruned.withData} with data, ${p.pruned.total} in all)`, targets.get('opt45.pruning'), p.pruned.share, {
      method: '1 − (partitions holding rows that the scan nodes of EXPLAIN (FORMAT JSON) read) / (partitions holding rows); a partition holds rows when SELECT EXISTS (SELECT 1 FROM ONLY <partition>) is true at measurement time. Empty premade months and an empty default partition count on neither side: skipping them saves nothing',
      params: p.params, scanned: p.pruned.scanned, scannedWithData: p.pruned.scannedWithData, withData: p.pruned.withData, total: p.pruned.total,
      withoutPruning: { scanned: p.unpruned.scanned.length, scannedWithData: p.unpruned.scannedWithData },
    }),
    infoCheck(`Q5 latency with / without pruning (median of ${PRUNING_RUNS}, enable_partition_pruning)`, `${ms(pw)} vs ${ms(pwo)} (${pw && pwo ? `${(pwo / pw).toFixed(1)}× slower without` : 'n/a'})`, { withMs: p.withMs, withoutMs: p.withoutMs }),
  ];
}
