/**
 * Splits a binary COPY stream (`COPY … TO STDOUT (FORMAT binary)`) into whole tuples: calls
 * `onTuple(buf, start, end)` with each tuple's bytes (field count + fields) as they arrive, across
 * chunk boundaries. Format: 11-byte signature, int32 flags, int32 extension length + extension, then
 * per tuple an int16 field count (-1 = trailer) and per field an int32 length (-1 = NULL) + bytes.
 */
export class CopyTupleReader {
  private pending: Buffer = Buffer.alloc(0);
  private headerLeft = -1; // bytes of header (incl. extension) still to skip; -1 = not read yet
  ended = false;

  constructor(private readonly onTuple: (buf: Buffer, start: number, end: number) => void) {}

  push(chunk: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let o = 0;
    if (this.headerLeft < 0) {
      if (buf.length < 19) {
        this.pending = buf;
        return;
      }
      if (buf.toString('latin1', 0, 11) !== 'PGCOPY\n\xff\r\n\0') throw new Error('not a binary COPY stream');
      this.headerLeft = 19 + buf.readInt32BE(15);
    }
    if (this.headerLeft > 0) {
      const n = Math.min(this.headerLeft, buf.length);
      this.headerLeft -= n;
      o = n;
    }
    while (!this.ended && o + 2 <= buf.length) {
      const fields = buf.readInt16BE(o);
      if (fields === -1) {
        this.ended = true;
        o += 2;
        break;
      }
      // Walk the fields; stop (and wait for more bytes) when the tuple is not complete yet.
      let p = o + 2;
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (p + 4 > buf.length) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4 + (len > 0 ? len : 0);
        if (p > buf.length) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      this.onTuple(buf, o, p);
      o = p;
    }
    // Keep the unfinished tail (a copy: the chunk's memory may be reused by the stream).
    this.pending = o < buf.length ? Buffer.from(buf.subarray(o)) : Buffer.alloc(0);
  }

  /** True when the trailer was seen and nothing is left over. */
  finished(): boolean {
    return this.ended && this.pending.length === 0;
  }
}
