// The slot export stream (slot-export.ts) built straight into one buffer per event-loop turn:
// RESTORE headers as latin1 text, payload bytes copied in. Building it as a JS string (payload
// to latin1 string, command string, concatenation) tripled the garbage per key, and the GC pauses
// that followed on a source holding a million keys were what clients waited for.
import { Crc64 } from './crc64.js';
import { RDB_VERSION } from './dump-payload.js';
import { ByteWriter } from './byte-writer.js';

const crc = new Crc64();

/** A ByteWriter with the few extra writes the export stream needs. */
export class ChunkWriter extends ByteWriter {
  constructor(capacity: number) {
    super(Math.max(1, capacity));
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

  /** The bytes written so far; the writer must not be used afterwards. */
  take(): Buffer {
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

/**
 * The same for a short string value, its DUMP payload built in place (type, length, bytes, RDB
 * version, CRC64): most keys are such strings, and building a payload buffer apart per key was
 * most of the source's garbage. Stored raw, which every RDB reader accepts (Redis would try an
 * integer encoding first; nothing longer than SHORT_STRING, so no LZF either).
 */
export function writeRestoreString(w: ChunkWriter, key: string, at: number, value: string): void {
  const n = value.length;
  restoreHead(w, key, at, n + 12);
  const p0 = w.len;
  w.byte(0); // RDB_TYPE_STRING
  w.byte(n); // 6-bit length
  w.latin1(value);
  w.byte(RDB_VERSION & 0xff);
  w.byte(RDB_VERSION >> 8);
  w.crc64From(p0);
  w.latin1(RESTORE_TAIL);
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
