import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateChunk, chunkRows } from '../../bench/dataset/generator.ts';
import { Checksum, canonicalJson, lanesToHex } from '../../bench/dataset/checksum.ts';
import { murmur3x86_128 } from '../../bench/dataset/murmur3.ts';
import { CHUNK_ROWS, TIME_END_SEC, TIME_START_SEC, pickFromCdf, rowsForScale, zipfCdf } from '../../bench/dataset/model.ts';

/** Decodes the generator's binary COPY tuples back into rows (independent of the generator's code path). */
function decodeTuples(buf: Uint8Array): Array<{ id: number; layer: number; created: number; props: Record<string, unknown>; type: number; srid: number; n: number }> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const rows = [];
  let o = 0;
  const PG_EPOCH = Date.UTC(2000, 0, 1) / 1000;
  while (o < b.length) {
    assert.is(b.readInt16BE(o), 6);
    const id = Number(b.readBigInt64BE(o + 6));
    const layer = b.readInt32BE(o + 18);
    const created = Number(b.readBigInt64BE(o + 26)) / 1e6 + PG_EPOCH;
    o += 46;
    const propsLen = b.readInt32BE(o);
    const props = JSON.parse(b.subarray(o + 5, o + 4 + propsLen).toString('utf8')) as Record<string, unknown>;
    o += 4 + propsLen;
    const geomLen = b.readInt32BE(o);
    const g = b.subarray(o + 4, o + 4 + geomLen);
    const typeWord = g.readUInt32LE(1);
    const type = typeWord & 0xff;
    const srid = g.readUInt32LE(5);
    const n = type === 1 ? 1 : type === 2 ? g.readUInt32LE(9) : g.readUInt32LE(13);
    rows.push({ id, layer, created, props, type, srid, n });
    o += 4 + geomLen;
  }
  return rows;
}

test('scale maps to rows (1.0 = 12.4M) and chunks are fixed-size', () => {
  assert.is(rowsForScale(1), 12_400_000);
  assert.is(rowsForScale(0.001), 12_400);
  assert.is(chunkRows(12_400, 0), CHUNK_ROWS);
  assert.is(chunkRows(12_400, 1), 2_400);
  assert.is(chunkRows(12_400, 2), 0);
});

test('a chunk is identical for the same (seed, chunk) and differs for another seed', () => {
  const a = generateChunk({ seed: 7, totalRows: 30_000 }, 2);
  const b = generateChunk({ seed: 7, totalRows: 30_000 }, 2);
  const c = generateChunk({ seed: 8, totalRows: 30_000 }, 2);
  assert.ok(Buffer.from(a.copy).equals(Buffer.from(b.copy)));
  assert.equal(a.checksum, b.checksum);
  assert.is.not(a.checksum.hash, c.checksum.hash);
  assert.is(a.firstId, 20_001);
});

test('the generated rows follow the documented model', () => {
  const rows = [0, 1, 2, 3, 4].flatMap((i) => decodeTuples(generateChunk({ seed: 3, totalRows: 50_000 }, i).copy));
  assert.is(rows.length, 50_000);
  const share = (pred: (r: (typeof rows)[number]) => boolean): number => rows.filter(pred).length / rows.length;
  assert.ok(Math.abs(share((r) => r.type === 1) - 0.6) < 0.01, 'points ~60%');
  assert.ok(Math.abs(share((r) => r.type === 3) - 0.25) < 0.01, 'polygons ~25%');
  assert.ok(Math.abs(share((r) => r.type === 2) - 0.15) < 0.01, 'lines ~15%');
  assert.ok(Math.abs(share((r) => r.props.name!.toString().startsWith('rural')) - 0.2) < 0.01, 'uniform ~20%');
  assert.ok(rows.every((r) => r.srid === 4326));
  assert.ok(rows.filter((r) => r.type === 3).every((r) => r.n >= 6 && r.n <= 13), 'polygons 5-12 vertices + closing point');
  assert.ok(rows.filter((r) => r.type === 2).every((r) => r.n >= 3 && r.n <= 20), 'lines 3-20 vertices');
  assert.ok(rows.every((r) => r.layer >= 1 && r.layer <= 50));
  assert.ok(share((r) => r.layer === 1) > 4 * share((r) => r.layer === 10), 'layers skewed');
  assert.ok(rows.every((r) => r.created >= TIME_START_SEC && r.created < TIME_END_SEC && Number.isInteger(r.created)));
  assert.ok(rows.every((r, i) => r.id === i + 1));
  assert.ok(rows.every((r) => typeof r.props.tag === 'string' && typeof r.props.name === 'string'));
});

test('created_at is uniform over the 36 months (ids in arrival order)', () => {
  const totalRows = 36_000;
  const months = new Array(36).fill(0);
  for (let i = 0; i < 4; i++) {
    for (const r of decodeTuples(generateChunk({ seed: 1, totalRows }, i).copy)) {
      const d = new Date(r.created * 1000);
      months[(d.getUTCFullYear() - 2023) * 12 + d.getUTCMonth()]++;
    }
  }
  for (const count of months) assert.ok(count > 800 && count < 1200, `month count ${count} near 1000`);
});

test('MurmurHash3 x86_128 matches the reference implementation vectors', () => {
  const vectors: Array<[string, string]> = [
    ['', '00000000000000000000000000000000'],
    ['a', 'a794933c5556b01b5556b01b5556b01b'],
    ['hello', '2b2444a0db91def79adb31b69adb31b6'],
    ['The quick brown fox jumps over the lazy dog', '2f1583c3ecee2c675d7bf66ce5e91d2c'],
    ['abcdefghijklmnopq', '0445a4d364515c6fd96ddc2a1d11079d'],
  ];
  const out = new Uint32Array(4);
  for (const [text, expected] of vectors) {
    const bytes = Buffer.from(`__${text}__`, 'latin1');
    murmur3x86_128(bytes, 2, bytes.length - 2, out);
    assert.is(lanesToHex(out), expected, JSON.stringify(text));
  }
});

test('checksum is order-independent and merges partial sums; canonical JSON sorts keys', () => {
  const rows = ['alpha', 'beta', 'gamma'].map((s) => Buffer.from(s));
  const x = new Checksum();
  const y = new Checksum();
  for (const r of rows) x.addRow(r, 0, r.length);
  for (const r of [rows[2]!, rows[0]!, rows[1]!]) y.addRow(r, 0, r.length);
  assert.equal(x.value(), y.value());
  assert.is(x.value().rows, 3);
  const part = new Checksum();
  part.addRow(rows[0]!, 0, rows[0]!.length);
  const merged = new Checksum();
  merged.add(part);
  merged.addRow(rows[1]!, 0, rows[1]!.length);
  merged.addRow(rows[2]!, 0, rows[2]!.length);
  assert.equal(merged.value(), x.value());
  const changed = new Checksum();
  for (const r of [rows[0]!, rows[1]!, Buffer.from('gammb')]) changed.addRow(r, 0, r.length);
  assert.is.not(changed.value().hash, x.value().hash);
  assert.is(canonicalJson({ tag: 'x', name: 'y', n: { b: 1, a: [2, 'z'] } }), '{"n":{"a":[2,"z"],"b":1},"name":"y","tag":"x"}');
});

test('zipf cdf picks rank 1 most often and ends at 1', () => {
  const cdf = zipfCdf(4);
  assert.is(cdf[3], 1);
  assert.ok(Math.abs(cdf[0]! - 0.48) < 0.01); // 1 / (1 + 1/2 + 1/3 + 1/4)
  assert.is(pickFromCdf(cdf, 0), 0);
  assert.is(pickFromCdf(cdf, 0.5), 1);
  assert.is(pickFromCdf(cdf, 0.9999), 3);
});

test.run();
