/**
 * The nightly configuration: which scenarios (and validators) run every night, with what
 * overrides, and how strict the detector is. A JSON file (default scenarios/nightly.json) or a
 * TypeScript module whose default export has the same shape. Validated on load; every bad field is
 * named by its path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { formatIssues } from '../scenario/load.ts';
import { DEFAULT_DETECTOR, type DetectorOptions } from './detector.ts';

export const DEFAULT_NIGHTLY_CONFIG = path.join(PROJECT_ROOT, 'scenarios', 'nightly.json');

const entryId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,60}$/, 'letters, digits, _ . or -, starting with a letter or digit');

/** Overrides of a scenario entry: the same knobs as `geobench run`. */
const ScenarioOverrides = z.strictObject({
  scale: z.number().positive().max(10).optional(),
  durationSec: z.number().positive().max(86_400).optional(),
  warmupSec: z.number().nonnegative().max(3600).optional(),
  repetitions: z.number().int().min(1).max(50).optional(),
  connections: z.number().int().min(1).max(256).optional(),
  rate: z.number().positive().optional(),
  variants: z.array(z.string().min(1)).min(1).optional(),
  workers: z.number().int().min(1).max(64).optional(),
});

/** Overrides of a validator entry: the same knobs as `geobench validate`. */
const ValidateOverrides = z.strictObject({
  scale: z.number().positive().max(10).optional(),
  seed: z.number().int().nonnegative().optional(),
  durationSec: z.number().min(1).optional(),
  warmupSec: z.number().nonnegative().optional(),
  repetitions: z.number().int().min(1).max(50).optional(),
  connections: z.number().int().min(1).max(256).optional(),
});

const ScenarioEntry = z.strictObject({
  kind: z.literal('scenario'),
  /** A scenario name (scenarios/<name>.ts) or a path to a scenario module. */
  name: z.string().min(1),
  /** Folder and series name (default: the scenario name); two entries of one scenario need distinct ids. */
  id: entryId.optional(),
  overrides: ScenarioOverrides.default({}),
});

const ValidateEntry = z.strictObject({
  kind: z.literal('validate'),
  /** A validator name (`geobench validate <name>`). */
  name: z.string().min(1),
  id: entryId.optional(),
  overrides: ValidateOverrides.default({}),
});

const DetectorOverrides = z.strictObject({
  lookback: z.number().int().min(1).max(1000).optional(),
  minHistory: z.number().int().min(2).max(1000).optional(),
  alpha: z.number().gt(0).lt(0.5).optional(),
  minEffect: z.strictObject({
    p50: z.number().nonnegative().optional(),
    p99: z.number().nonnegative().optional(),
    throughput: z.number().nonnegative().optional(),
    size: z.number().nonnegative().optional(),
    kpi: z.number().nonnegative().optional(),
  }).optional(),
  noiseFloor: z.number().nonnegative().optional(),
  sizeFloorBytes: z.number().int().nonnegative().optional(),
  fractionFloor: z.number().nonnegative().optional(),
  fractionMinEffect: z.number().nonnegative().optional(),
  minCount: z.strictObject({ p50: z.number().int().nonnegative().optional(), p99: z.number().int().nonnegative().optional() }).optional(),
  machineGuard: z.number().min(0).max(1).optional(),
  machineGuardFactor: z.number().min(1).optional(),
});

const NightlySchema = z.strictObject({
  $comment: z.unknown().optional(),
  description: z.string().optional(),
  entries: z.array(z.discriminatedUnion('kind', [ScenarioEntry, ValidateEntry])).min(1),
  detector: DetectorOverrides.default({}),
  /** A changed plan fails the night (`fail`, default) or is only reported (`warn`). */
  planChange: z.enum(['fail', 'warn']).default('fail'),
  /** A missed roadmap KPI or checklist target fails the night (`fail`) or is reported as a warning (`warn`, default). */
  kpi: z.enum(['fail', 'warn']).default('warn'),
});

export type ScenarioEntryConfig = z.infer<typeof ScenarioEntry> & { readonly id: string };
export type ValidateEntryConfig = z.infer<typeof ValidateEntry> & { readonly id: string };
export type NightlyEntry = ScenarioEntryConfig | ValidateEntryConfig;

export interface NightlyConfig {
  readonly file: string;
  readonly description: string | undefined;
  readonly entries: readonly NightlyEntry[];
  readonly detector: DetectorOptions;
  readonly planChange: 'fail' | 'warn';
  readonly kpi: 'fail' | 'warn';
}

/** Validates a parsed configuration; resolves entry ids and detector defaults. */
export function validateNightlyConfig(raw: unknown, source: string): NightlyConfig {
  const parsed = NightlySchema.safeParse(raw);
  if (!parsed.success) throw new GeobenchError(`invalid nightly configuration ${source}:\n${formatIssues(parsed.error)}`, { exitCode: 2 });
  const entries = parsed.data.entries.map((e) => ({ ...e, id: e.id ?? (e.kind === 'validate' ? `validate-${path.basename(e.name)}` : path.basename(e.name).replace(/\.m?ts$/, '')) })) as NightlyEntry[];
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    if (seen.has(e.id)) throw new GeobenchError(`invalid nightly configuration ${source}:\n  entries.${i}.id: '${e.id}' is used twice; give one of the entries another id`, { exitCode: 2 });
    seen.add(e.id);
  }
  const d = parsed.data.detector;
  const detector: DetectorOptions = {
    ...DEFAULT_DETECTOR,
    ...Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined && typeof v !== 'object')),
    minEffect: { ...DEFAULT_DETECTOR.minEffect, ...defined(d.minEffect) },
    minCount: { ...DEFAULT_DETECTOR.minCount, ...defined(d.minCount) },
  };
  return { file: source, description: parsed.data.description, entries, detector, planChange: parsed.data.planChange, kpi: parsed.data.kpi };
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Loads a nightly configuration file (.json, or .ts/.mts with a default export). */
export async function loadNightlyConfig(file = DEFAULT_NIGHTLY_CONFIG): Promise<NightlyConfig> {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) throw new GeobenchError(`nightly configuration not found: ${resolved}`, { hint: `the default is ${path.relative(process.cwd(), DEFAULT_NIGHTLY_CONFIG)}`, exitCode: 2 });
  let raw: unknown;
  if (/\.m?ts$/.test(resolved)) {
    try {
      raw = ((await import(pathToFileURL(resolved).href)) as { default?: unknown }).default;
    } catch (err) {
      throw new GeobenchError(`nightly configuration ${resolved} could not be loaded: ${(err as Error).message}`, { exitCode: 2 });
    }
  } else {
    try {
      raw = JSON.parse(fs.readFileSync(resolved, 'utf8'));
    } catch (err) {
      throw new GeobenchError(`nightly configuration ${resolved} is not valid JSON: ${(err as Error).message}`, { exitCode: 2 });
    }
  }
  return validateNightlyConfig(raw, resolved);
}
