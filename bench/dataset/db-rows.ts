import pg from 'pg';
import QueryStream from 'pg-query-stream';
import { canonicalJson, hashRow } from './checksum.ts';
import { SEARCH_PATH } from '../db/schema.ts';

/**
 * Reads dataset rows back from the database in the checksum's canonical form, whatever the
 * physical layout (partitioned, re-ordered, compressed, behind a view): only column values count.
 */
const ROWS_BY_ID_RANGE = `SELECT id::text AS id, layer_id,
  (extract(epoch FROM created_at) * 1000000)::bigint::text AS created,
  (extract(epoch FROM updated_at) * 1000000)::bigint::text AS updated,
  props::text AS props, ST_AsBinary(geom, 'NDR') AS wkb
  FROM geometrias WHERE id >= $1 AND id < $2`;

interface DbRow {
  id: string;
  layer_id: number;
  created: string;
  updated: string;
  props: string;
  wkb: Buffer;
}

/** Streams rows with firstId ≤ id < endId and calls `onRow(id, rowHash)` for each. */
export async function streamRowHashes(
  clientConfig: pg.ClientConfig,
  firstId: number,
  endId: number,
  onRow: (id: number, digest: Buffer) => void,
): Promise<void> {
  const client = new pg.Client(clientConfig);
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`SET search_path = ${SEARCH_PATH}`);
    await client.query('BEGIN READ ONLY');
    const stream = client.query(new QueryStream(ROWS_BY_ID_RANGE, [firstId, endId], { batchSize: 2000 }));
    for await (const raw of stream) {
      const row = raw as DbRow;
      const digest = hashRow({
        id: row.id,
        layerId: row.layer_id,
        createdMicros: row.created,
        updatedMicros: row.updated,
        props: canonicalJson(JSON.parse(row.props)),
        wkb: row.wkb,
      });
      onRow(Number(row.id), digest);
    }
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => {});
  }
}
