import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog, resolveTarget } from '../../bench/migrate/catalog.ts';
import { checkLedger, type LedgerRow } from '../../bench/migrate/runner.ts';
import { SQL_DIR } from '../../bench/core/paths.ts';
import { GeobenchError } from '../../bench/core/errors.ts';

function tempSqlDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-sql-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('the shipped sql/ folder pairs every migration with its rollback, in version order', () => {
  const catalog = loadCatalog(SQL_DIR);
  assert.ok(catalog.length >= 1);
  assert.is(catalog[0]!.tag, 'OPT1');
  assert.is(path.basename(catalog[0]!.rollbackFile), 'ROLLBACK_OPT1_temporal_partitioning_geometrias.sql');
  const versions = catalog.map((m) => m.version);
  assert.equal(versions, [...versions].sort());
});

test('resolveTarget accepts baseline, tags in any case, versions and file names', () => {
  const dir = tempSqlDir({
    '1000000001_one.sql': 'SELECT 1;', 'ROLLBACK_OPT1_one.sql': 'SELECT 1;',
    '1000000002_two.sql': 'SELECT 2;', 'ROLLBACK_OPT2_two.sql': 'SELECT 2;',
  });
  const catalog = loadCatalog(dir);
  assert.is(resolveTarget(catalog, 'baseline'), -1);
  assert.is(resolveTarget(catalog, 'opt2'), 1);
  assert.is(resolveTarget(catalog, '1000000001'), 0);
  assert.is(resolveTarget(catalog, '1000000002_two.sql'), 1);
  assert.throws(() => resolveTarget(catalog, 'OPT9'), (e: Error) => e instanceof GeobenchError && /known targets: baseline, OPT1, OPT2/.test((e as GeobenchError).hint ?? ''));
});

test('a migration without a rollback is rejected with the expected file name', () => {
  const dir = tempSqlDir({ '1000000001_one.sql': 'SELECT 1;' });
  assert.throws(() => loadCatalog(dir), /no rollback script \(expected ROLLBACK_<TAG>_one\.sql/);
});

test('checkLedger refuses an applied file that was edited, and a ledger without a dataset', () => {
  const dir = tempSqlDir({ '1000000001_one.sql': 'SELECT 1;', 'ROLLBACK_OPT1_one.sql': 'SELECT 1;' });
  const catalog = loadCatalog(dir);
  const row = (over: Partial<LedgerRow>): LedgerRow => ({
    version: '1000000001', tag: 'OPT1', name: 'one', checksum: catalog[0]!.checksum, applied_at: new Date(), duration_ms: '1', after_commit_ms: '0', ...over,
  });
  const base = row({ version: '0000000000', tag: 'baseline', name: 'baseline_schema' });
  assert.is(checkLedger([base, row({})], catalog), 1);
  assert.is(checkLedger([base], catalog), 0);
  assert.throws(() => checkLedger([base, row({ checksum: 'deadbeef' })], catalog), /was edited after it was applied/);
  assert.throws(() => checkLedger([row({})], catalog), /no dataset/);
});

test.run();
