// The replication backlog: the last `size` bytes of the replication stream, so that a replica
// that lost its link briefly can continue from its offset instead of a full resynchronisation.

export class Backlog {
  private buf: Buffer;
  /** Offset (in stream bytes, starting at 1 like Redis) of the first byte still held. */
  private first = 1;
  /** Bytes held, at most buf.length. */
  private held = 0;
  /** Write position in buf. */
  private pos = 0;

  constructor(size: number, startOffset = 0) {
    this.buf = Buffer.alloc(Math.max(16 * 1024, size));
    this.first = startOffset + 1;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Offset of the first byte held (repl_backlog_first_byte_offset). */
  get firstOffset(): number {
    return this.first;
  }

  get histlen(): number {
    return this.held;
  }

  append(data: Buffer): void {
    let src = data;
    if (src.length >= this.buf.length) {
      this.first += this.held + src.length - this.buf.length;
      src = src.subarray(src.length - this.buf.length);
      src.copy(this.buf, 0);
      this.pos = 0;
      this.held = this.buf.length;
      return;
    }
    const tail = Math.min(src.length, this.buf.length - this.pos);
    src.copy(this.buf, this.pos, 0, tail);
    if (tail < src.length) src.copy(this.buf, 0, tail);
    this.pos = (this.pos + src.length) % this.buf.length;
    const overflow = this.held + src.length - this.buf.length;
    if (overflow > 0) {
      this.first += overflow;
      this.held = this.buf.length;
    } else this.held += src.length;
  }

  /**
   * The bytes from stream offset `from` (1-based, as PSYNC asks) to the end, or null when that
   * part of the stream is no longer (or not yet) held.
   */
  readFrom(from: number): Buffer | null {
    const end = this.first + this.held; // offset one past the last byte
    if (from < this.first || from > end) return null;
    const n = end - from;
    const out = Buffer.allocUnsafe(n);
    const start = (this.pos - n + this.buf.length * 2) % this.buf.length;
    const first = Math.min(n, this.buf.length - start);
    this.buf.copy(out, 0, start, start + first);
    if (first < n) this.buf.copy(out, first, 0, n - first);
    return out;
  }

  /** Resizes keeping the newest bytes (CONFIG SET repl-backlog-size). */
  resize(size: number): void {
    const keep = this.readFrom(this.first + Math.max(0, this.held - size)) ?? Buffer.alloc(0);
    const startOffset = this.first + this.held - keep.length - 1;
    this.buf = Buffer.alloc(Math.max(16 * 1024, size));
    this.first = startOffset + 1;
    this.held = 0;
    this.pos = 0;
    this.append(keep);
  }
}
