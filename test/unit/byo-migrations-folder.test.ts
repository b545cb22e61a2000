import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GeobenchError } from '../../bench/core/errors.ts';
import { SQL_DIR } from '../../bench/core/paths.ts';
import { loadCatalog } from '../../bench/migrate/catalog.ts';
import { mergedSqlDir } from '../../bench/migrate/custom-folder.ts';

// The merged folder is written under GEOBENCH_HOME: a home of its own while this file's tests run,
// given back after. Set in `before`, not at import: the uvu CLI imports every test file first and runs
// them after, so an import-time change reached every integration test's CLI child — they started a
// second cluster in this temporary home, which nothing destroyed (the clusters left running after CI).
let previousHome: string | undefined;
test.before(() => {
  previousHome = process.env.GEOBENCH_HOME;
  process.env.GEOBENCH_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-home-'));
});
test.after(() => {
  fs.rmSync(process.env.GEOBENCH_HOME!, { recursive: true, force: true });
  if (previousHome === undefined) delete process.env.GEOBENCH_HOME;
  else process.env.GEOBENCH_HOME = previousHome;
});

const folder = (files: Record<string, string>): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-mig-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
};
const refusal = (dir: string): string => {
  try {
    mergedSqlDir(SQL_DIR, dir);
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.is((err as GeobenchError).exitCode, 2);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

test('a custom folder is laid over sql/: one catalog in version order, files byte for byte, same folder for the same content', () => {
  const up = 'CREATE INDEX geometrias_created_brin ON geometrias USING brin (created_at);\n';
  const dir = folder({ '1999000100_created_brin.sql': up, 'ROLLBACK_CUST1_created_brin.sql': 'DROP INDEX geometrias_created_brin;\n' });
  const merged = mergedSqlDir(SQL_DIR, dir);
  const catalog = loadCatalog(merged);
  assert.equal(catalog.map((m) => m.tag), [...loadCatalog(SQL_DIR).map((m) => m.tag), 'CUST1']);
  assert.is(fs.readFileSync(catalog.at(-1)!.file, 'utf8'), up);
  assert.ok(fs.existsSync(path.join(merged, 'baseline', '01_table.sql')));
  assert.is(mergedSqlDir(SQL_DIR, dir), merged);
});

test('refused: a missing rollback, a clash with sql/, an empty folder, not a folder', () => {
  assert.match(refusal(folder({ '1999000100_x.sql': 'SELECT 1;' })), /1999000100_x\.sql has no rollback script/);
  assert.match(refusal(folder({ '1999000100_x.sql': 'SELECT 1;', 'ROLLBACK_OPT1_x.sql': 'SELECT 1;' })), /1999000100_x\.sql clashes with 1770470100_temporal_partitioning_geometrias\.sql/);
  assert.match(refusal(folder({ 'notes.txt': 'x' })), /no <version>_<name>\.sql migration/);
  assert.match(refusal('/nonexistent/folder'), /not a folder/);
});

test.run();
