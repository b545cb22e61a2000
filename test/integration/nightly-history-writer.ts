/**
 * A concurrent writer for nightly-history-stores.test.ts (not a test): stores `count` entry runs
 * named <prefix>-<i> into the history given, as a nightly would, each with a result.json.
 *   node --import tsx test/integration/nightly-history-writer.ts <folder|postgres> <prefix> <count> <source-dir>
 * For `postgres` the target comes from GEOBENCH_TEST_HISTORY_TARGET (a DbTarget as JSON).
 */
import type { DbTarget } from '../../bench/db/target.ts';
import { folderStore } from '../../bench/nightly/history-folder-store.ts';
import { postgresStore } from '../../bench/nightly/history-postgres-store.ts';
import { seriesKeyOf } from '../../bench/nightly/series-key.ts';
import { fakeResult } from '../unit/nightly-fixtures.ts';

const [where, prefix, count, source] = process.argv.slice(2) as [string, string, string, string];
const store = where === 'postgres' ? await postgresStore(JSON.parse(process.env.GEOBENCH_TEST_HISTORY_TARGET!) as DbTarget) : folderStore(where);
const key = seriesKeyOf(fakeResult());
for (let i = 0; i < Number(count); i++) {
  const id = `${prefix}-${String(i).padStart(2, '0')}`;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  await store.storeRun(source, key, { nightlyRunId: id, entry: 'smoke', kind: 'scenario', dir: `${id}/smoke`, startedAt: at, finishedAt: at, status: 'complete', verdict: 'ok', alarms: [], kpiFailures: 0, accepted: false, commit: prefix });
}
await store.close();
