// Incremental RDB decoding: bytes are fed as they arrive (a replica's full sync, a file read in
// one piece) and every complete record goes straight into its database, so a replica decodes
// while the master is still sending and no whole-image copy or per-key record object is made.
// A record cut at the end of what has arrived is retried once enough more bytes came in.
import { Crc64 } from '../migration/crc64.js';
import { Bad, decodeBodySteps, Reader, RDB_VERSION, T } from '../migration/dump-payload.js';
import { storedValueSink } from '../migration/value-convert.js';
import type { EncodingThresholds, StoredValue } from '../store/values/object.js';
import type { DumpSink } from '../migration/dump-payload.js';
import { OP, RdbError } from './rdb.js';

/** Where decoded keys go (the target may drop some: unknown db, already expired). */
export type RdbTarget = (db: number, key: string, value: StoredValue, expireAt: number | undefined) => void;

/** Bytes that must arrive before a cut record is decoded again (amortises giant records). */
const MIN_RETRY_BYTES = 64 * 1024;

export class RdbLoader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private version = -1;
  private db = 0;
  private expireAt: number | undefined = undefined;
  private readonly crc = new Crc64();
  /** Bytes at the last cut; no retry before the buffer holds this many more. */
  private retryAt = 0;
  private done = false;
  /** Bytes consumed before `buf` (for error offsets). */
  private base = 0;
  private readonly sink: DumpSink<StoredValue | null>;
  keys = 0;

  constructor(
    private readonly target: RdbTarget,
    thresholds: EncodingThresholds,
  ) {
    this.sink = storedValueSink(thresholds);
  }

  /** True once the EOF opcode (and checksum) was decoded. */
  get finished(): boolean {
    return this.done;
  }

  feed(chunk: Buffer): void {
    if (this.done || chunk.length === 0) return;
    if (this.pos >= this.buf.length) {
      this.base += this.buf.length;
      this.buf = chunk;
      this.pos = 0;
    } else {
      const rest = this.buf.subarray(this.pos);
      this.base += this.pos;
      this.buf = Buffer.concat([rest, chunk]);
      this.pos = 0;
    }
    if (this.buf.length < this.retryAt) return;
    this.decode(false);
  }

  /** No more bytes: decodes what is left; throws unless the image was complete. */
  end(): number {
    if (!this.done) this.decode(true);
    if (!this.done) throw new RdbError(`Short read or corrupt value loading the RDB at offset ${this.base + this.pos}`);
    return this.keys;
  }

  private decode(final: boolean): void {
    const buf = this.buf;
    if (this.version < 0) {
      if (buf.length < 9) {
        if (final) throw new RdbError('Wrong signature trying to load DB from file');
        return;
      }
      if (buf.toString('latin1', 0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
      const ver = Number(buf.toString('latin1', 5, 9));
      if (!Number.isInteger(ver) || ver < 1 || ver > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${buf.toString('latin1', 5, 9)}`);
      this.version = ver;
      this.crc.update(buf, 0, 9);
      this.pos = 9;
    }
    const r = new Reader(buf, buf.length);
    r.pos = this.pos;
    let start = r.pos;
    try {
      while (r.pos < r.end) {
        start = r.pos;
        if (!this.record(r, final)) break;
      }
      start = r.pos;
      this.retryAt = 0;
    } catch (e) {
      if (!(e instanceof Bad || e instanceof RangeError)) throw e;
      if (final) throw new RdbError(`Short read or corrupt value loading the RDB at offset ${this.base + start}`);
      // Probably a record cut by the end of the data so far: decode it again later.
      // (The next feed moves the cut record to the front of the buffer.)
      const cut = buf.length - start;
      this.retryAt = cut + Math.max(MIN_RETRY_BYTES, cut);
    }
    if (!this.done) this.crc.update(buf, this.pos, start);
    this.pos = start;
  }

  /** One opcode or key; false once the image ended. Throws Bad when the bytes run out. */
  private record(r: Reader, final: boolean): boolean {
    const op = r.byte();
    switch (op) {
      case OP.EOF: {
        const at = r.pos;
        if (this.version >= 5) {
          if (r.end - at < 8 && !final) throw new Bad();
          this.crc.update(r.buf, this.pos, at);
          if (r.end - at >= 8) {
            const stored = r.buf.subarray(at, at + 8);
            if (!isZero(stored) && !this.crc.equalsLE(r.buf, at)) throw new RdbError('Wrong RDB checksum');
            r.pos = at + 8;
          }
        }
        this.done = true;
        return false;
      }
      case OP.SELECTDB:
        this.db = r.plainLen();
        return true;
      case OP.RESIZEDB:
        r.plainLen();
        r.plainLen();
        return true;
      case OP.AUX:
        r.string();
        r.string();
        return true;
      case OP.EXPIRETIME_MS:
        this.expireAt = Number(r.take(8).readBigInt64LE(0));
        return true;
      case OP.EXPIRETIME:
        this.expireAt = r.take(4).readInt32LE(0) * 1000;
        return true;
      case OP.IDLE:
        r.plainLen();
        return true;
      case OP.FREQ:
        r.byte();
        return true;
      case OP.FUNCTION2:
        r.string();
        return true;
      case OP.MODULE_AUX:
        throw new RdbError('The RDB file contains module data this server cannot load');
      default: {
        const key = r.string();
        let value: StoredValue | null;
        if (op === T.STRING) value = r.string();
        else {
          const steps = decodeBodySteps(r, op, this.sink);
          let res = steps.next();
          while (!res.done) res = steps.next();
          value = res.value;
        }
        if (value === null) throw new RdbError(`the RDB holds a value of type ${op}, which this node cannot load`);
        this.target(this.db, key, value, this.expireAt);
        this.expireAt = undefined;
        this.keys++;
        return true;
      }
    }
  }
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
