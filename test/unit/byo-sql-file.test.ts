import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { GeobenchError } from '../../bench/core/errors.ts';
import { parseSqlQueryFile } from '../../bench/queries/sql-file.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-sqlfile-'));
const file = (name: string, text: string): string => {
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
const refusal = (name: string, text: string): string => {
  try {
    parseSqlQueryFile('C1', file(name, text));
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.is((err as GeobenchError).exitCode, 2);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

const GOOD = `-- a comment line is allowed
-- @title near a point
-- @kind read
-- @param $1 point
-- @param $2 layer
-- @param $3,$4 time_window 2d
-- @param $5 constant 10
-- @param $6 range 1 3
SELECT id FROM geometrias WHERE ST_DWithin(geom, $1::geometry, 0.01) AND layer_id = $2
  AND created_at >= $3::timestamptz AND created_at < $4::timestamptz LIMIT $5 OFFSET $6
`;

test('a valid file: name, kind, title, statement, and parameters drawn from the sample', () => {
  const q = parseSqlQueryFile('C1', file('good.sql', GOOD));
  assert.is(q.kind, 'read');
  assert.is(q.title, 'near a point');
  assert.match(q.sql, /^SELECT id FROM geometrias/);
  const sample = [{ lon: -9.1, lat: 38.7, layerId: 104, createdSec: 1_710_000_000 }];
  const values = q.params(seedrandom.alea('x'), { totalRows: 10, sample });
  assert.equal(values.slice(0, 5), ['SRID=4326;POINT(-9.1 38.7)', 104, new Date((1_710_000_001 - 2 * 86_400) * 1000).toISOString(), new Date(1_710_000_001 * 1000).toISOString(), 10]);
  assert.ok([1, 2, 3].includes(values[5] as number));
  // The same seed gives the same parameters.
  assert.equal(q.params(seedrandom.alea('x'), { totalRows: 10, sample }), values);
  // Without a sample: the synthetic model (a layer 1..50).
  const synthetic = q.params(seedrandom.alea('x'), { totalRows: 10 });
  assert.ok((synthetic[1] as number) >= 1 && (synthetic[1] as number) <= 50);
});

test('malformed headers are refused naming the file and line', () => {
  assert.is(refusal('a.sql', '-- @kind read\n-- @param $1 pointy\nSELECT $1'), "a.sql:2: unknown generator 'pointy' (point, box, layer, time_window, id, constant, range)");
  assert.is(refusal('b.sql', '-- @param $1 point\nSELECT $1'), 'b.sql:1: the header has no -- @kind read|write line');
  assert.is(refusal('c.sql', '-- @kind read\n-- @param $1 point\nSELECT $1, $2'), 'c.sql:3: $2 is used in the statement but has no -- @param line');
  assert.is(refusal('d.sql', '-- @kind read\n-- @param $1 point\n-- @param $2 layer\nSELECT $1'), 'd.sql:3: $2 has a generator but the statement does not use it');
  assert.is(refusal('e.sql', '-- @kind fast\nSELECT 1'), "e.sql:1: @kind must be read or write, got 'fast'");
  assert.is(refusal('f.sql', '-- @kind read\n-- @param $1,$2 box 100\nSELECT $1, $2'), 'f.sql:2: box fills 1 parameter(s), 2 named');
  assert.is(refusal('g.sql', '-- @kind read\n-- @param $1 range 5 1\nSELECT $1'), 'g.sql:2: range 5 1: the lower bound is above the upper');
  assert.is(refusal('h.sql', '-- @kind read\n-- @param $1 point\n-- @param $1 layer\nSELECT $1'), 'h.sql:3: $1 already has a generator (line 2)');
  assert.is(refusal('i.sql', '-- @kind read\n-- @colour blue\nSELECT 1'), "i.sql:2: unknown header line '@colour' (title, kind, param, route)");
  assert.is(refusal('j.sql', '-- @kind read\n\nSELECT 1; SELECT 2'), 'j.sql:3: expected one SQL statement, found 2');
  assert.is(refusal('k.sql', '-- @kind read\n-- @param $1,$2 time_window 3w\nSELECT $1, $2'), "k.sql:2: time_window length '3w' is not <n>s, <n>h or <n>d");
});

test('routes: a live route file with the same parameters', () => {
  file('fast.sql', 'SELECT id FROM geometrias_fast WHERE layer_id = $1');
  const q = parseSqlQueryFile('C2', file('routed.sql', '-- @kind read\n-- @param $1 layer\n-- @route fast live OPT1 fast.sql\nSELECT id FROM geometrias WHERE layer_id = $1'));
  assert.equal(q.routes?.fast?.requires, 'OPT1');
  assert.is(q.routes?.fast?.freshness.kind, 'live');
  assert.match(refusal('r2.sql', '-- @kind read\n-- @route fast live OPT1 missing.sql\nSELECT 1'), /^r2\.sql:2: route file missing\.sql not found$/);
});

test.run();
