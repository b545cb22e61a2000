/**
 * The reporter interface shared by every report geobench writes (run/validate report, nightly,
 * compare): a reporter turns one report model into files of one format, purely; writeOutputs puts
 * them into the report folder atomically. A new output format is one more Reporter; a new kind of
 * report lists the reporters it wants (report/write-report.ts, nightly/outputs.ts).
 */
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';

export type OutputFormat = 'html' | 'markdown' | 'png' | 'junit' | 'json';

/** One file of a report, relative to the report folder. */
export interface OutputFile {
  readonly name: string;
  readonly format: OutputFormat;
  readonly data: string | Uint8Array;
}

/** One output format of one kind of report. Pure: no I/O, so it is unit-testable. */
export interface Reporter<Model> {
  readonly format: OutputFormat;
  render(model: Model): OutputFile[];
}

/** A reporter writing one text file (the common case). */
export function textReporter<Model>(format: OutputFormat, name: string, render: (model: Model) => string): Reporter<Model> {
  return { format, render: (model) => [{ name, format, data: render(model) }] };
}

/** The model itself as indented JSON, for tools. */
export function jsonReporter<Model>(name: string): Reporter<Model> {
  return textReporter<Model>('json', name, (model) => `${JSON.stringify(model, null, 2)}\n`);
}

/** Renders the model with each reporter, in order. */
export function renderAll<Model>(model: Model, reporters: readonly Reporter<Model>[]): OutputFile[] {
  return reporters.flatMap((r) => r.render(model));
}

/** Writes the files into dir atomically; returns their absolute paths by name. */
export function writeOutputs(dir: string, files: readonly OutputFile[]): Map<string, string> {
  const written = new Map<string, string>();
  for (const f of files) {
    const file = path.join(dir, f.name);
    writeFileAtomic(file, f.data);
    written.set(f.name, file);
  }
  return written;
}
