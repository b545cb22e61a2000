/**
 * Measured rates of the long steps on this machine (`<GEOBENCH_HOME>/step-rates.json`): the code that
 * does a step (generate, verify, each migration, …) records how long it took and at how many dataset
 * rows, or how many bytes a schema state took; the sign-off plan (`validate … --dry-run`) estimates from
 * them. Keyed by step, the last few measurements each with the row count (scale) they were taken at.
 * Recording never fails the step it measures: a file that cannot be read or written is replaced or
 * skipped, and the dry-run says when it ignored a file it could not read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.ts';
import { geobenchHome } from './paths.ts';

/** Measurements kept per step (the oldest go first). */
export const KEEP_PER_STEP = 6;

const measurementSchema = z.object({
  /** When it was measured (ISO 8601). */
  at: z.string().min(1),
  /** Dataset rows of the schema the step worked on. */
  rows: z.number().int().positive(),
  /** Wall time of the step, s (time steps). */
  seconds: z.number().nonnegative().optional(),
  /** Bytes of the schema's relations (size steps: `size.<state>`). */
  bytes: z.number().nonnegative().optional(),
}).strict();

const fileSchema = z.object({
  version: z.literal(1),
  steps: z.record(z.string(), z.array(measurementSchema)),
}).strict();

export type StepMeasurement = z.infer<typeof measurementSchema>;
export type StepRates = Readonly<Record<string, readonly StepMeasurement[]>>;

/**
 * Step keys: `generate.copy`, `generate.indexes` (indexes + VACUUM ANALYZE), `verify`,
 * `migrate.up.<TAG>`, `migrate.down.<TAG>` (time steps); `size.<state>` (bytes of a schema whose last
 * applied migration is <state>, `size.baseline` before any).
 */
export const stepKey = {
  generateCopy: 'generate.copy',
  generateIndexes: 'generate.indexes',
  verify: 'verify',
  migrate: (direction: 'up' | 'down', tag: string): string => `migrate.${direction}.${tag}`,
  size: (state: string): string => `size.${state}`,
} as const;

export const stepRatesFile = (): string => path.join(geobenchHome(), 'step-rates.json');

/** The file's measurements; a missing file is empty, an unreadable one is empty with the reason. */
export function readStepRates(file = stepRatesFile()): { rates: StepRates; problem: string | null } {
  if (!fs.existsSync(file)) return { rates: {}, problem: null };
  try {
    const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (parsed.success) return { rates: parsed.data.steps, problem: null };
    const issue = parsed.error.issues[0]!;
    return { rates: {}, problem: `${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}` };
  } catch (err) {
    return { rates: {}, problem: `${file}: ${(err as Error).message}` };
  }
}

/** `rates` with one more measurement of `key`, keeping the last `keep`. Pure. */
export function withMeasurement(rates: StepRates, key: string, m: StepMeasurement, keep = KEEP_PER_STEP): StepRates {
  return { ...rates, [key]: [...(rates[key] ?? []), m].slice(-keep) };
}

/**
 * Records measurements of one or more steps (read, add, write atomically). Returns an error message
 * instead of throwing: a step that finished must not fail because its rate could not be kept.
 */
export function recordSteps(entries: ReadonlyArray<{ key: string; rows: number; seconds?: number; bytes?: number }>, file = stepRatesFile(), now = new Date()): string | null {
  try {
    let { rates } = readStepRates(file);
    for (const e of entries) {
      if (!(e.rows > 0) || !Number.isInteger(e.rows)) continue;
      const m: StepMeasurement = { at: now.toISOString(), rows: e.rows, ...(e.seconds !== undefined ? { seconds: e.seconds } : {}), ...(e.bytes !== undefined ? { bytes: e.bytes } : {}) };
      if (!measurementSchema.safeParse(m).success) continue;
      rates = withMeasurement(rates, e.key, m);
    }
    writeFileAtomic(file, `${JSON.stringify({ version: 1, steps: rates }, null, 2)}\n`);
    return null;
  } catch (err) {
    return `step rates not recorded in ${file}: ${(err as Error).message}`;
  }
}
