/**
 * Reads a run folder into everything the report needs: result.json (of `geobench run`) and/or
 * validation.json (of `geobench validate`), the EXPLAIN plan files, and optional events. The only
 * I/O of the report besides writing its files; everything downstream is pure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from '../core/errors.ts';
import { readResult } from '../result-file/result-file.ts';
import { RESULT_FILE, type RunResult } from '../formats/run-result.ts';
import { parseValidationFile, VALIDATION_FILE, type ValidationFile } from '../formats/validation-file.ts';
import type { ExplainJson } from '../evidence/plan-summary.ts';
import { parseEvents, type ReportEvent } from './events.ts';

export const EVENTS_FILE = 'events.json';

/** One EXPLAIN plan file of the run (plans/<variant>/<query type>.json). */
export interface PlanFile {
  readonly variant: string;
  readonly queryType: string;
  /** Relative to the run folder, as the result file names it. */
  readonly file: string;
  readonly sql: string | null;
  readonly params: readonly unknown[];
  readonly plan: ExplainJson | null;
  /** Why the plan could not be read (missing, corrupt, outside the folder); null when read. */
  readonly error: string | null;
}

export interface ReportInputs {
  readonly runDir: string;
  readonly result: RunResult | null;
  /** Relative to runDir. */
  readonly resultFile: string | null;
  readonly validation: ValidationFile | null;
  readonly validationFile: string | null;
  readonly plans: readonly PlanFile[];
  readonly events: readonly ReportEvent[];
  /** Problems with optional inputs (a plan file missing, an invalid event …), shown in the report. */
  readonly problems: readonly string[];
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new GeobenchError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GeobenchError(`${file} is not valid JSON: ${(err as Error).message}`, { hint: 'the file is corrupt or was cut short; re-run the command that wrote it' });
  }
}

/** Reads and checks a validation.json; the error names the file. */
export function readValidationFile(file: string): ValidationFile {
  return parseValidationFile(readJson(file), file);
}

/** The path of `rel` inside `dir`, or null when it would leave the folder (a result file names it). */
export function insideFolder(dir: string, rel: string): string | null {
  const full = path.resolve(dir, rel);
  const back = path.relative(dir, full);
  return back === '' || back.startsWith('..') || path.isAbsolute(back) ? null : full;
}

function readPlans(runDir: string, result: RunResult): PlanFile[] {
  const out: PlanFile[] = [];
  for (const v of result.variants) {
    for (const [queryType, entry] of Object.entries(v.plans ?? {})) {
      const base = { variant: v.name, queryType, file: String(entry?.file ?? '') };
      const full = base.file ? insideFolder(runDir, base.file) : null;
      const fail = (error: string): void => void out.push({ ...base, sql: null, params: [], plan: null, error });
      if (!full) {
        fail(base.file ? `plan file ${base.file} is outside the run folder; not read` : 'no plan file recorded');
        continue;
      }
      if (!fs.existsSync(full)) {
        fail(`plan file ${base.file} is missing`);
        continue;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(full, 'utf8'));
      } catch (err) {
        fail(`${base.file} is not valid JSON: ${(err as Error).message}`);
        continue;
      }
      const r = raw as { sql?: unknown; params?: unknown; plan?: unknown };
      const plan = Array.isArray(r?.plan) && r.plan.length > 0 && typeof r.plan[0]?.Plan === 'object' ? (r.plan as ExplainJson) : null;
      out.push({ ...base, sql: typeof r?.sql === 'string' ? r.sql : null, params: Array.isArray(r?.params) ? r.params : [], plan, error: plan ? null : `${base.file} holds no EXPLAIN (FORMAT JSON) plan` });
    }
  }
  return out;
}

/**
 * Reads a run folder.
 * @throws GeobenchError when the folder does not exist, holds neither result.json nor
 *   validation.json, or one of them is corrupt (the message names the file).
 */
export function loadRunFolder(dir: string): ReportInputs {
  const runDir = path.resolve(dir);
  if (!fs.existsSync(runDir) || !fs.statSync(runDir).isDirectory()) throw new GeobenchError(`${runDir} is not a folder`, { hint: 'give the folder of a run, e.g. results/<run-id>' });
  const problems: string[] = [];

  const validationPath = path.join(runDir, VALIDATION_FILE);
  const validation = fs.existsSync(validationPath) ? readValidationFile(validationPath) : null;

  // validation.json names the load run's result file; by default it sits in the same folder.
  let resultFile: string | null = RESULT_FILE;
  if (validation?.runResult) {
    resultFile = validation.runResult;
    if (!insideFolder(runDir, resultFile)) {
      problems.push(`${VALIDATION_FILE} names ${resultFile} as its run result, which is outside the run folder; not read`);
      resultFile = null;
    } else if (!fs.existsSync(path.join(runDir, resultFile))) {
      problems.push(`${VALIDATION_FILE} names ${resultFile} as its run result, but that file is missing`);
      resultFile = null;
    }
  }
  const resultPath = resultFile ? path.join(runDir, resultFile) : null;
  if (resultPath && !fs.existsSync(resultPath)) resultFile = null;
  if (!resultFile && !validation && !fs.existsSync(path.join(runDir, 'stress.json'))) {
    throw new GeobenchError(`${runDir} holds neither ${RESULT_FILE} nor ${VALIDATION_FILE}: nothing to report`, { hint: 'give the folder written by `geobench run` or `geobench validate` (results/<run-id>)' });
  }
  const result = resultFile ? readResult(path.join(runDir, resultFile)) : null;

  const events: ReportEvent[] = [];
  const addEvents = (raw: unknown, source: string): void => {
    const parsed = parseEvents(raw, source);
    events.push(...parsed.events);
    problems.push(...parsed.problems);
  };
  if (result) addEvents((result as unknown as { events?: unknown }).events, resultFile!);
  if (validation) addEvents((validation as unknown as { events?: unknown }).events, VALIDATION_FILE);
  const eventsPath = path.join(runDir, EVENTS_FILE);
  if (fs.existsSync(eventsPath)) addEvents(readJson(eventsPath), EVENTS_FILE);

  return {
    runDir,
    result,
    resultFile,
    validation,
    validationFile: validation ? VALIDATION_FILE : null,
    plans: result ? readPlans(runDir, result) : [],
    events,
    problems,
  };
}
