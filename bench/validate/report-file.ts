import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { allTargetsHold, type Check } from './checks.ts';
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
  readonly allTargetsHold: boolean;
  readonly checks: readonly Check[];
  /** The load run's result file, relative to this folder. */
  readonly runResult: string | null;
  readonly evidence: Record<string, unknown>;
}

export function writeValidation(dir: string, validator: Validator, runId: string, startedAt: string, dataset: { scale: number; seed: number }, outcome: ValidationOutcome): ValidationFile {
  const file: ValidationFile = {
    schemaVersion: 1,
    validator: validator.name,
    roadmapName: validator.roadmapName,
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    dataset,
    allTargetsHold: allTargetsHold(outcome.checks),
    checks: outcome.checks,
    runResult: outcome.runResult ?? null,
    evidence: outcome.evidence ?? {},
  };
  writeFileAtomic(path.join(dir, VALIDATION_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return file;
}
