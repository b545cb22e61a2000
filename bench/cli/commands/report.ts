import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { GeobenchError } from '../../core/errors.ts';
import { say } from '../context.ts';
import { writeReport } from '../../report/write-report.ts';
import { assertWritableDir } from '../../core/output-dir.ts';

export function registerReport(program: Command): void {
  program.command('report')
    .description('turn a run folder (result.json and/or validation.json) into charts/*.png, a self-contained report.html and a summary.md for pull requests')
    .argument('<run-dir>', 'folder written by `geobench run` or `geobench validate` (results/<run-id>)')
    .action(async (runDir: string) => {
      const dir = path.resolve(runDir);
      // The report goes into the run folder: prove it writable before the charts are drawn.
      if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) assertWritableDir(dir, 'run folder');
      const files = await writeReport(dir, say);
      console.log(files.html);
      console.log(files.markdown);
      for (const c of files.charts) console.log(c);
    });
}

/**
 * The report step at the end of `run` and `validate`: their result files are already written, so
 * a report failure only prints its error and makes the exit code non-zero; it never loses results.
 */
export async function reportAfterRun(runDir: string): Promise<void> {
  try {
    const files = await writeReport(runDir, say);
    console.log(`report: ${files.html}`);
  } catch (err) {
    process.stderr.write(`geobench: error: the report could not be written (the result files are kept): ${(err as Error).message}\n`);
    if (err instanceof GeobenchError && err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    if (!process.exitCode) process.exitCode = 1;
  }
}
