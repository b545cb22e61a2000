/**
 * What the schema has before the validator changes anything: its pg_cron jobs, pg_partman's
 * premake, the future partitions, the views and their refresh strategy, the live-summary
 * triggers, the pg_cron launcher. Checklist items "Refresh strategy for all 5 views" and
 * "pg_cron scheduler active".
 */
import type pg from 'pg';
import { schemaJobs, type CronJob } from '../../evidence/cron-jobs.ts';
import { booleanCheck, targetCheck, type Check } from '../checks.ts';
import { futurePartitions, launcherRunning, LIVE_TRIGGERS, scalar, viewOfCommand } from './shared.ts';
import type { Targets } from '../targets.ts';

export interface Inventory {
  readonly jobs: CronJob[];
  readonly premake: number | null;
  readonly futureBefore: string[];
  readonly launcherBefore: number;
  readonly views: { matviewname: string; ispopulated: boolean }[];
  readonly triggers: { tgname: string; tgenabled: string }[];
  readonly liveTable: boolean;
  /** View → how it is kept fresh (scheduled jobs, the trigger-maintained summary). */
  readonly strategies: Record<string, string[]>;
  readonly withStrategy: number;
}

export async function takeInventory(client: pg.Client, schema: string): Promise<Inventory> {
  const jobs = (await schemaJobs(client, schema)) ?? [];
  const premake = await scalar<number | null>(client, 'SELECT premake FROM partman.part_config WHERE parent_table = $1', [`${schema}.geometrias`]).catch(() => null);
  const futureBefore = await futurePartitions(client);
  const launcherBefore = await launcherRunning(client);
  const views = (await client.query<{ matviewname: string; ispopulated: boolean }>('SELECT matviewname::text, ispopulated FROM pg_matviews WHERE schemaname = $1 ORDER BY 1', [schema])).rows;
  const triggers = (await client.query<{ tgname: string; tgenabled: string }>(`SELECT tgname::text, tgenabled::text FROM pg_trigger WHERE tgrelid = 'geometrias'::regclass AND NOT tgisinternal ORDER BY 1`)).rows;
  const liveTable = (await scalar<string | null>(client, `SELECT to_regclass('geometrias_layer_day_live')::text`)) !== null;
  const liveOn = liveTable && LIVE_TRIGGERS.every((t) => triggers.some((x) => x.tgname === t && x.tgenabled !== 'D'));
  const strategies = Object.fromEntries(views.map((v) => {
    const scheduled = jobs.filter((j) => j.active && viewOfCommand(j.command) === v.matviewname).map((j) => `${j.jobname} (${j.schedule})`);
    const trigger = v.matviewname === 'vw_geometrias_layer_day' && liveOn ? ['geometrias_layer_day_live (statement triggers on geometrias)'] : [];
    return [v.matviewname, [...scheduled, ...trigger]];
  }));
  const withStrategy = Object.values(strategies).filter((s) => s.length > 0).length;
  return { jobs, premake, futureBefore, launcherBefore, views, triggers, liveTable, strategies, withStrategy };
}

/** `now`: the launcher count after the restart (or, without one, measured again before the forced runs). */
export function launcherCheck(before: number, now: number, afterRestart: number | null): Check {
  return booleanCheck('pg_cron scheduler active (pg_cron launcher in pg_stat_activity)', before > 0 && now > 0,
    `launcher ${before > 0 ? 'running' : 'missing'}${afterRestart !== null ? `, after the restart ${afterRestart > 0 ? 'running' : 'missing'}` : ''}`, { launcherBefore: before, launcherAfterRestart: afterRestart });
}

export function refreshStrategyCheck(inv: Inventory, targets: Targets): Check {
  return targetCheck('Refresh strategy for all 5 views (scheduled pg_cron refresh / trigger summary)', targets.get('opt45.refresh_strategies'), inv.withStrategy, { strategies: inv.strategies, triggers: inv.triggers, liveSummary: inv.liveTable });
}
