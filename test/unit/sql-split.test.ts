import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitMigration, splitStatements } from '../../bench/migrate/sql-split.ts';

test('splits on semicolons and reports each statement line', () => {
  const sql = 'CREATE TABLE a (x int);\n\n-- comment; with semicolon\nINSERT INTO a VALUES (1);\n';
  const st = splitStatements(sql);
  assert.equal(st.map((s) => s.line), [1, 3]);
  assert.equal(st[0]!.text, 'CREATE TABLE a (x int)');
  assert.ok(st[1]!.text.endsWith('INSERT INTO a VALUES (1)'));
});

test('keeps dollar-quoted bodies, quoted semicolons and block comments intact', () => {
  const sql = "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;\nSELECT 'a;b', \"we;ird\" /* x; y */ FROM t;\nSELECT $fn$ ; $fn$;";
  const st = splitStatements(sql);
  assert.is(st.length, 3);
  assert.ok(st[0]!.text.includes('PERFORM 2; END $$'));
  assert.is(st[1]!.line, 2);
  assert.ok(st[1]!.text.includes("'a;b'"));
  assert.is(st[2]!.text, 'SELECT $fn$ ; $fn$');
});

test('doubled quotes inside literals do not end the literal', () => {
  const st = splitStatements("SELECT 'it''s; fine';SELECT 2");
  assert.equal(st.map((s) => s.text), ["SELECT 'it''s; fine'", 'SELECT 2']);
});

test('a script of comments only has no statements', () => {
  assert.equal(splitStatements('-- nothing\n/* here */\n'), []);
});

test('after-commit marker splits transactional and after-commit parts with real line numbers', () => {
  const sql = 'CREATE TABLE a (x int);\n-- geobench:after-commit\nVACUUM a;\nANALYZE a;\n';
  const parts = splitMigration(sql);
  assert.equal(parts.transactional.map((s) => s.text), ['CREATE TABLE a (x int)']);
  assert.equal(parts.afterCommit.map((s) => [s.text, s.line]), [['VACUUM a', 3], ['ANALYZE a', 4]]);
});

test.run();
