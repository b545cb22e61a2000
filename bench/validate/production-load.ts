/**
 * The stated production load (scenarios/production-load.json): the average operations per second
 * of the standard mix production serves. Costs that recur on a clock (refreshes, maintenance jobs)
 * are charged against this rate instead of the harness's own load, whose rate is whatever the
 * machine and --connections allow. Configuration, never a measurement of this run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { formatIssues } from '../scenario/load.ts';

export const DEFAULT_PRODUCTION_LOAD = path.join(PROJECT_ROOT, 'scenarios', 'production-load.json');

const ProductionLoadSchema = z.strictObject({
  $comment: z.unknown().optional(),
  description: z.string().optional(),
  /** Average operations per second of the standard mix in production. */
  opsPerSec: z.number().positive().finite().max(1e7),
});

export interface ProductionLoad {
  readonly opsPerSec: number;
  readonly description: string | null;
  /** The file it came from. */
  readonly source: string;
}

/** Validates a parsed production-load object; the error names every bad field (exit 2). */
export function parseProductionLoad(raw: unknown, source: string): ProductionLoad {
  const parsed = ProductionLoadSchema.safeParse(raw);
  if (!parsed.success) throw new GeobenchError(`invalid production load ${source}:\n${formatIssues(parsed.error)}`, { exitCode: 2 });
  return { opsPerSec: parsed.data.opsPerSec, description: parsed.data.description ?? null, source };
}

/** Reads and validates the production-load file (default scenarios/production-load.json). */
export function loadProductionLoad(file: string = DEFAULT_PRODUCTION_LOAD): ProductionLoad {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new GeobenchError(`cannot read the production load ${file}: ${(err as Error).message}`, { exitCode: 2 });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new GeobenchError(`invalid production load ${file}: not JSON (${(err as Error).message})`, { exitCode: 2 });
  }
  return parseProductionLoad(raw, file);
}
