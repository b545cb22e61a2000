import path from 'node:path';
import { writeFileAtomic } from '../result-file/result-file.ts';
import { checksVerdict, type Check } from './checks.ts';
import type { ProductionVerdict } from '../analysis/decision.ts';
import type { ValidationOutcome, Validator } from './types.ts';

export const VALIDATION_FILE = 'validation.json';

/** results/<run-id>/validation.json: the KPI table of a validator with the measurements behind it. */
export interface ValidationFile {
  readonly schemaVersion: 1;
  readonly validator: string;
  readonly roadmapName: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly dataset: { readonly scale: number; readonly seed: number };
  /** verdict === 'yes' (kept for readers of schema version 1). */
  readonly allTargetsHold: boolean;
  /** yes / no / inconclusive, and the lines that keep it from yes. Absent in files written before it existed. */
  readonly verdict?: ProductionVerdict['verdict'];
  readonly verdictReasons?: readonly string[];
  readonly checks: readonly Check[];
  /** The load run's result file, relative to this folder. */
  readonly runResult: string | null;
  readonly evidence: Record<string, unknown>;
}

export function writeValidation(dir: string, validator: Validator, runId: string, startedAt: string, dataset: { scale: number; seed: number }, outcome: ValidationOutcome): ValidationFile {
  const verdict = checksVerdict(outcome.checks);
  const file: ValidationFile = {
    schemaVersion: 1,
    validator: validator.name,
    roadmapName: validator.roadmapName,
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    dataset,
    allTargetsHold: verdict.verdict === 'yes',
    verdict: verdict.verdict,
    verdictReasons: verdict.reasons,
    checks: outcome.checks,
    runResult: outcome.runResult ?? null,
    evidence: outcome.evidence ?? {},
  };
  writeFileAtomic(path.join(dir, VALIDATION_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return file;
}
