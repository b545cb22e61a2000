/**
 * Checklist item "Trigger refresh cost per write": seeded W1 inserts with the live-summary INSERT
 * trigger enabled and disabled, and the latency it adds.
 */
import seedrandom from 'seedrandom';
import type pg from 'pg';
import { InterruptedError } from '../../core/errors.ts';
import { queryType } from '../../queries/index.ts';
import { infoCheck, targetCheck, type Check } from '../checks.ts';
import { median, quantile } from '../opt45-measures.ts';
import { humanized, ms } from './shared.ts';
import type { Targets } from '../targets.ts';

export const TRIGGER_SAMPLES = 200;
const TRIGGER_BLOCK = 50;

export interface TriggerCost { readonly withMs: number[]; readonly withoutMs: number[]; readonly error?: string }

/**
 * The same seeded W1 inserts with the live-summary INSERT trigger enabled and disabled, in
 * alternating blocks; each block is one transaction that is rolled back, the DISABLE TRIGGER of the
 * no-trigger arm included: nothing is left behind, the summary cannot drift, and both arms pay the
 * same (no commit per row).
 */
export async function measureTriggerCost(c: pg.Client, seed: number, totalRows: number, signal: AbortSignal): Promise<TriggerCost> {
  const w1 = queryType('W1');
  const rng = seedrandom.alea(`${seed}:opt45:trigger-cost`);
  const params = Array.from({ length: TRIGGER_SAMPLES }, () => w1.params(rng, { totalRows }));
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  try {
    for (let b = 0; b < TRIGGER_SAMPLES / TRIGGER_BLOCK; b++) {
      for (const arm of b % 2 === 0 ? ['with', 'without'] : ['without', 'with']) {
        if (signal.aborted) throw new InterruptedError('measuring the trigger cost');
        await c.query('BEGIN');
        try {
          await c.query(`SET LOCAL lock_timeout = '30s'`);
          if (arm === 'without') await c.query('ALTER TABLE geometrias DISABLE TRIGGER geometrias_layer_day_live_insert');
          for (let i = b * TRIGGER_BLOCK; i < (b + 1) * TRIGGER_BLOCK; i++) {
            const t = performance.now();
            await c.query(w1.sql, params[i]);
            (arm === 'with' ? withMs : withoutMs).push(performance.now() - t);
          }
        } finally {
          await c.query('ROLLBACK');
        }
      }
    }
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    return { withMs, withoutMs, error: (err as Error).message };
  }
  return { withMs, withoutMs };
}

export function triggerCostChecks(trig: TriggerCost, targets: Targets): Check[] {
  const tw = median(trig.withMs);
  const two = median(trig.withoutMs);
  return [
    humanized(targetCheck(`Trigger refresh cost per write (single-row INSERT with the live-summary trigger, median of ${trig.withMs.length})`, targets.get('opt45.trigger_cost'), tw === null ? null : tw * 1000, {
      method: `${TRIGGER_SAMPLES} seeded W1 inserts per arm in alternating blocks of ${TRIGGER_BLOCK}, each block one transaction rolled back (the no-trigger arm with ALTER TABLE … DISABLE TRIGGER geometrias_layer_day_live_insert inside it); client round trip of each INSERT`,
      withP50Ms: tw, withP99Ms: quantile(trig.withMs, 0.99), withoutP50Ms: two, withoutP99Ms: quantile(trig.withoutMs, 0.99),
    }, trig.error), tw === null ? null : ms(tw, 3)),
    infoCheck('Trigger added latency per INSERT (median with − without)', tw !== null && two !== null ? `${tw - two >= 0 ? '+' : '−'}${ms(Math.abs(tw - two), 3)} (${ms(tw, 3)} vs ${ms(two, 3)})` : 'n/a'),
  ];
}
