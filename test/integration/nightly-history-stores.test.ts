import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { testDatabase } from '../helpers/cluster.ts';
import { withClient } from '../../bench/db/connect.ts';
import type { DbTarget } from '../../bench/db/target.ts';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { folderStore } from '../../bench/nightly/history-folder-store.ts';
import { postgresStore } from '../../bench/nightly/history-postgres-store.ts';
import { HISTORY_SCHEMA } from '../../bench/nightly/history-migrations.ts';
import { importFolderHistory } from '../../bench/nightly/history-import.ts';
import { selectComparable, type HistoryRunRecord } from '../../bench/nightly/history-index.ts';
import { seriesKeyOf } from '../../bench/nightly/series-key.ts';
import type { HistoryStore } from '../../bench/nightly/store.ts';
import { fakeResult } from '../unit/nightly-fixtures.ts';

/**
 * The same history tests against both stores (docs/nightly.md, "The history"): the folder store and
 * the PostgreSQL store in the real embedded test cluster (schema geobench_history, dropped before
 * each test so every test starts from a new history).
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-hist-stores-'));
const key = seriesKeyOf(fakeResult());
const source = path.join(tmp, 'source');
fs.mkdirSync(path.join(source, 'plans', 'opt1'), { recursive: true });
fs.writeFileSync(path.join(source, 'result.json'), JSON.stringify(fakeResult({ runId: 'stored' })));
fs.writeFileSync(path.join(source, 'plans', 'opt1', 'Q1.json'), '{}');

function record(id: string, second: number, extra: Partial<HistoryRunRecord> = {}): HistoryRunRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
  return { nightlyRunId: id, entry: 'smoke', kind: 'scenario', dir: `${id}/smoke`, startedAt: at, finishedAt: at, status: 'complete', verdict: 'ok', alarms: [], kpiFailures: 0, accepted: false, commit: 'c0ffee', ...extra };
}

interface Kind {
  readonly name: 'folder' | 'postgres';
  /** A new, empty history and the argument the writer script takes for it. */
  fresh(): Promise<{ store: HistoryStore; writerArg: string }>;
}

let n = 0;
const KINDS: Kind[] = [
  { name: 'folder', fresh: async () => {
    const dir = path.join(tmp, `folder-${n++}`);
    return { store: folderStore(dir), writerArg: dir };
  } },
  { name: 'postgres', fresh: async () => {
    const target = await testDatabase();
    await withClient(target, (c) => c.query(`DROP SCHEMA IF EXISTS ${HISTORY_SCHEMA} CASCADE`));
    return { store: await postgresStore(target), writerArg: 'postgres' };
  } },
];

function writer(arg: string, prefix: string, count: number, target: DbTarget | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/integration/nightly-history-writer.ts'), arg, prefix, String(count), source], {
      env: { ...process.env, ...(target ? { GEOBENCH_TEST_HISTORY_TARGET: JSON.stringify(target) } : {}) }, stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const runIds = (idx: Awaited<ReturnType<HistoryStore['readIndex']>>): string[] => Object.values(idx.series).flatMap((s) => s.runs.map((r) => r.nightlyRunId)).sort();

for (const kind of KINDS) {
  const t = suite(`history store: ${kind.name}`);
  const open: HistoryStore[] = [];
  const fresh = async (): Promise<HistoryStore> => {
    const { store } = await kind.fresh();
    open.push(store);
    return store;
  };
  t.after(async () => {
    for (const s of open) await s.close().catch(() => {});
  });

  t('a new history reads as empty; stored runs come back in the index and readable', async () => {
    const store = await fresh();
    assert.equal((await store.readIndex()).series, {});
    await store.storeRun(source, key, record('n1', 1));
    const after = await store.storeRun(source, key, record('n2', 2));
    const series = Object.values(after.series);
    assert.is(series.length, 1);
    assert.equal(series[0]!.runs.map((r) => r.nightlyRunId), ['n1', 'n2']);
    assert.equal(series[0]!.key, key);
    const data = await store.readRun(series[0]!.runs[1]!);
    assert.is(data?.result?.runId, 'stored');
    assert.is(await store.readRun(record('missing', 9)), null);
  });

  t('--accept marks every entry run of a night; the comparable history then includes it', async () => {
    const store = await fresh();
    for (let i = 1; i <= 3; i++) await store.storeRun(source, key, record(`n${i}`, i));
    await store.storeRun(source, key, record('bad', 4, { verdict: 'regression', alarms: ['opt1/Q1/p50'] }));
    const before = selectComparable(await store.readIndex(), key, 'smoke', 10);
    assert.equal(before.baseline.map((r) => r.nightlyRunId), ['n3', 'n2', 'n1']);
    assert.is(await store.accept('bad'), 1);
    assert.is(await store.accept('no-such-night'), 0);
    const after = selectComparable(await store.readIndex(), key, 'smoke', 10);
    assert.equal(after.baseline.map((r) => r.nightlyRunId), ['bad', 'n3', 'n2', 'n1']);
  });

  t('storing the same entry run twice is refused', async () => {
    const store = await fresh();
    await store.storeRun(source, key, record('n1', 1));
    try {
      await store.storeRun(source, key, record('n1', 1));
      assert.unreachable('duplicate accepted');
    } catch (err) {
      assert.match((err as Error).message, /already holds n1\/smoke/);
    }
    assert.equal(runIds(await store.readIndex()), ['n1']);
  });

  t('two writers at once (two processes, 15 runs each): every run lands, the index is consistent', async () => {
    const { store, writerArg } = await kind.fresh();
    open.push(store);
    const target = kind.name === 'postgres' ? await testDatabase() : null;
    const codes = await Promise.all([writer(writerArg, 'a', 15, target), writer(writerArg, 'b', 15, target)]);
    assert.equal(codes, [0, 0]);
    const index = await store.readIndex();
    const ids = runIds(index);
    assert.is(ids.length, 30);
    assert.is(new Set(ids).size, 30);
    for (const r of Object.values(index.series).flatMap((s) => s.runs)) assert.ok(await store.readRun(r), `${r.nightlyRunId} readable`);
  });

  t('history import: a folder history moves in with its records (accepted marks kept); a second import skips what is there', async () => {
    const folder = folderStore(path.join(tmp, `import-src-${n++}`));
    await folder.storeRun(source, key, record('n1', 1));
    await folder.storeRun(source, key, record('n2', 2, { verdict: 'regression', alarms: ['x'] }));
    await folder.accept('n2');
    const store = await fresh();
    const first = await importFolderHistory(folder.display, store);
    assert.equal(first, { imported: 2, skipped: 0 });
    const runs = Object.values((await store.readIndex()).series)[0]!.runs;
    assert.equal(runs.map((r) => [r.nightlyRunId, r.accepted]), [['n1', false], ['n2', true]]);
    assert.is((await store.readRun(runs[1]!))?.result?.runId, 'stored');
    assert.equal(await importFolderHistory(folder.display, store), { imported: 0, skipped: 2 });
  });

  t.run();
}

const done = suite('cleanup');
done.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
done('temporary folders removed at the end', () => {});
done.run();
