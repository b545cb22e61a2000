import pg from 'pg';
import QueryStream from 'pg-query-stream';
import { canonicalJson } from './checksum.ts';
import { PG_EPOCH_SEC, writeTupleHead } from './tuple.ts';
import { searchPath } from '../db/schema.ts';

/**
 * Reads dataset rows back from the database and rebuilds each row's canonical bytes (its binary
 * COPY tuple) from column values, whatever the physical layout (partitioned, re-ordered,
 * compressed, behind a view): only the values count.
 */
const ROWS_BY_ID_RANGE = `SELECT id::text AS id, layer_id,
  (extract(epoch FROM created_at) * 1000000)::bigint::text AS created,
  (extract(epoch FROM updated_at) * 1000000)::bigint::text AS updated,
  props::text AS props, ST_AsEWKB(geom, 'NDR') AS ewkb
  FROM geometrias WHERE id >= $1 AND id < $2`;

interface DbRow {
  id: string;
  layer_id: number;
  created: string;
  updated: string;
  props: string;
  ewkb: Buffer;
}

const PG_EPOCH_MICROS = PG_EPOCH_SEC * 1e6;

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
    const stream = client.query(new QueryStream(ROWS_BY_ID_RANGE, [firstId, endId], { batchSize: 2000 }));
    for await (const raw of stream) {
      const row = raw as DbRow;
      const props = canonicalJson(JSON.parse(row.props));
      const need = 64 + Buffer.byteLength(props) + row.ewkb.length;
      if (need > scratch.length) scratch = Buffer.allocUnsafe(need * 2);
      const id = Number(row.id);
      let o = writeTupleHead(scratch, 0, id, row.layer_id, Number(row.created) - PG_EPOCH_MICROS, Number(row.updated) - PG_EPOCH_MICROS, props);
      scratch.writeInt32BE(row.ewkb.length, o);
      o += 4 + row.ewkb.copy(scratch, o + 4);
      onRow(id, scratch, o);
    }
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => {});
  }
}
