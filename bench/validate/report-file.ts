import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { checksVerdict } from './checks.ts';
import type { ValidationOutcome, Validator } from './types.ts';
import { VALIDATION_FILE, type ValidationFile } from '../formats/validation-file.ts';

/** Writes results/<run-id>/validation.json (format: formats/validation-file.ts). */

export function writeValidation(dir: string, validator: Validator, runId: string, startedAt: string, dataset: { scale: number; seed: number }, outcome: ValidationOutcome, inputsKey?: string): ValidationFile {
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
    ...(inputsKey ? { inputsKey } : {}),
  };
  writeFileAtomic(path.join(dir, VALIDATION_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return file;
}
