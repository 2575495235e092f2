// A growable byte buffer for building payloads (latin1 strings map one char to one byte).

export class ByteWriter {
  buf: Buffer;
  len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  protected ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  latin1(s: string): void {
    const n = s.length;
    this.ensure(n);
    // Buffer.write costs more than a loop for the short strings that dominate collections.
    if (n < 48) {
      const b = this.buf;
      let p = this.len;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.len = p;
    } else this.len += this.buf.write(s, this.len, 'latin1');
  }

  u16le(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }

  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }

  u32be(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.len);
    this.len += 4;
  }

  u64be(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.len);
    this.len += 8;
  }

  /** Little-endian signed integer of `width` bytes (2, 3, 4 or 8). */
  intLE(v: bigint, width: number): void {
    this.ensure(width);
    if (width === 8) this.buf.writeBigInt64LE(v, this.len);
    else this.buf.writeIntLE(Number(v), this.len, width);
    this.len += width;
  }

  doubleLE(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.len);
    this.len += 8;
  }

  /** Appends n bytes to be filled in by the caller (returns their offset). */
  skip(n: number): number {
    this.ensure(n);
    const at = this.len;
    this.len += n;
    return at;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
