// Listpack blobs (the compact encoding of small hashes, zsets and list nodes), strictly validated:
// header size and count, every entry's encoding, its back-length, and the terminator.
import { ByteWriter } from './byte-writer.js';
import { canonicalInt } from './int-string.js';

const HEADER = 6;
const EOF_BYTE = 0xff;
const UNKNOWN_COUNT = 65535;

/** The entries of a listpack as strings (integers in decimal), or null when malformed. */
export function decodeListpack(lp: Buffer): string[] | null {
  if (lp.length < HEADER + 1) return null;
  const total = lp.readUInt32LE(0);
  if (total !== lp.length || lp[total - 1] !== EOF_BYTE) return null;
  const declared = lp.readUInt16LE(4);
  const out: string[] = [];
  let p = HEADER;
  const end = total - 1;
  while (p < end) {
    const start = p;
    const b = lp[p]!;
    let value: string;
    if (b < 0x80) {
      value = String(b);
      p += 1;
    } else if (b < 0xc0) {
      const n = b & 0x3f;
      if (p + 1 + n > end) return null;
      value = lp.toString('latin1', p + 1, p + 1 + n);
      p += 1 + n;
    } else if (b < 0xe0) {
      if (p + 2 > end) return null;
      const u = ((b & 0x1f) << 8) | lp[p + 1]!;
      value = String(u >= 4096 ? u - 8192 : u);
      p += 2;
    } else if (b < 0xf0) {
      if (p + 2 > end) return null;
      const n = ((b & 0x0f) << 8) | lp[p + 1]!;
      if (p + 2 + n > end) return null;
      value = lp.toString('latin1', p + 2, p + 2 + n);
      p += 2 + n;
    } else if (b === 0xf0) {
      if (p + 5 > end) return null;
      const n = lp.readUInt32LE(p + 1);
      if (p + 5 + n > end) return null;
      value = lp.toString('latin1', p + 5, p + 5 + n);
      p += 5 + n;
    } else if (b >= 0xf1 && b <= 0xf4) {
      const w = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
      if (p + 1 + w > end) return null;
      value = w === 8 ? lp.readBigInt64LE(p + 1).toString() : String(lp.readIntLE(p + 1, w));
      p += 1 + w;
    } else return null;
    const entryLen = p - start;
    const bl = backlenSize(entryLen);
    if (p + bl > end) return null;
    if (!backlenMatches(lp, p, entryLen, bl)) return null;
    p += bl;
    out.push(value);
  }
  if (p !== end) return null;
  if (declared !== UNKNOWN_COUNT && declared !== out.length) return null;
  return out;
}

function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

function backlenMatches(buf: Buffer, at: number, l: number, size: number): boolean {
  // Most significant 7-bit group first; every byte after the first has bit 7 set.
  for (let i = 0; i < size; i++) {
    const shift = 7 * (size - 1 - i);
    const group = Math.floor(l / 2 ** shift) & 127;
    const expected = i === 0 ? group : group | 128;
    if (buf[at + i] !== expected) return false;
  }
  return true;
}

/** Builds a listpack the way Redis stores entries: canonical integers in their smallest form. */
export class ListpackBuilder {
  private readonly w = new ByteWriter(64);
  count = 0;

  constructor() {
    this.w.u32le(0);
    this.w.u16le(0);
  }

  get bytes(): number {
    return this.w.len + 1;
  }

  /** Bytes an entry for s would add (for node-size limits of list quicklists). */
  static entrySize(s: string): number {
    const v = s.length <= 20 ? canonicalInt(s) : null;
    const enc = v !== null ? intEncodingSize(v) : s.length < 64 ? 1 + s.length : s.length < 4096 ? 2 + s.length : 5 + s.length;
    return enc + backlenSize(enc);
  }

  add(s: string): void {
    const w = this.w;
    const start = w.len;
    const v = s.length <= 20 ? canonicalInt(s) : null;
    if (v !== null) {
      if (v >= 0n && v <= 127n) w.byte(Number(v));
      else if (v >= -4096n && v <= 4095n) {
        const u = Number(v) & 0x1fff;
        w.byte(0xc0 | (u >> 8));
        w.byte(u & 0xff);
      } else if (v >= -32768n && v <= 32767n) {
        w.byte(0xf1);
        w.intLE(v, 2);
      } else if (v >= -8388608n && v <= 8388607n) {
        w.byte(0xf2);
        w.intLE(v, 3);
      } else if (v >= -2147483648n && v <= 2147483647n) {
        w.byte(0xf3);
        w.intLE(v, 4);
      } else {
        w.byte(0xf4);
        w.intLE(v, 8);
      }
    } else {
      const n = s.length;
      if (n < 64) w.byte(0x80 | n);
      else if (n < 4096) {
        w.byte(0xe0 | (n >> 8));
        w.byte(n & 0xff);
      } else {
        w.byte(0xf0);
        w.u32le(n);
      }
      w.latin1(s);
    }
    const l = w.len - start;
    const size = backlenSize(l);
    for (let i = 0; i < size; i++) {
      const group = Math.floor(l / 2 ** (7 * (size - 1 - i))) & 127;
      w.byte(i === 0 ? group : group | 128);
    }
    this.count++;
  }

  finish(): Buffer {
    this.w.byte(EOF_BYTE);
    const out = this.w.result();
    out.writeUInt32LE(out.length, 0);
    out.writeUInt16LE(this.count < UNKNOWN_COUNT ? this.count : UNKNOWN_COUNT, 4);
    return out;
  }
}

function intEncodingSize(v: bigint): number {
  if (v >= 0n && v <= 127n) return 1;
  if (v >= -4096n && v <= 4095n) return 2;
  if (v >= -32768n && v <= 32767n) return 3;
  if (v >= -8388608n && v <= 8388607n) return 4;
  if (v >= -2147483648n && v <= 2147483647n) return 5;
  return 9;
}
