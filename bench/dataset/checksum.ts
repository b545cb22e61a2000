import crypto from 'node:crypto';

/**
 * Order-independent content checksum. Each row is hashed (MD5 of its canonical form: id, layer,
 * created/updated epoch microseconds, canonical props JSON, geometry WKB); the 128-bit row hashes are
 * added lane-wise modulo 2^32 (a commutative sum), so the result is the same whatever the
 * physical order, partitioning or worker count. MD5 is used as a fast fingerprint, not for security.
 */
export interface RowFields {
  readonly id: string;
  readonly layerId: number;
  readonly createdMicros: string;
  readonly updatedMicros: string;
  /** props as canonical JSON (keys sorted) */
  readonly props: string;
  /** OGC WKB, little-endian, 2D */
  readonly wkb: Uint8Array;
}

export function hashRow(row: RowFields): Buffer {
  return crypto
    .createHash('md5')
    .update(`${row.id}|${row.layerId}|${row.createdMicros}|${row.updatedMicros}|${row.props}|`)
    .update(row.wkb)
    .digest();
}

/** Canonical JSON for a flat-or-nested object: keys sorted at every level, no spaces. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** A running checksum: row count plus four 32-bit lane sums. */
export class Checksum {
  rows = 0;
  private readonly lanes = new Uint32Array(4);

  addRowHash(digest: Uint8Array): void {
    const view = new DataView(digest.buffer, digest.byteOffset, 16);
    for (let i = 0; i < 4; i++) this.lanes[i] = (this.lanes[i]! + view.getUint32(i * 4, true)) >>> 0;
    this.rows++;
  }

  add(other: Checksum | ChecksumValue): void {
    const value = other instanceof Checksum ? other.value() : other;
    const lanes = Buffer.from(value.hash, 'hex');
    for (let i = 0; i < 4; i++) this.lanes[i] = (this.lanes[i]! + lanes.readUInt32BE(i * 4)) >>> 0;
    this.rows += value.rows;
  }

  value(): ChecksumValue {
    const out = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) out.writeUInt32BE(this.lanes[i]!, i * 4);
    return { rows: this.rows, hash: out.toString('hex') };
  }
}

export interface ChecksumValue {
  readonly rows: number;
  /** 32 hex characters */
  readonly hash: string;
}

export function sameChecksum(a: ChecksumValue, b: ChecksumValue): boolean {
  return a.rows === b.rows && a.hash === b.hash;
}
