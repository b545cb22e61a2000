import path from 'node:path';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { startCluster } from '../../bench/db/embedded.ts';
import { ensureEmbeddedDatabase } from '../../bench/db/resolve.ts';
import type { DbTarget } from '../../bench/db/target.ts';

/**
 * Integration tests share one real embedded cluster in .geobench-test/ (scripts/test destroys it
 * at the end). Set here, before any test file touches the database, so a developer's own
 * .geobench cluster is never used by tests.
 */
process.env.GEOBENCH_HOME ??= path.join(PROJECT_ROOT, '.geobench-test');

let target: Promise<DbTarget> | undefined;

export function testDatabase(): Promise<DbTarget> {
  target ??= (async () => {
    const t = await startCluster();
    await ensureEmbeddedDatabase(t);
    return t;
  })();
  return target;
}
