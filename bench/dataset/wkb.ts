/**
 * Minimal little-endian WKB/EWKB writer for points, linestrings and single-ring polygons.
 * The generator hashes the WKB (what ST_AsBinary(geom,'NDR') returns) and sends the EWKB
 * (with SRID) to the server, so both sides of the checksum see identical bytes.
 */
export const WKB_POINT = 1;
export const WKB_LINESTRING = 2;
export const WKB_POLYGON = 3;
const EWKB_SRID_FLAG = 0x20000000;

/** Byte length of the WKB for a geometry with `n` coordinates (polygons: one ring). */
export function wkbLength(type: number, n: number): number {
  if (type === WKB_POINT) return 21;
  if (type === WKB_LINESTRING) return 9 + 16 * n;
  return 13 + 16 * n;
}

/**
 * Writes WKB (srid undefined) or EWKB (srid given) of `coords` (x0,y0,x1,y1,…) into `buf` at
 * `offset`; returns the new offset.
 */
export function writeWkb(buf: Buffer, offset: number, type: number, coords: Float64Array, n: number, srid?: number): number {
  let o = offset;
  buf[o++] = 1; // little-endian
  if (srid === undefined) {
    buf.writeUInt32LE(type, o);
    o += 4;
  } else {
    buf.writeUInt32LE((type | EWKB_SRID_FLAG) >>> 0, o);
    buf.writeUInt32LE(srid, o + 4);
    o += 8;
  }
  if (type === WKB_POLYGON) {
    buf.writeUInt32LE(1, o);
    o += 4;
  }
  if (type !== WKB_POINT) {
    buf.writeUInt32LE(n, o);
    o += 4;
  }
  for (let i = 0; i < 2 * n; i++) {
    buf.writeDoubleLE(coords[i]!, o);
    o += 8;
  }
  return o;
}
