/**
 * Checklist item "Rollback Tested": OPT5 → OPT3 → OPT1 → OPT5 with the real migrations, the
 * dataset verified and the jobs, triggers and partman config counted at each step.
 */
import { withClient } from '../../db/connect.ts';
import type { DbTarget } from '../../db/target.ts';
import { verifyDataset, type VerifyResult } from '../../dataset/verify.ts';
import { schemaJobs } from '../../evidence/cron-jobs.ts';
import { loadCatalog, resolveTarget } from '../../migrate/catalog.ts';
import { checkLedger, migrateDown, migrateUp, readLedger } from '../../migrate/runner.ts';
import { booleanCheck, type Check } from '../checks.ts';
import { LIVE_TRIGGERS, scalar } from './shared.ts';

export interface RoundTripStep { readonly to: string; readonly seconds: number; readonly verify: boolean | null; readonly jobs: number; readonly triggers: number; readonly partmanConfig: number; readonly ok: boolean; readonly problems: string[] }

async function objectCounts(target: DbTarget): Promise<{ jobs: number; triggers: number; partmanConfig: number }> {
  return withClient(target, async (c) => {
    const jobs = (await schemaJobs(c, target.schema))?.length ?? 0;
    const triggers = Number(await scalar<string>(c, `SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal`, [`${target.schema}.geometrias`]));
    const partmanConfig = Number(await scalar<string>(c, `SELECT count(*) FROM partman.part_config WHERE parent_table = $1`, [`${target.schema}.geometrias`]));
    return { jobs, triggers, partmanConfig };
  });
}

export async function rollbackRoundTrip(target: DbTarget, sqlDir: string, workers: number, signal: AbortSignal, log: (l: string) => void): Promise<RoundTripStep[]> {
  const catalog = loadCatalog(sqlDir);
  const runOptions = { log: (l: string) => log(`  ${l}`), signal };
  const steps: RoundTripStep[] = [];
  const step = async (to: string, expect: { jobs: number; triggers: number; partmanConfig: number }, verify: boolean): Promise<void> => {
    const t = performance.now();
    const at = resolveTarget(catalog, to);
    const current = checkLedger(await withClient(target, (c) => readLedger(c, target.schema)), catalog) - 1;
    if (at < current) await migrateDown(target, catalog, at, runOptions);
    else if (at > current) await migrateUp(target, catalog, at, runOptions);
    const seconds = (performance.now() - t) / 1000;
    const v: VerifyResult | null = verify ? await verifyDataset(target, { workers }) : null;
    const counts = await objectCounts(target);
    const problems: string[] = [];
    if (v && !v.ok) problems.push(`dataset verify failed (${v.badChunks.length} chunks differ)`);
    for (const k of ['jobs', 'triggers', 'partmanConfig'] as const) if (counts[k] !== expect[k]) problems.push(`${k}: ${counts[k]}, expected ${expect[k]}`);
    steps.push({ to, seconds, verify: v ? v.ok : null, ...counts, ok: problems.length === 0, problems });
    log(`  at ${to} after ${seconds.toFixed(1)} s: verify ${v ? (v.ok ? 'ok' : 'FAILED') : 'skipped'}, ${counts.jobs} jobs, ${counts.triggers} triggers, ${counts.partmanConfig} partman config${problems.length ? ` — ${problems.join('; ')}` : ''}`);
  };
  await step('OPT3', { jobs: 0, triggers: 0, partmanConfig: 0 }, true);
  await step('OPT1', { jobs: 0, triggers: 0, partmanConfig: 0 }, true);
  await step('OPT5', { jobs: 9, triggers: LIVE_TRIGGERS.length, partmanConfig: 1 }, true);
  return steps;
}


export function rollbackCheck(roundTrip: readonly RoundTripStep[], error: string | null): Check {
  const ok = !error && roundTrip.length === 3 && roundTrip.every((s) => s.ok);
  return booleanCheck('Rollback Tested (OPT5 → OPT3 → OPT1 → OPT5, verify each)', ok,
    error ? `failed: ${error}` : roundTrip.map((s) => `${s.to} ${s.ok ? '✓' : `✗ (${s.problems.join('; ')})`} ${s.seconds.toFixed(1)} s`).join(', '), { steps: roundTrip, error });
}
