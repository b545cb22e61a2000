import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CopyTupleReader } from './copy-tuple-reader.ts';
import { canonicalJson } from './checksum.ts';
import { searchPath } from '../db/schema.ts';

/**
 * Reads dataset rows back from the database and rebuilds each row's canonical bytes (its binary
 * COPY tuple) from column values, whatever the physical layout (partitioned, re-ordered,
 * compressed, behind a view): only the values count.
 *

 * The rows of an id range as a binary COPY: ids, layer and timestamps come out in the very bytes of
 * the canonical tuple (int8, int4, µs since 2000), the geometry as little-endian EWKB; only props
 * need rebuilding (PostgreSQL prints jsonb with its own key order and spaces). Binary COPY instead
 * of a text cursor: no text parsing of numbers, no hex decoding of the geometry, no round trip per
 * batch. COPY (query) takes no parameters: the bounds are checked integers.
 */
function rowsByIdRange(firstId: number, endId: number): string {
  if (!Number.isSafeInteger(firstId) || !Number.isSafeInteger(endId)) throw new Error(`bad id range ${firstId}..${endId}`);
  return `COPY (SELECT id::bigint, layer_id::integer, created_at::timestamptz, updated_at::timestamptz, props::text, ST_AsEWKB(geom, 'NDR')
  FROM geometrias WHERE id >= ${firstId} AND id < ${endId}) TO STDOUT (FORMAT binary)`;
}

/** Bytes of the canonical tuple before props: field count + id, layer_id, created_at, updated_at fields. */
const HEAD_BYTES = 46;
const TWO_32 = 4294967296;

/** Streams rows with firstId ≤ id < endId and calls `onRow(id, bytes, end)` with the row's canonical bytes in bytes[0, end). */
export async function streamCanonicalRows(
  clientConfig: pg.ClientConfig,
  schema: string,
  firstId: number,
  endId: number,
  onRow: (id: number, bytes: Buffer, end: number) => void,
): Promise<void> {
  const client = new pg.Client(clientConfig);
  client.on('error', () => {});
  await client.connect();
  let scratch = Buffer.allocUnsafe(4096);
  try {
    await client.query(`SET search_path = ${searchPath(schema)}`);
    await client.query('BEGIN READ ONLY');
    // A timestamp without time zone (a custom migration's) then converts as UTC, as the generator meant it.
    await client.query("SET LOCAL TimeZone = 'UTC'");
    const reader = new CopyTupleReader((buf, start) => {
      // Field lengths are fixed for the head (checked: a changed column type must not pass unnoticed).
      if (buf.readInt16BE(start) !== 6 || buf.readInt32BE(start + 2) !== 8 || buf.readInt32BE(start + 14) !== 4 || buf.readInt32BE(start + 22) !== 8 || buf.readInt32BE(start + 34) !== 8) {
        throw new Error('unexpected row layout in the binary COPY of geometrias');
      }
      const id = buf.readInt32BE(start + 6) * TWO_32 + buf.readUInt32BE(start + 10);
      const propsLen = buf.readInt32BE(start + HEAD_BYTES);
      const propsStart = start + HEAD_BYTES + 4;
      const props = propsLen < 0 ? 'null' : canonicalJson(JSON.parse(buf.toString('utf8', propsStart, propsStart + propsLen)));
      const geomAt = propsStart + Math.max(propsLen, 0);
      const ewkbLen = buf.readInt32BE(geomAt);
      const need = 64 + Buffer.byteLength(props) + Math.max(ewkbLen, 0);
      if (need > scratch.length) scratch = Buffer.allocUnsafe(need * 2);
      buf.copy(scratch, 0, start, start + HEAD_BYTES);
      const len = scratch.write(props, HEAD_BYTES + 5, 'utf8');
      scratch.writeInt32BE(len + 1, HEAD_BYTES);
      scratch[HEAD_BYTES + 4] = 1; // jsonb binary format version, as the generator writes it
      let o = HEAD_BYTES + 5 + len;
      scratch.writeInt32BE(ewkbLen, o);
      o += 4;
      if (ewkbLen > 0) o += buf.copy(scratch, o, geomAt + 4, geomAt + 4 + ewkbLen);
      onRow(id, scratch, o);
    });
    const stream = client.query(copyTo(rowsByIdRange(firstId, endId)));
    for await (const chunk of stream) reader.push(chunk as Buffer);
    if (!reader.finished()) throw new Error('the binary COPY of geometrias ended early');
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => {});
  }
}
