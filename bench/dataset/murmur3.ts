/**
 * MurmurHash3 x86_128 (Austin Appleby's public-domain reference, 32-bit arithmetic via Math.imul):
 * a fast non-cryptographic 128-bit fingerprint of a byte range, computed without allocating.
 * Writes the four 32-bit words h1..h4 into `out`.
 */
const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const word = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

export function murmur3x86_128(b: Uint8Array, start: number, end: number, out: Uint32Array, seed = 0): void {
  const len = end - start;
  const blocksEnd = start + (len & ~15);
  let h1 = seed | 0;
  let h2 = seed | 0;
  let h3 = seed | 0;
  let h4 = seed | 0;
  for (let i = start; i < blocksEnd; i += 16) {
    let k1 = word(b, i);
    let k2 = word(b, i + 4);
    let k3 = word(b, i + 8);
    let k4 = word(b, i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = rotl(h1, 19) + h2;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = rotl(h2, 17) + h3;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = rotl(h3, 15) + h4;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = rotl(h4, 13) + h1;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  // Tail: the last len % 16 bytes, little-endian into k1..k4, each mixed only if it got bytes.
  const rem = len & 15;
  const tail = [0, 0, 0, 0];
  for (let j = 0; j < rem; j++) tail[j >> 2]! ^= b[blocksEnd + j]! << ((j & 3) * 8);
  if (rem > 12) h4 ^= Math.imul(rotl(Math.imul(tail[3]!, C4), 18), C1);
  if (rem > 8) h3 ^= Math.imul(rotl(Math.imul(tail[2]!, C3), 17), C4);
  if (rem > 4) h2 ^= Math.imul(rotl(Math.imul(tail[1]!, C2), 16), C3);
  if (rem > 0) h1 ^= Math.imul(rotl(Math.imul(tail[0]!, C1), 15), C2);
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
  out[2] = h3 >>> 0;
  out[3] = h4 >>> 0;
}
