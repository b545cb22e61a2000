/**
 * Checklist item "Read latency during REFRESH … CONCURRENTLY": reads of vw_geometrias_search while
 * it is refreshed concurrently, then as long without.
 */
import seedrandom from 'seedrandom';
import type { DbTarget } from '../../db/target.ts';
import { drawDaysWindow, drawLayer, isoFromSec } from '../../queries/sampling.ts';
import { infoCheck, type Check } from '../checks.ts';
import { median, quantile } from '../opt45-measures.ts';
import { ms, openIn } from './shared.ts';

const MIN_PROBE_SEC = 2;

export interface ReadWindow { readonly reads: number; readonly errors: number; readonly p50Ms: number | null; readonly p99Ms: number | null; readonly seconds: number }

export async function readLatencyDuringRefresh(target: DbTarget, seed: number, signal: AbortSignal): Promise<{ refresh: ReadWindow; idle: ReadWindow; refreshes: { durationMs: number; status: string }[] }> {
  const reader = await openIn(target, 'geobench-opt45-reader');
  const refresher = await openIn(target, 'geobench-opt45-refresh');
  const rng = seedrandom.alea(`${seed}:opt45:search-reads`);
  const sql = `SELECT id FROM vw_geometrias_search WHERE layer_id = $1 AND created_at >= $2::timestamptz AND created_at < $3::timestamptz ORDER BY created_at DESC, id DESC LIMIT 100`;
  const next = (): unknown[] => {
    const w = drawDaysWindow(rng, 90);
    return [drawLayer(rng), isoFromSec(w.startSec), isoFromSec(w.endSec)];
  };
  const window = async (until: () => boolean): Promise<ReadWindow> => {
    const lat: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    while (!until() && !signal.aborted) {
      const t = performance.now();
      try {
        await reader.query(sql, next());
        lat.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
    return { reads: lat.length, errors, p50Ms: median(lat), p99Ms: quantile(lat, 0.99), seconds: (performance.now() - t0) / 1000 };
  };
  try {
    await reader.query(sql, next());
    const refreshes: { durationMs: number; status: string }[] = [];
    let refreshing = true;
    const t0 = performance.now();
    const refreshLoop = (async () => {
      try {
        do {
          const r = (await refresher.query<{ duration_ms: number; status: string }>(`SELECT duration_ms, status FROM refresh_view_logged('vw_geometrias_search')`)).rows[0]!;
          refreshes.push({ durationMs: Number(r.duration_ms), status: r.status });
        } while (performance.now() - t0 < MIN_PROBE_SEC * 1000 && !signal.aborted);
      } finally {
        refreshing = false;
      }
    })();
    const during = await window(() => !refreshing);
    await refreshLoop;
    const idleUntil = performance.now() + during.seconds * 1000;
    const idle = await window(() => performance.now() >= idleUntil);
    return { refresh: during, idle, refreshes };
  } finally {
    await reader.end().catch(() => {});
    await refresher.end().catch(() => {});
  }
}

export type RefreshReads = Awaited<ReturnType<typeof readLatencyDuringRefresh>>;

export function refreshReadsCheck(reads: RefreshReads): Check {
  const r = reads.refresh;
  const i = reads.idle;
  return infoCheck('Read latency on vw_geometrias_search during REFRESH … CONCURRENTLY vs without (p50 / p99)', `${ms(r.p50Ms)} / ${ms(r.p99Ms)} vs ${ms(i.p50Ms)} / ${ms(i.p99Ms)} (${r.reads} vs ${i.reads} reads, ${r.errors + i.errors} errors)`, reads);
}
