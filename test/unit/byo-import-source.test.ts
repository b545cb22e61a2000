import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GeobenchError } from '../../bench/core/errors.ts';
import { importSelect, parseColumnMap, parseImportSource, resolveColumns, sampleFilter } from '../../bench/dataset/import-source.ts';
import { CopyRowCounter } from '../../bench/dataset/copy-row-counter.ts';

const refused = (fn: () => unknown): GeobenchError => {
  try {
    fn();
  } catch (err) {
    assert.instance(err, GeobenchError);
    return err as GeobenchError;
  }
  throw new Error('expected a refusal');
};

test('--from: schema.table or a query; anything else is a usage error', () => {
  assert.equal(parseImportSource('public.geometrias'), { kind: 'table', schema: 'public', table: 'geometrias' });
  assert.equal(parseImportSource(' select id from t; '), { kind: 'query', sql: 'select id from t' });
  assert.equal(parseImportSource('WITH x AS (SELECT 1) SELECT * FROM x').kind, 'query');
  const e = refused(() => parseImportSource('geometrias; DROP TABLE x'));
  assert.is(e.exitCode, 2);
});

test('--map pairs; unknown baseline columns and duplicates are refused', () => {
  assert.equal([...parseColumnMap('geom=the_geom, created_at=ts')], [['geom', 'the_geom'], ['created_at', 'ts']]);
  assert.match(refused(() => parseColumnMap('shape=the_geom')).message, /'shape', which is not a baseline column/);
  assert.match(refused(() => parseColumnMap('geom=a,geom=b')).message, /names 'geom' twice/);
  assert.match(refused(() => parseColumnMap('geom')).message, /not <baseline column>=<source column>/);
});

const cols = (...spec: string[]) => spec.map((s) => ({ name: s.split(':')[0]!, type: s.split(':')[1]! }));

test('columns: same names fit; extra and missing ones are named with the flag to use', () => {
  const same = resolveColumns(cols('id:int8', 'layer_id:int4', 'created_at:timestamptz', 'geom:geometry'), new Map());
  assert.equal([...same.keys()], ['id', 'layer_id', 'created_at', 'geom']);
  const e = refused(() => resolveColumns(cols('id:int8', 'layer_id:int4', 'ts:timestamp', 'the_geom:geometry', 'extra:text'), new Map()));
  assert.is(e.exitCode, 2);
  assert.is(e.message, 'source column(s) that do not fit the baseline layout: ts (timestamp), the_geom (geometry), extra (text); baseline column(s) with no source column: created_at, geom');
  assert.match(e.hint ?? '', /--map created_at=ts/);
  const mapped = resolveColumns(cols('id:int8', 'layer_id:int4', 'ts:timestamp', 'the_geom:geometry', 'extra:text'), new Map([['created_at', 'ts'], ['geom', 'the_geom']]), ['extra']);
  assert.equal(mapped.get('geom'), { name: 'the_geom', type: 'geometry' });
  assert.match(refused(() => resolveColumns(cols('id:int8', 'layer_id:text', 'created_at:timestamptz', 'geom:geometry'), new Map())).message,
    /source column layer_id \(text\) cannot feed baseline column layer_id/);
  assert.match(refused(() => resolveColumns(cols('id:int8'), new Map([['geom', 'nope']]))).message, /the source has no column 'nope'/);
});

test('a column mapped elsewhere does not also feed its own name', () => {
  // id is mapped to gid, so the source column "id" is extra, not the id.
  const e = refused(() => resolveColumns(cols('id:int8', 'gid:int8', 'layer_id:int4', 'created_at:timestamptz', 'geom:geometry'), new Map([['id', 'gid']])));
  assert.match(e.message, /do not fit the baseline layout: id \(int8\)$/);
});

test('sample filter: hash of the source id with the seed; none for the whole table', () => {
  assert.is(sampleFilter('id', undefined), 'true');
  assert.is(sampleFilter('id', { fraction: 1, seed: 3 }), 'true');
  assert.is(sampleFilter('gid', { fraction: 0.1, seed: 7 }), '(hashtextextended(src."gid"::text, 7) & 9223372036854775807)::float8 < 0.1 * 9223372036854775807::float8');
  assert.is(refused(() => sampleFilter('id', { fraction: 0, seed: 7 })).exitCode, 2);
});

test('the import SELECT renumbers by source id, casts, defaults and transforms to 4326', () => {
  const columns = resolveColumns(cols('gid:int4', 'layer_id:int2', 'ts:timestamp', 'g:geography'), new Map([['id', 'gid'], ['created_at', 'ts'], ['geom', 'g']]));
  const sql = importSelect({ kind: 'table', schema: 'other', table: 'Parcels' }, columns, undefined);
  assert.is(sql, `SELECT row_number() OVER (ORDER BY src."gid")::bigint AS id,
  src."layer_id"::integer AS layer_id,
  src."ts"::timestamptz AS created_at,
  src."ts"::timestamptz AS updated_at,
  '{}'::jsonb AS props,
  CASE WHEN ST_SRID(src."g"::geometry) = 4326 THEN src."g"::geometry ELSE ST_Transform(src."g"::geometry, 4326) END AS geom
FROM "other"."Parcels" AS src
WHERE true
ORDER BY 1`);
});

/** A binary COPY stream of `rows` tuples with `fields` fields (one NULL each), plus the header and trailer. */
function copyStream(rows: number, fields: number): Buffer {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (let r = 0; r < rows; r++) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(fields);
    parts.push(count);
    for (let f = 0; f < fields; f++) {
      const len = Buffer.alloc(4);
      const value = f === 1 ? -1 : r % 5 + f;
      len.writeInt32BE(value);
      parts.push(len, Buffer.alloc(Math.max(value, 0), 0xff));
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

test('COPY row counter: exact count whatever the chunk boundaries (fields, NULLs, trailer)', () => {
  const stream = copyStream(57, 6);
  for (const size of [1, 2, 3, 7, 19, 64, stream.length]) {
    const counter = new CopyRowCounter();
    for (let o = 0; o < stream.length; o += size) counter.push(stream.subarray(o, o + size));
    assert.is(counter.rows, 57, `chunk size ${size}`);
    assert.is(counter.bytes, stream.length);
  }
  const empty = new CopyRowCounter();
  empty.push(copyStream(0, 6));
  assert.is(empty.rows, 0);
});

test.run();
