/**
 * The verdict of recorded KPI lines (validation.json's checks, formats/validation-file.ts): each
 * line's outcome (also for files written before outcomes existed), Production Ready over a table,
 * and the words and marks every output uses. Pure; read by validate/ and by report/ and nightly/.
 */
import type { CheckRecord } from '../formats/validation-file.ts';
import { productionVerdict, type Outcome, type ProductionVerdict } from './decision.ts';

type Check = CheckRecord;

/** The outcome of a line, for lines written before outcomes existed (validation.json readers). */
export function outcomeOf(c: Pick<Check, 'outcome' | 'target' | 'pass' | 'achieved'>): Outcome {
  if (c.outcome) return c.outcome;
  if (c.achieved === 'not measurable') return 'not-measurable';
  if (c.target === null) return 'info';
  return c.pass === true ? 'pass' : c.pass === false ? 'fail' : 'not-measurable';
}

/** The Production Ready verdict of a KPI table: yes / no / inconclusive with the blocking lines. */
export function checksVerdict(checks: readonly Check[]): ProductionVerdict {
  return productionVerdict(checks.map((c) => ({ metric: c.metric, outcome: outcomeOf(c), ...(c.required !== undefined ? { required: c.required } : {}), ...(c.note ? { note: c.note } : {}) })));
}

/** Every required target holds: the verdict is yes (kept for validation.json's allTargetsHold). */
export function allTargetsHold(checks: readonly Check[]): boolean {
  return checksVerdict(checks).verdict === 'yes';
}

/** The mark of an outcome in text tables; inconclusive has its own. */
export const OUTCOME_MARK: Readonly<Record<Outcome, string>> = { pass: '✓', fail: '✗', inconclusive: '?', info: '·', 'not-measurable': 'n/a' };

/** The verdict in words, for headings. */
export const VERDICT_WORDS: Readonly<Record<ProductionVerdict['verdict'], string>> = {
  yes: 'all required targets hold',
  no: 'NOT all targets hold',
  inconclusive: 'INCONCLUSIVE (no target fails, some intervals straddle their target)',
};
