// The slot export stream (slot-export.ts) built straight into one buffer per event-loop turn:
// RESTORE headers as latin1 text, payload bytes copied in. Building it as a JS string (payload
// to latin1 string, command string, concatenation) tripled the garbage per key, and the GC pauses
// that followed on a source holding a million keys were what clients waited for.

export class ChunkWriter {
  private buf: Buffer;
  len = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }

  /** Text whose chars are bytes (keys and numbers are latin1 strings here). */
  latin1(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes written so far; the writer must not be used afterwards. */
  take(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** `RESTORE key at payload ABSTTL REPLACE` as a RESP array. */
export function writeRestore(w: ChunkWriter, key: string, at: number, payload: Uint8Array): void {
  const ttl = String(at);
  w.latin1(`*6\r\n$7\r\nRESTORE\r\n$${key.length}\r\n${key}\r\n$${ttl.length}\r\n${ttl}\r\n$${payload.length}\r\n`);
  w.bytes(payload);
  w.latin1('\r\n$6\r\nABSTTL\r\n$7\r\nREPLACE\r\n');
}

/** `DEL key` as a RESP array. */
export function writeDel(w: ChunkWriter, key: string): void {
  w.latin1(`*2\r\n$3\r\nDEL\r\n$${key.length}\r\n${key}\r\n`);
}
