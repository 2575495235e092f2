// RDB files (version 10, as Redis 7.0 writes them): the snapshot format for replica full syncs,
// SAVE/BGSAVE and loading dump.rdb. Values use the DUMP payload codec; this module adds the file
// framing (magic, aux fields, SELECTDB/RESIZEDB, expiry opcodes, EOF and the CRC64 trailer).
import { ByteWriter } from '../migration/byte-writer.js';
import { Crc64 } from '../migration/crc64.js';
import { Bad, decodeBodySteps, encodeDumpPayload, Reader, writeLen, writeString, RDB_VERSION, type DumpValue } from '../migration/dump-payload.js';
import type { StoredValue } from '../store/values/object.js';
import type { Server } from '../server/server.js';
import { sourceOfStored } from '../migration/value-convert.js';
import { encodingThresholds } from '../commands/thresholds.js';

export const OP = { FUNCTION2: 0xf5, MODULE_AUX: 0xf7, IDLE: 0xf8, FREQ: 0xf9, AUX: 0xfa, RESIZEDB: 0xfb, EXPIRETIME_MS: 0xfc, EXPIRETIME: 0xfd, SELECTDB: 0xfe, EOF: 0xff } as const;

/** Builds an RDB stream incrementally; take() hands out what was built so far. */
export class RdbWriter {
  private w = new ByteWriter(64 * 1024);
  private readonly crc = new Crc64();
  private db = -1;
  private closed = false;

  constructor(private readonly server: Server) {
    this.w.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    this.aux('redis-ver', '7.0.15');
    this.aux('redis-bits', '64');
    this.aux('ctime', String(Math.floor(Date.now() / 1000)));
    this.aux('used-mem', String(process.memoryUsage().heapUsed));
    this.aux('aof-base', '0');
  }

  private aux(k: string, v: string): void {
    this.w.byte(OP.AUX);
    writeString(this.w, k);
    writeString(this.w, v);
  }

  entry(db: number, key: string, value: StoredValue, expireAt: number | undefined): void {
    if (db !== this.db) {
      this.w.byte(OP.SELECTDB);
      writeLen(this.w, db);
      this.db = db;
    }
    if (expireAt !== undefined) {
      this.w.byte(OP.EXPIRETIME_MS);
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64LE(BigInt(expireAt));
      this.w.bytes(b);
    }
    if (typeof value === 'string') {
      // The common case, written directly: no payload, footer or checksum to build and drop.
      this.w.byte(0);
      writeString(this.w, key);
      writeString(this.w, value);
      return;
    }
    const src = sourceOfStored(value);
    if (src === null) throw new Error(`cannot serialize a value of type ${typeof value === 'string' ? 'string' : value.type}`);
    const payload = encodeDumpPayload(src, encodingThresholds(this.server.config));
    // A DUMP payload is [type][body][version][crc]; the file holds [type][key][body].
    this.w.byte(payload[0]!);
    writeString(this.w, key);
    this.w.bytes(payload.subarray(1, payload.length - 10));
  }

  /** The bytes built since the last call; with `final`, the EOF opcode and checksum too. */
  take(final: boolean): Buffer | null {
    if (this.closed) return null;
    if (final) {
      this.w.byte(OP.EOF);
      this.closed = true;
    }
    const out = Buffer.from(this.w.buf.subarray(0, this.w.len));
    this.crc.update(out);
    let result = out;
    if (final) {
      const tail = Buffer.alloc(8);
      if (this.server.config.bool('rdbchecksum')) this.crc.writeLE(tail, 0);
      result = Buffer.concat([out, tail]);
    }
    this.w = new ByteWriter(64 * 1024);
    return result;
  }
}

export interface RdbEntry {
  db: number;
  key: string;
  value: DumpValue;
  expireAt: number | undefined;
}

export class RdbError extends Error {}

/** Reads a whole RDB image (versions 1-10); throws RdbError naming what is wrong. */
export function* readRdb(buf: Buffer): Generator<RdbEntry> {
  if (buf.length < 9 || buf.toString('latin1', 0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
  const ver = Number(buf.toString('latin1', 5, 9));
  if (!Number.isInteger(ver) || ver < 1 || ver > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${buf.toString('latin1', 5, 9)}`);
  const r = new Reader(buf, buf.length);
  r.pos = 9;
  let db = 0;
  let expireAt: number | undefined;
  try {
    for (;;) {
      const op = r.byte();
      switch (op) {
        case OP.EOF: {
          if (ver >= 5 && r.end - r.pos >= 8) {
            const stored = buf.subarray(r.pos, r.pos + 8);
            if (!stored.equals(Buffer.alloc(8)) && !new Crc64().update(buf, 0, r.pos).equalsLE(buf, r.pos)) {
              throw new RdbError('Wrong RDB checksum');
            }
          }
          return;
        }
        case OP.SELECTDB:
          db = r.plainLen();
          continue;
        case OP.RESIZEDB:
          r.plainLen();
          r.plainLen();
          continue;
        case OP.AUX:
          r.string();
          r.string();
          continue;
        case OP.EXPIRETIME_MS:
          expireAt = Number(r.take(8).readBigInt64LE(0));
          continue;
        case OP.EXPIRETIME:
          expireAt = r.take(4).readInt32LE(0) * 1000;
          continue;
        case OP.IDLE:
          r.plainLen();
          continue;
        case OP.FREQ:
          r.byte();
          continue;
        case OP.FUNCTION2:
          r.string();
          continue;
        case OP.MODULE_AUX:
          throw new RdbError('The RDB file contains module data this server cannot load');
        default: {
          const key = r.string();
          const steps = decodeBodySteps(r, op);
          let res = steps.next();
          while (!res.done) res = steps.next();
          const value = res.value;
          yield { db, key, value, expireAt };
          expireAt = undefined;
        }
      }
    }
  } catch (e) {
    if (e instanceof Bad || e instanceof RangeError) throw new RdbError(`Short read or corrupt value loading the RDB at offset ${r.pos}`);
    throw e;
  }
}
