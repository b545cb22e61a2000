/**
 * The binary COPY tuple of one geometrias row (columns as COPY_COLUMNS). The generator streams
 * these to the server, and the same bytes are the row's canonical form for the checksum: the
 * verifier rebuilds them from column values read back with this same writer.
 */
export const COPY_COLUMNS = ['id', 'layer_id', 'created_at', 'updated_at', 'props', 'geom'] as const;

/** Seconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC). */
export const PG_EPOCH_SEC = 946_684_800;
const TWO_32 = 4294967296;

/** Writes an int64 < 2^53 as two 32-bit halves (faster than BigInt). */
export function writeInt64(buf: Buffer, o: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, o);
  buf.writeUInt32BE(value - hi * TWO_32, o + 4);
}

/**
 * Writes everything up to the geometry field: field count, id, layer_id, created_at, updated_at
 * (µs since 2000-01-01), props (jsonb binary: version byte + canonical JSON, ASCII). Returns the
 * offset where the geometry field (int32 length + EWKB) starts.
 */
export function writeTupleHead(buf: Buffer, o: number, id: number, layerId: number, createdPgMicros: number, updatedPgMicros: number, props: string): number {
  buf.writeInt16BE(6, o);
  buf.writeInt32BE(8, o + 2);
  writeInt64(buf, o + 6, id);
  buf.writeInt32BE(4, o + 14);
  buf.writeInt32BE(layerId, o + 18);
  buf.writeInt32BE(8, o + 22);
  writeInt64(buf, o + 26, createdPgMicros);
  buf.writeInt32BE(8, o + 34);
  writeInt64(buf, o + 38, updatedPgMicros);
  const len = buf.write(props, o + 51, 'utf8');
  buf.writeInt32BE(len + 1, o + 46);
  buf[o + 50] = 1; // jsonb binary format version
  return o + 51 + len;
}
