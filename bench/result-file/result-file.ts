/**
 * Writes and reads results/<run-id>/result.json; the format itself is formats/run-result.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { parseRunResult, RESULT_FILE, type RunResult } from '../formats/run-result.ts';

export function writeResult(dir: string, result: RunResult): string {
  const file = path.join(dir, RESULT_FILE);
  writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Reads and validates a result file (or a run folder holding one). */
export function readResult(fileOrDir: string): RunResult {
  const file = fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory() ? path.join(fileOrDir, RESULT_FILE) : fileOrDir;
  if (!fs.existsSync(file)) throw new GeobenchError(`no result file at ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GeobenchError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseRunResult(raw, file);
}
