import fs from 'node:fs';
import path from 'node:path';
import { makeDirs } from './output-dir.ts';

/**
 * Writes a file atomically (temp file + rename in the same folder): a reader never sees half a file,
 * and an interrupted write leaves the old file in place. Text is written as UTF-8, bytes as they are.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  makeDirs(path.dirname(file));
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
