/**
 * results/<run-id>/validation.json — the KPI table of a validator with the measurements behind it
 * (docs/validators.md): the type validate/ writes, report/ and nightly/ read, and the zod schema a
 * reader checks a file against. Imports only the ground floor.
 */
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';

export const VALIDATION_FILE = 'validation.json';
export const VALIDATION_SCHEMA_VERSION = 1;

/**
 * One line of a validator's KPI table, as recorded. Mirrors validate/checks.ts's Check field for
 * field (writeValidation assigns one to the other, so the compiler keeps them together).
 */
export interface CheckRecord {
  /** Roadmap wording, e.g. "Storage Reduction". */
  readonly metric: string;
  /** The target as written (`storage_reduction > 35%`), or null for an informational line. */
  readonly target: string | null;
  /** Measured value in the target's canonical unit (µs, fraction, ops/s), or null. */
  readonly value: number | null;
  /** Human-readable achieved value. */
  readonly achieved: string;
  /** true/false against the target; null when informational or not measured. */
  readonly pass: boolean | null;
  /** Why a value is missing (not measurable on PostgreSQL, a step failed …). */
  readonly note?: string;
  /** Raw measurements behind the value (sizes, timings…). */
  readonly evidence?: unknown;
}

export interface ValidationFile {
  readonly schemaVersion: typeof VALIDATION_SCHEMA_VERSION;
  readonly validator: string;
  readonly roadmapName: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly dataset: { readonly scale: number; readonly seed: number };
  readonly allTargetsHold: boolean;
  readonly checks: readonly CheckRecord[];
  /** The load run's result file, relative to this folder. */
  readonly runResult: string | null;
  readonly evidence: Record<string, unknown>;
}

/** What a reader checks before it trusts a file. */
export const ValidationFileSchema = z.looseObject({
  schemaVersion: z.literal(VALIDATION_SCHEMA_VERSION),
  validator: z.string(),
  runId: z.string(),
  checks: z.array(z.looseObject({ metric: z.string(), achieved: z.string() })),
  runResult: z.string().nullable().optional(),
});

/** Checks parsed JSON against the schema; `where` names the file in the error. */
export function parseValidationFile(raw: unknown, where: string): ValidationFile {
  const parsed = ValidationFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GeobenchError(`${where} is not a geobench validation file (schema version ${VALIDATION_SCHEMA_VERSION}):\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return raw as ValidationFile;
}
