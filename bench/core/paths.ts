import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file lives in bench/core/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where geobench keeps local state (embedded cluster, caches). Overridable for tests and CI. */
export function geobenchHome(): string {
  return path.resolve(process.env.GEOBENCH_HOME ?? path.join(PROJECT_ROOT, '.geobench'));
}

export const SQL_DIR = path.join(PROJECT_ROOT, 'sql');
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'results');

