import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { GeobenchError } from '../core/errors.ts';
import { GENERATOR_VERSION } from '../dataset/model.ts';
import { baselineChecksum, loadCatalog } from '../migrate/catalog.ts';
import { parseValidationFile, VALIDATION_FILE, type ValidationFile } from '../formats/validation-file.ts';

/**
 * Resuming a sign-off (`validate signoff --resume <dir>`): a validator's finished folder is reused
 * only when everything that decides its numbers is the same as now — the dataset (generator
 * version, scale and seed, or the imported dataset's checksum), the baseline and every migration
 * file (checksums), the targets, the measurement options and geobench's version. Anything else
 * (no validation.json: the validator was interrupted; other inputs) is moved aside and run again.
 */
export const SIGNOFF_INPUTS_FILE = 'signoff-inputs.json';

export interface SignoffInputs {
  readonly geobenchVersion: string;
  readonly dataset: { readonly scale: number; readonly seed: number; readonly generatorVersion: number; readonly importedChecksum: string | null };
  readonly baselineChecksum: string;
  /** `<TAG>:<sha256>` of every migration, in order. */
  readonly migrations: readonly string[];
  /** sha256 of the targets as loaded (canonical JSON). */
  readonly targetsChecksum: string;
  readonly measurement: { readonly durationSec: number; readonly warmupSec: number; readonly repetitions: number; readonly connections: number; readonly stress: boolean };
}

const SignoffInputsSchema = z.object({
  geobenchVersion: z.string(),
  dataset: z.object({ scale: z.number(), seed: z.number(), generatorVersion: z.number(), importedChecksum: z.string().nullable() }),
  baselineChecksum: z.string(),
  migrations: z.array(z.string()).readonly(),
  targetsChecksum: z.string(),
  measurement: z.object({ durationSec: z.number(), warmupSec: z.number(), repetitions: z.number(), connections: z.number(), stress: z.boolean() }),
});

/** The sign-off file that names a resumable folder: the run id and the inputs it was started with. */
const SignoffStartSchema = z.object({ runId: z.string(), startedAt: z.string(), inputs: SignoffInputsSchema });
export type SignoffStart = z.infer<typeof SignoffStartSchema>;

const sha256 = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/** Key-sorted JSON, so the same inputs always hash alike. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

export function signoffInputs(args: {
  geobenchVersion: string; scale: number; seed: number; importedChecksum: string | null; sqlDir: string; targets: unknown;
  durationSec: number; warmupSec: number; repetitions: number; connections: number; stress: boolean;
}): SignoffInputs {
  return {
    geobenchVersion: args.geobenchVersion,
    dataset: { scale: args.scale, seed: args.seed, generatorVersion: GENERATOR_VERSION, importedChecksum: args.importedChecksum },
    baselineChecksum: baselineChecksum(args.sqlDir),
    migrations: loadCatalog(args.sqlDir).map((m) => `${m.tag}:${m.checksum}`),
    targetsChecksum: sha256(canonical(args.targets)),
    measurement: { durationSec: args.durationSec, warmupSec: args.warmupSec, repetitions: args.repetitions, connections: args.connections, stress: args.stress },
  };
}

export const inputsKey = (inputs: SignoffInputs): string => sha256(canonical(inputs));

/** Which top-level inputs differ (for the log line that says why a folder is run again). */
export function inputsDiffer(a: SignoffInputs, b: SignoffInputs): string[] {
  return (Object.keys(a) as Array<keyof SignoffInputs>).filter((k) => canonical(a[k]) !== canonical(b[k]));
}

export function writeSignoffStart(dir: string, start: SignoffStart): void {
  writeFileAtomic(path.join(dir, SIGNOFF_INPUTS_FILE), `${JSON.stringify(start, null, 2)}\n`);
}

/** Reads `<dir>/signoff-inputs.json`; a folder without it is not a sign-off that can be resumed (exit 2). */
export function readSignoffStart(dir: string): SignoffStart {
  const file = path.join(dir, SIGNOFF_INPUTS_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new GeobenchError(`--resume ${dir}: ${missing ? `no ${SIGNOFF_INPUTS_FILE} there, so it is not a sign-off folder` : `${file} cannot be read: ${(err as Error).message}`}`, {
      exitCode: 2, hint: 'pass the folder a `geobench validate signoff` run wrote (its --out), or start a new sign-off without --resume',
    });
  }
  const parsed = SignoffStartSchema.safeParse(raw);
  if (!parsed.success) throw new GeobenchError(`${file} is not a sign-off start file:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`, { exitCode: 2 });
  return parsed.data;
}

export type FolderDecision =
  | { readonly reuse: true; readonly file: ValidationFile }
  | { readonly reuse: false; readonly why: string; readonly movedTo: string | null };

/**
 * A validator's folder in a resumed sign-off: reuse it when it holds a finished validation.json
 * written with the same inputs; otherwise move whatever is there aside (`<name>.interrupted-N`,
 * nothing is deleted) and say why it runs again.
 */
export function decideFolder(dir: string, key: string): FolderDecision {
  const file = path.join(dir, VALIDATION_FILE);
  if (!fs.existsSync(dir)) return { reuse: false, why: 'not started', movedTo: null };
  let why: string;
  if (!fs.existsSync(file)) {
    why = 'interrupted before it finished (no validation.json)';
  } else {
    try {
      const parsed = parseValidationFile(JSON.parse(fs.readFileSync(file, 'utf8')), file);
      if (parsed.inputsKey === key) return { reuse: true, file: parsed };
      why = parsed.inputsKey ? 'finished with other inputs (dataset, migrations, targets or measurement options changed)' : 'finished without a record of its inputs';
    } catch (err) {
      why = `its validation.json is unreadable (${(err as Error).message.split('\n')[0]})`;
    }
  }
  let n = 1;
  while (fs.existsSync(`${dir}.interrupted-${n}`)) n++;
  const movedTo = `${dir}.interrupted-${n}`;
  fs.renameSync(dir, movedTo);
  return { reuse: false, why, movedTo };
}
