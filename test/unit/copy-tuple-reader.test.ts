import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CopyTupleReader } from '../../bench/dataset/copy-tuple-reader.ts';

const header = (ext: Buffer = Buffer.alloc(0)): Buffer => {
  const h = Buffer.alloc(19);
  h.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  h.writeInt32BE(ext.length, 15);
  return Buffer.concat([h, ext]);
};
const tuple = (fields: Array<Buffer | null>): Buffer => {
  const parts: Buffer[] = [Buffer.from([0, fields.length])];
  for (const f of fields) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(f === null ? -1 : f.length);
    parts.push(len, ...(f === null ? [] : [f]));
  }
  return Buffer.concat(parts);
};
const TRAILER = Buffer.from([0xff, 0xff]);

test('every split of the stream gives the same whole tuples (header extension, NULL and empty fields, trailer)', () => {
  const tuples = [tuple([Buffer.from('abc'), null, Buffer.alloc(0)]), tuple([Buffer.from('x'.repeat(300))]), tuple([Buffer.from([1, 2, 3, 4]), Buffer.from('é')])];
  const stream = Buffer.concat([header(Buffer.from('ext!')), ...tuples, TRAILER]);
  for (let cut1 = 0; cut1 <= stream.length; cut1 += 7) {
    for (const cut2 of [cut1, cut1 + 1, cut1 + 13]) {
      const seen: string[] = [];
      const reader = new CopyTupleReader((buf, start, end) => seen.push(buf.subarray(start, end).toString('hex')));
      reader.push(stream.subarray(0, cut1));
      reader.push(stream.subarray(cut1, Math.min(cut2, stream.length)));
      reader.push(stream.subarray(Math.min(cut2, stream.length)));
      assert.equal(seen, tuples.map((t) => t.toString('hex')), `cuts at ${cut1}, ${cut2}`);
      assert.ok(reader.finished());
    }
  }
});

test('a stream cut before its trailer is not finished; a wrong signature throws', () => {
  const reader = new CopyTupleReader(() => {});
  reader.push(Buffer.concat([header(), tuple([Buffer.from('a')])]));
  assert.not.ok(reader.finished());
  assert.throws(() => new CopyTupleReader(() => {}).push(Buffer.alloc(40)), /not a binary COPY stream/);
});

test.run();
