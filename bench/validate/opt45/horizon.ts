/**
 * Checklist items "Future partitions" and "Future partitions made by the automation": the two
 * furthest months of the premade horizon are dropped (when empty) before the forced
 * partman-maintenance run, which must make them again.
 */
import type pg from 'pg';
import { infoCheck, targetCheck, type Check } from '../checks.ts';
import { scalar } from './shared.ts';
import type { Targets } from '../targets.ts';

/** Detaches and drops the two furthest months of the horizon that hold no rows; returns their names. */
export async function dropFurthestEmptyMonths(client: pg.Client, log: (l: string) => void): Promise<string[]> {
  const toDrop = (await client.query<{ p: string }>(`SELECT partition_name::text AS p FROM geometrias_partitions()
     WHERE NOT is_default AND range_from <= now() + interval '36 months' ORDER BY range_from DESC LIMIT 2`)).rows.map((r) => r.p);
  const dropped: string[] = [];
  for (const p of toDrop) {
    const n = Number(await scalar<string>(client, `SELECT count(*) FROM ${p}`));
    if (n > 0) {
      log(`  ${p} holds ${n} rows: not dropped`);
      continue;
    }
    await client.query(`ALTER TABLE geometrias DETACH PARTITION ${p}`);
    await client.query(`DROP TABLE ${p}`);
    dropped.push(p);
  }
  return dropped;
}

export function horizonChecks(h: { premake: number | null; futureBefore: readonly string[]; futureAfter: readonly string[]; dropped: readonly string[] }, targets: Targets): Check[] {
  const recreated = h.dropped.filter((p) => h.futureAfter.includes(p));
  return [
    targetCheck(`Future partitions (this month … now + 36 months, after the forced maintenance run)`, targets.get('opt45.future_partitions'), h.futureAfter.length, {
      method: 'monthly partitions with lower bound >= the current month and <= now + 36 months (geometrias_partitions()); the two furthest were detached and dropped before a forced partman-maintenance run',
      premake: h.premake, before: h.futureBefore.length, dropped: h.dropped, recreated, first: h.futureAfter[0] ?? null, last: h.futureAfter[h.futureAfter.length - 1] ?? null,
    }),
    infoCheck('Future partitions made by the automation (dropped → forced pg_cron run → back)', h.dropped.length === 0 ? 'nothing dropped (the furthest months held rows)' : `${recreated.length}/${h.dropped.length} recreated: ${h.dropped.map((p) => `${p} ${recreated.includes(p) ? '✓' : '✗'}`).join(', ')}`, { dropped: h.dropped, recreated }),
  ];
}
