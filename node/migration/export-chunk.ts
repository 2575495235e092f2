// The slot export stream (slot-export.ts) built straight into one buffer per event-loop turn:
// RESTORE headers as latin1 text, payload bytes copied in. Building it as a JS string (payload
// to latin1 string, command string, concatenation) tripled the garbage per key, and the GC pauses
// that followed on a source holding a million keys were what clients waited for.
import { Crc64 } from './crc64.js';
import { RDB_VERSION } from './dump-payload.js';
import { ByteWriter } from './byte-writer.js';

const crc = new Crc64();

/**
 * Chunks are carved one after the other out of a shared slab: a fresh 16 KiB Buffer per turn (an
 * ArrayBuffer with its own backing store, freed only by a collection) cost as much as writing
 * the turn's keys. A chunk handed to the socket may be written out later, so the part of the slab
 * it covers is never written again; a full slab is left to the chunks that still hold it.
 */
const SLAB_BYTES = 1 << 20;
let slab: Buffer | null = null;
let slabUsed = 0;

/** A ByteWriter with the few extra writes the export stream needs. */
export class ChunkWriter extends ByteWriter {
  private readonly fromSlab: Buffer | null = null;

  /** `slabbed`: start in the shared slab (see above) when it has `capacity` bytes left. */
  constructor(capacity: number, slabbed = false) {
    super(slabbed ? 0 : Math.max(1, capacity));
    if (slabbed) {
      if (slab === null || slab.length - slabUsed < capacity) {
        slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, capacity));
        slabUsed = 0;
      }
      this.fromSlab = slab;
      this.buf = slab.subarray(slabUsed);
    }
  }

  /** A non-negative integer in decimal, without a string. */
  decimal(v: number): void {
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    this.ensure(digits);
    for (let i = this.len + digits - 1; i >= this.len; i--) {
      this.buf[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.len += digits;
  }

  /** CRC64 (as in DUMP payloads) of the bytes from `start`, appended little-endian. */
  crc64From(start: number): void {
    crc.lo = 0;
    crc.hi = 0;
    crc.update(this.buf, start, this.len);
    this.ensure(8);
    crc.writeLE(this.buf, this.len);
    this.len += 8;
  }

  /** Room for n more bytes: the caller writes buf[len..len+n) and advances len itself. */
  reserve(n: number): void {
    this.ensure(n);
  }

  /** The bytes written so far; the writer must not be used afterwards. */
  take(): Buffer {
    // Still in the slab (it did not outgrow its room): the slab moves on past these bytes.
    if (this.fromSlab !== null && this.fromSlab === slab && this.buf.buffer === slab.buffer) slabUsed = (this.buf.byteOffset - slab.byteOffset + this.len + 7) & ~7;
    return this.buf.subarray(0, this.len);
  }
}

function restoreHead(w: ChunkWriter, key: string, at: number, payloadLen: number): void {
  const ttl = at === 0 ? '0' : String(at);
  w.latin1('*6\r\n$7\r\nRESTORE\r\n$');
  w.decimal(key.length);
  w.latin1('\r\n');
  w.latin1(key);
  w.latin1('\r\n$');
  w.decimal(ttl.length);
  w.latin1('\r\n');
  w.latin1(ttl);
  w.latin1('\r\n$');
  w.decimal(payloadLen);
  w.latin1('\r\n');
}

const RESTORE_TAIL = '\r\n$6\r\nABSTTL\r\n$7\r\nREPLACE\r\n';

/** `RESTORE key at payload ABSTTL REPLACE` as a RESP array. */
export function writeRestore(w: ChunkWriter, key: string, at: number, payload: Uint8Array): void {
  restoreHead(w, key, at, payload.length);
  w.bytes(payload);
  w.latin1(RESTORE_TAIL);
}

/** String values up to this length are written by writeRestoreString. */
export const SHORT_STRING = 20;

const bytesOf = (t: string): Uint8Array => Uint8Array.from(t, (c) => c.charCodeAt(0));
const RESTORE_HEAD_BYTES = bytesOf('*6\r\n$7\r\nRESTORE\r\n$');
/** From the key's CRLF to the payload's `$`, for keys without expiry. */
const NO_TTL_BYTES = bytesOf('\r\n$1\r\n0\r\n$');
const RESTORE_TAIL_BYTES = bytesOf(RESTORE_TAIL);

/** `v` in decimal at b[p..] (room reserved by the caller); the position after it. */
function putDecimal(b: Buffer, p: number, v: number): number {
  if (v < 10) {
    b[p] = 0x30 + v;
    return p + 1;
  }
  if (v < 100) {
    b[p] = 0x30 + ((v / 10) | 0);
    b[p + 1] = 0x30 + (v % 10);
    return p + 2;
  }
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  for (let i = p + digits - 1; i >= p; i--) {
    b[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  return p + digits;
}

function putBytes(b: Buffer, p: number, src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) b[p + i] = src[i]!;
  return p + src.length;
}

/**
 * The same for a short string value, its DUMP payload built in place (type, length, bytes, RDB
 * version, CRC64): most keys are such strings, and building a payload buffer apart per key was
 * most of the source's garbage. Stored raw, which every RDB reader accepts (Redis would try an
 * integer encoding first; nothing longer than SHORT_STRING, so no LZF either). Written in one
 * pass with room reserved once: through the general writes (a bounds check and a call per
 * piece) it cost the source ~0.4 us per key, most of its per-key work.
 */
export function writeRestoreString(w: ChunkWriter, key: string, at: number, value: string): void {
  const kn = key.length;
  const n = value.length;
  const ttl = at === 0 ? '' : String(at);
  w.reserve(kn + n + ttl.length + 96);
  const b = w.buf;
  let p = putBytes(b, w.len, RESTORE_HEAD_BYTES);
  p = putDecimal(b, p, kn);
  b[p++] = 13;
  b[p++] = 10;
  for (let i = 0; i < kn; i++) b[p++] = key.charCodeAt(i);
  if (at === 0) p = putBytes(b, p, NO_TTL_BYTES);
  else {
    b[p++] = 13;
    b[p++] = 10;
    b[p++] = 0x24;
    p = putDecimal(b, p, ttl.length);
    b[p++] = 13;
    b[p++] = 10;
    for (let i = 0; i < ttl.length; i++) b[p++] = ttl.charCodeAt(i);
    b[p++] = 13;
    b[p++] = 10;
    b[p++] = 0x24;
  }
  p = putDecimal(b, p, n + 12);
  b[p++] = 13;
  b[p++] = 10;
  const p0 = p;
  b[p++] = 0; // RDB_TYPE_STRING
  b[p++] = n; // 6-bit length
  for (let i = 0; i < n; i++) b[p++] = value.charCodeAt(i);
  b[p++] = RDB_VERSION & 0xff;
  b[p++] = RDB_VERSION >> 8;
  crc.lo = 0;
  crc.hi = 0;
  crc.update(b, p0, p);
  crc.writeLE(b, p);
  p += 8;
  w.len = putBytes(b, p, RESTORE_TAIL_BYTES);
}

/**
 * The value of a payload laid out as writeRestoreString writes it (checksum verified), or null:
 * the target's short cut past the general decoder for most keys.
 */
export function readShortString(p: Buffer, start = 0, end = p.length): string | null {
  const n = end - start - 12;
  if (n < 0 || n > SHORT_STRING || p[start] !== 0 || p[start + 1] !== n) return null;
  if (p[start + n + 2] !== (RDB_VERSION & 0xff) || p[start + n + 3] !== RDB_VERSION >> 8) return null;
  crc.lo = 0;
  crc.hi = 0;
  crc.update(p, start, start + n + 4);
  return crc.equalsLE(p, start + n + 4) ? p.toString('latin1', start + 2, start + 2 + n) : null;
}

/** `DEL key` as a RESP array. */
export function writeDel(w: ChunkWriter, key: string): void {
  w.latin1(`*2\r\n$3\r\nDEL\r\n$${key.length}\r\n${key}\r\n`);
}
