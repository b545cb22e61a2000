import { murmur3x86_128 } from './murmur3.ts';

/**
 * Order-independent content checksum. A row's canonical form is its binary COPY tuple (id, layer,
 * created/updated as µs since 2000, canonical props JSON, EWKB little-endian with SRID — see
 * tuple.ts); each row is fingerprinted with MurmurHash3 x86_128 and the 128-bit fingerprints are
 * added lane-wise modulo 2^32 (a commutative sum), so the result is the same whatever the
 * physical order, partitioning or worker count.
 */
export class Checksum {
  rows = 0;
  private readonly lanes = new Uint32Array(4);
  private readonly scratch = new Uint32Array(4);

  /** Adds the row whose canonical bytes are b[start, end); returns its fingerprint lanes (reused buffer). */
  addRow(b: Uint8Array, start: number, end: number): Uint32Array {
    murmur3x86_128(b, start, end, this.scratch);
    for (let i = 0; i < 4; i++) this.lanes[i] = (this.lanes[i]! + this.scratch[i]!) >>> 0;
    this.rows++;
    return this.scratch;
  }

  add(other: Checksum | ChecksumValue): void {
    const value = other instanceof Checksum ? other.value() : other;
    const lanes = Buffer.from(value.hash, 'hex');
    for (let i = 0; i < 4; i++) this.lanes[i] = (this.lanes[i]! + lanes.readUInt32BE(i * 4)) >>> 0;
    this.rows += value.rows;
  }

  value(): ChecksumValue {
    return { rows: this.rows, hash: lanesToHex(this.lanes) };
  }
}

export function lanesToHex(lanes: Uint32Array): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += lanes[i]!.toString(16).padStart(8, '0');
  return out;
}

export interface ChecksumValue {
  readonly rows: number;
  /** 32 hex characters */
  readonly hash: string;
}

export function sameChecksum(a: ChecksumValue, b: ChecksumValue): boolean {
  return a.rows === b.rows && a.hash === b.hash;
}

/** Canonical JSON: keys sorted at every level, no spaces (what the generator writes). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  // Plain loops rather than map/join: this runs once per row in verify (hot path).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:${canonicalJson(obj[keys[i]!])}`;
  return `${out}}`;
}
