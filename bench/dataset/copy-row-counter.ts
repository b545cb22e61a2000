import { Transform, type TransformCallback } from 'node:stream';

/**
 * Counts the tuples of a binary COPY stream as it passes through (for progress), without copying
 * or changing a byte. Format: 11-byte signature, int32 flags, int32 extension length + extension,
 * then per tuple an int16 field count (-1 = trailer) and per field an int32 length (-1 = NULL) + bytes.
 */
export class CopyRowCounter {
  rows = 0;
  bytes = 0;
  private pending = Buffer.alloc(0);
  private headerDone = false;
  /** Fields still to read in the current tuple (0 = at a tuple boundary). */
  private fieldsLeft = 0;
  /** Bytes of the current field's value still to skip. */
  private skip = 0;
  private ended = false;
  private inTuple = false;

  /** Feeds the next piece of the stream; returns the tuples completed so far. */
  push(chunk: Buffer): number {
    this.bytes += chunk.length;
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let o = 0;
    while (!this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - o);
        this.skip -= n;
        o += n;
        if (this.skip > 0) break;
        this.endField();
        continue;
      }
      if (!this.headerDone) {
        if (buf.length - o < 19) break;
        // The extension area is skipped like a field value outside any tuple: it counts no row.
        this.skip = buf.readInt32BE(o + 15);
        o += 19;
        this.headerDone = true;
        continue;
      }
      if (this.fieldsLeft === 0) {
        if (buf.length - o < 2) break;
        const fields = buf.readInt16BE(o);
        o += 2;
        if (fields === -1) {
          this.ended = true;
          break;
        }
        this.fieldsLeft = fields;
        this.inTuple = true;
        if (fields === 0) this.endField();
        continue;
      }
      if (buf.length - o < 4) break;
      const len = buf.readInt32BE(o);
      o += 4;
      this.fieldsLeft--;
      if (len > 0) {
        this.skip = len;
        continue;
      }
      this.endField();
    }
    this.pending = o < buf.length ? Buffer.from(buf.subarray(o)) : Buffer.alloc(0);
    return this.rows;
  }

  private endField(): void {
    if (this.inTuple && this.fieldsLeft === 0) {
      this.rows++;
      this.inTuple = false;
    }
  }
}

/** A pass-through stream that counts tuples and reports them to `onRows`. */
export function countingTransform(onRows: (rows: number, bytes: number) => void): Transform & { counter: CopyRowCounter } {
  const counter = new CopyRowCounter();
  const t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      onRows(counter.push(chunk), counter.bytes);
      cb(null, chunk);
    },
  });
  return Object.assign(t, { counter });
}
