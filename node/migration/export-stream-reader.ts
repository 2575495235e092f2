// Reads the slot export stream on the target (slot-import.ts) straight from the socket's
// buffers. The generic reply reader made a Buffer and a latin1 string per argument, an array per
// command and then a Buffer again from the payload string: at 60,000 keys/s that garbage kept the
// target's scavenger busy, and its pauses were what the target's clients waited for. Here a
// RESTORE frame costs the key string only (one reused frame object, the payload left in place).

/**
 * `RESTORE key at payload ABSTTL REPLACE`. One object per reader, overwritten by every next():
 * consume it (or copy what you keep) before asking for the next frame. The payload bytes stay
 * where they are (the reader's buffer is never written once fed) until someone asks for a view.
 */
export class RestoreFrame {
  readonly kind = 'restore' as const;
  key = '';
  at = 0;
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;

  get payload(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
}

export type ExportFrame =
  | RestoreFrame
  | { kind: 'del'; key: string }
  | { kind: 'sync'; seq: string }
  | { kind: 'paused'; at: number }
  | { kind: 'simple'; text: string }
  | { kind: 'error'; message: string };

/** No command of the stream has more arguments; more is a protocol error. */
const MAX_ARGS = 6;
const CR = 13;

export class ExportStreamReader {
  /** Never written to once fed: payload views handed out stay valid. */
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private readonly starts = new Int32Array(MAX_ARGS);
  private readonly ends = new Int32Array(MAX_ARGS);
  private readonly restore = new RestoreFrame();
  fatal: string | null = null;

  feed(d: Buffer): void {
    if (this.pos >= this.buf.length) this.buf = d;
    else this.buf = Buffer.concat([this.buf.subarray(this.pos), d]);
    this.pos = 0;
  }

  /** The next complete frame, or undefined (more bytes needed, or `fatal` is set). */
  next(): ExportFrame | undefined {
    if (this.fatal !== null) return undefined;
    const b = this.buf;
    let p = this.pos;
    if (p >= b.length) return undefined;
    const type = b[p]!;
    if (type === 0x2b || type === 0x2d) {
      const eol = b.indexOf(CR, p + 1);
      if (eol < 0 || eol + 1 >= b.length) return undefined;
      const text = b.toString('latin1', p + 1, eol);
      this.pos = eol + 2;
      return type === 0x2b ? { kind: 'simple', text } : { kind: 'error', message: text };
    }
    if (type !== 0x2a) return this.fail();
    p = this.int(p + 1);
    if (p < 0) return undefined;
    const count = this.intValue;
    if (count < 1 || count > MAX_ARGS) return this.fail();
    for (let i = 0; i < count; i++) {
      if (p >= b.length) return undefined;
      if (b[p] !== 0x24) return this.fail();
      const s = this.int(p + 1);
      if (s < 0) return undefined;
      if (this.intValue < 0) return this.fail();
      const e = s + this.intValue;
      if (e + 2 > b.length) return undefined;
      if (b[e] !== CR || b[e + 1] !== 10) return this.fail();
      this.starts[i] = s;
      this.ends[i] = e;
      p = e + 2;
    }
    const frame = this.frame(count);
    if (frame === undefined) return this.fail();
    this.pos = p;
    return frame;
  }

  private arg(i: number): string {
    return this.buf.toString('latin1', this.starts[i], this.ends[i]);
  }

  /** Argument `i` as a non-negative decimal (at most 15 digits), or -1. */
  private decimalArg(i: number): number {
    const b = this.buf;
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (e === s || e - s > 15) return -1;
    let v = 0;
    for (let p = s; p < e; p++) {
      const c = b[p]!;
      if (c < 0x30 || c > 0x39) return -1;
      v = v * 10 + (c - 0x30);
    }
    return v;
  }

  private is(i: number, word: string): boolean {
    const s = this.starts[i]!;
    if (this.ends[i]! - s !== word.length) return false;
    for (let j = 0; j < word.length; j++) if (this.buf[s + j] !== word.charCodeAt(j)) return false;
    return true;
  }

  private frame(n: number): ExportFrame | undefined {
    if (n === 6 && this.is(0, 'RESTORE') && this.is(4, 'ABSTTL') && this.is(5, 'REPLACE')) {
      const at = this.decimalArg(2);
      if (at < 0) return undefined;
      const f = this.restore;
      f.key = this.arg(1);
      f.at = at;
      f.buf = this.buf;
      f.start = this.starts[3]!;
      f.end = this.ends[3]!;
      return f;
    }
    if (n !== 2) return undefined;
    if (this.is(0, 'DEL')) return { kind: 'del', key: this.arg(1) };
    if (this.is(0, 'EXPORT-SYNC')) return { kind: 'sync', seq: this.arg(1) };
    if (this.is(0, 'EXPORT-PAUSED')) {
      const at = Number(this.arg(1));
      return Number.isFinite(at) ? { kind: 'paused', at } : undefined;
    }
    return undefined;
  }

  /** The value int() read last (its position after the CRLF is what int() returns). */
  private intValue = 0;

  /**
   * A decimal length after a type byte at `p`, up to CRLF: the position after the CRLF, or -1 when
   * more bytes are needed; the value (-2 when malformed) is left in intValue. No object per
   * call: the target reads seven of these per key.
   */
  private int(p: number): number {
    const b = this.buf;
    let v = 0;
    let neg = false;
    if (b[p] === 0x2d) {
      neg = true;
      p++;
    }
    const first = p;
    for (; p < b.length; p++) {
      const c = b[p]!;
      if (c === CR) {
        if (p + 1 >= b.length) return -1;
        this.intValue = b[p + 1] !== 10 || p === first || p - first > 15 ? -2 : neg ? -v : v;
        return p + 2;
      }
      if (c < 0x30 || c > 0x39) {
        this.intValue = -2;
        return p;
      }
      v = v * 10 + (c - 0x30);
    }
    return -1;
  }

  private fail(): undefined {
    this.fatal ??= 'protocol error in the slot export stream';
    return undefined;
  }
}
