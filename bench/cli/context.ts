import type { Command } from 'commander';
import type { TargetOptions } from '../db/target.ts';
import { breakProgressLine } from './progress.ts';

/** Global flags every database command shares, read from the root program. */
export function targetOptions(command: Command): TargetOptions {
  const root = command.optsWithGlobals() as { db?: string; allowRemote?: boolean; schema?: string };
  return { db: root.db, allowRemote: root.allowRemote, schema: root.schema };
}

/** Status lines go to stderr so stdout stays machine-readable. */
export const say = (line: string): void => {
  breakProgressLine();
  process.stderr.write(`${line}\n`);
};
