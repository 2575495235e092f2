// DUMP payloads as Redis 7.0 writes and reads them:
//   [RDB object type][RDB value body][RDB version u16 LE = 10][CRC64 LE of everything before]
// The codec works on a neutral representation (DumpValue / ValueSource) so that it depends on no
// value class. Decoding validates deeply (as Redis's sanitize-dump-payload yes would): any
// inconsistency is reported, never thrown, and nothing partial escapes.
import { ByteWriter } from './byte-writer.js';
import { Crc64 } from './crc64.js';
import { lzfCompress, lzfDecompress } from './lzf.js';
import { decodeListpack, ListpackBuilder } from './listpack.js';
import { decodeIntset, decodeZiplist, decodeZipmap } from './legacy-blobs.js';
import { canonicalInt, canonicalSmallInt } from './int-string.js';
import type { EncodingThresholds } from '../store/values/object.js';

export const RDB_VERSION = 10;
const FOOTER = 10;

/** RDB object type bytes (rdb.h). */
export const T = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
} as const;

/** A decoded value. Zset entries are [member, score]; strings are latin1 (one char per byte). */
export type DumpValue =
  | { type: 'string'; value: string }
  | { type: 'list'; items: string[] }
  | { type: 'set'; members: string[] }
  | { type: 'zset'; entries: [string, number][] }
  | { type: 'hash'; entries: [string, string][] };

/**
 * What the encoder reads: sizes up front, elements streamed (big keys are encoded in slices).
 * `compact: false` says the value is held in its big encoding (hashtable, skiplist) and must be
 * written so, as Redis dumps by in-memory encoding; otherwise the thresholds decide.
 */
export type ValueSource =
  | { type: 'string'; value: string }
  | { type: 'list'; size: number; items: Iterable<string> }
  | { type: 'set'; size: number; members: Iterable<string>; compact?: boolean }
  /** Entries in ascending (score, member) order, as a sorted set iterates. */
  | { type: 'zset'; size: number; entries: Iterable<readonly [string, number]>; compact?: boolean }
  | { type: 'hash'; size: number; entries: Iterable<readonly [string, string]>; compact?: boolean };

export type DecodeResult<V = DumpValue> = { ok: true; value: V } | { ok: false; error: 'checksum' | 'format' };

/**
 * Where decoded elements go. The decoder streams elements into builders so that a big key is
 * built directly into its final form (no intermediate copy); `add` returns false for a
 * duplicate, which makes the payload invalid.
 */
export interface DumpSink<V> {
  string(value: string): V;
  list(): { push(item: string): void; done(): V };
  set(): { add(member: string): boolean; done(): V };
  zset(): { add(member: string, score: number): boolean; done(): V };
  hash(): { add(field: string, value: string): boolean; done(): V };
}

/** The sink producing the neutral DumpValue. */
export const DUMP_VALUE_SINK: DumpSink<DumpValue> = {
  string: (value) => ({ type: 'string', value }),
  list: () => {
    const items: string[] = [];
    return { push: (i) => void items.push(i), done: () => ({ type: 'list', items }) };
  },
  set: () => {
    const seen = new Set<string>();
    return {
      add: (m) => {
        const n = seen.size;
        return seen.add(m).size !== n;
      },
      done: () => ({ type: 'set', members: [...seen] }),
    };
  },
  zset: () => {
    const seen = new Map<string, number>();
    return {
      add: (m, sc) => {
        if (seen.has(m)) return false;
        seen.set(m, sc);
        return true;
      },
      done: () => ({ type: 'zset', entries: [...seen] }),
    };
  },
  hash: () => {
    const seen = new Map<string, string>();
    return {
      add: (f, v) => {
        if (seen.has(f)) return false;
        seen.set(f, v);
        return true;
      },
      done: () => ({ type: 'hash', entries: [...seen] }),
    };
  },
};

// ---- limits ------------------------------------------------------------------------------------

/** Largest string we materialise (Redis's proto-max-bulk-len default and V8's string limit). */
export const MAX_STRING_LEN = 512 * 1024 * 1024;
/** LZF cannot expand input by more than 264/3 = 88x; anything claiming more is corrupt. */
const LZF_MAX_RATIO = 88;
/** Strings above this are written uncompressed: LZF on huge blobs costs more CPU than it saves. */
const LZF_MAX_INPUT = 1024 * 1024;
/** List quicklist node size limit for list-max-listpack-size -1..-5. */
const LIST_NODE_BYTES = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;

export const DEFAULT_THRESHOLDS: EncodingThresholds = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  listMaxListpackSize: -2,
};

// ---- verification and decoding ---------------------------------------------------------------

/** Redis's verifyDumpPayload: length, RDB version not newer than ours, CRC64. */
export function verifyDumpPayload(p: Buffer): boolean {
  if (p.length < FOOTER) return false;
  const ver = p[p.length - 10]! | (p[p.length - 9]! << 8);
  if (ver > RDB_VERSION) return false;
  return new Crc64().update(p, 0, p.length - 8).equalsLE(p, p.length - 8);
}

export class Bad extends Error {}
const bad = (): never => {
  throw new Bad();
};

/** Length prefixes of the special string encodings come back as ENCODED + kind. */
const ENCODED = 0x4000_0000_0000;

export class Reader {
  pos = 0;
  readonly buf: Buffer;
  readonly end: number;
  constructor(buf: Buffer, end: number) {
    this.buf = buf;
    this.end = end;
  }

  byte(): number {
    if (this.pos >= this.end) bad();
    return this.buf[this.pos++]!;
  }

  take(n: number): Buffer {
    if (n > this.end - this.pos) bad();
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** An RDB length, or ENCODED + kind for the special string encodings (11xxxxxx). */
  len(): number {
    const b = this.byte();
    const kind = b >> 6;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | this.byte();
    if (kind === 3) return ENCODED + (b & 0x3f);
    if (b === 0x80) {
      if (this.end - this.pos < 4) bad();
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === 0x81) {
      if (this.end - this.pos < 8) bad();
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      // Any count or size beyond what the payload can hold is corrupt anyway.
      return v >= BigInt(ENCODED) ? bad() : Number(v);
    }
    return bad();
  }

  plainLen(): number {
    const n = this.len();
    return n >= ENCODED ? bad() : n;
  }

  /** A collection length: every element takes at least some bytes, so bound it by what is left. */
  count(minBytesPerItem: number): number {
    const n = this.plainLen();
    if (n === 0 || n * minBytesPerItem > this.end - this.pos) bad();
    return n;
  }

  string(): string {
    const n = this.len();
    if (n < ENCODED) {
      if (n > this.end - this.pos) bad();
      const s = this.buf.toString('latin1', this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    return this.encodedString(n - ENCODED).toString('latin1');
  }

  stringBytes(): Buffer {
    const n = this.len();
    return n < ENCODED ? this.take(n) : this.encodedString(n - ENCODED);
  }

  private encodedString(kind: number): Buffer {
    switch (kind) {
      case 0:
        return Buffer.from(String(this.take(1).readInt8(0)), 'latin1');
      case 1:
        return Buffer.from(String(this.take(2).readInt16LE(0)), 'latin1');
      case 2:
        return Buffer.from(String(this.take(4).readInt32LE(0)), 'latin1');
      case 3: {
        const clen = this.plainLen();
        const ulen = this.plainLen();
        if (ulen > MAX_STRING_LEN || ulen > clen * LZF_MAX_RATIO + 64 || ulen === 0) bad();
        const out = lzfDecompress(this.take(clen), ulen);
        return out === null ? bad() : Buffer.from(out.buffer, out.byteOffset, out.length);
      }
      default:
        return bad();
    }
  }

  /** Binary double (ZSET_2). */
  binaryDouble(): number {
    if (this.end - this.pos < 8) bad();
    const d = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return d;
  }

  /** Text double with the 253/254/255 markers (old ZSET type). */
  textDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const v = parseScore(this.take(n).toString('latin1'));
    return v === null ? bad() : v;
  }
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Score text as strtod reads it in listpacks and old zsets (decimal or inf forms). */
function parseScore(s: string): number | null {
  const t = s.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (!FLOAT_RE.test(s)) return null;
  return Number(s);
}

/** Bytes of CRC checked per step when verifying a big payload in slices. */
const CRC_SLICE = 1 << 20;

/** Verifies and decodes a DUMP payload; never throws. */
export function decodeDumpPayload(payload: Buffer): DecodeResult;
export function decodeDumpPayload<V>(payload: Buffer, sink: DumpSink<V>): DecodeResult<V>;
export function decodeDumpPayload<V>(payload: Buffer, sink?: DumpSink<V>): DecodeResult<V | DumpValue> {
  const g = decodeDumpPayloadSteps<V | DumpValue>(payload, sink ?? DUMP_VALUE_SINK);
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/**
 * The same, step by step: yields after each CRC_SLICE bytes of checksum and each ENCODE_SLICE
 * elements, so that a big payload can be decoded over several event-loop turns.
 */
export function* decodeDumpPayloadSteps<V>(payload: Buffer, sink: DumpSink<V>): Generator<void, DecodeResult<V>> {
  const n = payload.length;
  if (n < FOOTER || (payload[n - 10]! | (payload[n - 9]! << 8)) > RDB_VERSION) return { ok: false, error: 'checksum' };
  const crc = new Crc64();
  for (let at = 0; at < n - 8; at += CRC_SLICE) {
    crc.update(payload, at, Math.min(n - 8, at + CRC_SLICE));
    if (n - 8 > CRC_SLICE) yield;
  }
  if (!crc.equalsLE(payload, n - 8)) return { ok: false, error: 'checksum' };
  try {
    const r = new Reader(payload, n - FOOTER);
    const value = yield* decodeValue(r, sink);
    // The value must use exactly the bytes before the footer.
    if (r.pos !== r.end) bad();
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Bad || e instanceof RangeError) return { ok: false, error: 'format' };
    throw e;
  }
}

function* decodeValue<V>(r: Reader, sink: DumpSink<V>): Generator<void, V> {
  return yield* decodeBodySteps(r, r.byte(), sink);
}

/** The value body of an object of RDB `type` (RDB files keep the key between type and body). */
export function decodeBodySteps(r: Reader, type: number): Generator<void, DumpValue>;
export function decodeBodySteps<V>(r: Reader, type: number, sink: DumpSink<V>): Generator<void, V>;
export function* decodeBodySteps<V>(r: Reader, type: number, sink?: DumpSink<V>): Generator<void, V | DumpValue> {
  return yield* decodeBodyInto<V | DumpValue>(r, type, sink ?? DUMP_VALUE_SINK);
}

function* decodeBodyInto<V>(r: Reader, type: number, sink: DumpSink<V>): Generator<void, V> {
  let step = 0;
  switch (type) {
    case T.STRING:
      return sink.string(r.string());
    case T.LIST: {
      const n = r.count(1);
      const b = sink.list();
      for (let i = 0; i < n; i++) {
        b.push(r.string());
        if (++step === ENCODE_SLICE) {
          step = 0;
          yield;
        }
      }
      return b.done();
    }
    case T.LIST_ZIPLIST: {
      const b = sink.list();
      for (const e of nonEmpty(decodeZiplist(r.stringBytes()))) b.push(e);
      return b.done();
    }
    case T.LIST_QUICKLIST:
    case T.LIST_QUICKLIST_2: {
      const nodes = r.count(1);
      const b = sink.list();
      let count = 0;
      for (let i = 0; i < nodes; i++) {
        const container = type === T.LIST_QUICKLIST_2 ? r.plainLen() : 2;
        const blob = r.stringBytes();
        if (container === 1) {
          b.push(blob.toString('latin1'));
          count++;
        } else if (container === 2) {
          const entries = (type === T.LIST_QUICKLIST ? decodeZiplist : decodeListpack)(blob) ?? bad();
          // Redis skips empty nodes; an entirely empty list is still rejected below.
          for (const e of entries) b.push(e);
          count += entries.length;
        } else bad();
        if (++step === 16) {
          step = 0;
          yield;
        }
      }
      if (count === 0) bad();
      return b.done();
    }
    case T.SET: {
      const n = r.count(1);
      const b = sink.set();
      for (let i = 0; i < n; i++) {
        if (!b.add(r.string())) bad();
        if (++step === ENCODE_SLICE) {
          step = 0;
          yield;
        }
      }
      return b.done();
    }
    case T.SET_INTSET: {
      const b = sink.set();
      for (const m of nonEmpty(decodeIntset(r.stringBytes()))) b.add(m);
      return b.done();
    }
    case T.ZSET:
    case T.ZSET_2: {
      const n = r.count(type === T.ZSET_2 ? 9 : 2);
      const b = sink.zset();
      for (let i = 0; i < n; i++) {
        const m = r.string();
        const score = type === T.ZSET_2 ? r.binaryDouble() : r.textDouble();
        if (Number.isNaN(score) || !b.add(m, score)) bad();
        if (++step === ENCODE_SLICE) {
          step = 0;
          yield;
        }
      }
      return b.done();
    }
    case T.ZSET_ZIPLIST:
    case T.ZSET_LISTPACK: {
      const flat = nonEmpty((type === T.ZSET_LISTPACK ? decodeListpack : decodeZiplist)(r.stringBytes()));
      if (flat.length % 2 !== 0) bad();
      const b = sink.zset();
      for (let i = 0; i < flat.length; i += 2) {
        const score = parseScore(flat[i + 1]!) ?? bad();
        if (Number.isNaN(score) || !b.add(flat[i]!, score)) bad();
      }
      return b.done();
    }
    case T.HASH: {
      const n = r.count(2);
      const b = sink.hash();
      for (let i = 0; i < n; i++) {
        const f = r.string();
        if (!b.add(f, r.string())) bad();
        if (++step === ENCODE_SLICE) {
          step = 0;
          yield;
        }
      }
      return b.done();
    }
    case T.HASH_ZIPMAP:
    case T.HASH_ZIPLIST:
    case T.HASH_LISTPACK: {
      const blob = r.stringBytes();
      const flat = nonEmpty(type === T.HASH_LISTPACK ? decodeListpack(blob) : type === T.HASH_ZIPLIST ? decodeZiplist(blob) : decodeZipmap(blob));
      if (flat.length % 2 !== 0) bad();
      const b = sink.hash();
      for (let i = 0; i < flat.length; i += 2) if (!b.add(flat[i]!, flat[i + 1]!)) bad();
      return b.done();
    }
    default:
      // Streams (15, 19), modules (6, 7), 7.2+ types (20, 21) and unknown bytes.
      return bad();
  }
}

function nonEmpty<X>(a: X[] | null): X[] {
  if (a === null || a.length === 0) bad();
  return a!;
}

// ---- encoding ----------------------------------------------------------------------------------

export function writeLen(w: ByteWriter, n: number): void {
  if (n < 64) w.byte(n);
  else if (n < 16384) {
    w.byte(0x40 | (n >> 8));
    w.byte(n & 0xff);
  } else if (n <= 0xffffffff) {
    w.byte(0x80);
    w.u32be(n);
  } else {
    w.byte(0x81);
    w.u64be(BigInt(n));
  }
}

/** An RDB string the way Redis writes it: int forms, then LZF when it saves >= 4 bytes. */
export function writeString(w: ByteWriter, s: string): void {
  const n = s.length;
  if (n <= 11) {
    const v = canonicalSmallInt(s);
    if (v !== null) {
      if (v >= -128 && v <= 127) {
        w.byte(0xc0);
        w.byte(v & 0xff);
      } else if (v >= -32768 && v <= 32767) {
        w.byte(0xc1);
        w.intLE(BigInt(v), 2);
      } else {
        w.byte(0xc2);
        w.intLE(BigInt(v), 4);
      }
      return;
    }
  }
  if (n > 20 && n <= LZF_MAX_INPUT) {
    const raw = Buffer.from(s, 'latin1');
    if (writeLzf(w, raw)) return;
  }
  writeLen(w, n);
  w.latin1(s);
}

function writeBlob(w: ByteWriter, b: Buffer): void {
  if (b.length > 20 && b.length <= LZF_MAX_INPUT && writeLzf(w, b)) return;
  writeLen(w, b.length);
  w.bytes(b);
}

function writeLzf(w: ByteWriter, raw: Uint8Array): boolean {
  const c = lzfCompress(raw, raw.length - 4);
  if (c === null) return false;
  w.byte(0xc3);
  writeLen(w, c.length);
  writeLen(w, raw.length);
  w.bytes(c);
  return true;
}

/** Elements encoded between two yields of the sliced encoder. */
export const ENCODE_SLICE = 2048;

/**
 * Encodes step by step: yields after every ENCODE_SLICE elements so that a caller can spread a
 * big key over several event-loop turns (the source must not change in between). The CRC is
 * updated as the bytes are produced, so no final pass over a big payload is needed.
 */
export function* encodeDumpPayloadSteps(src: ValueSource, th: EncodingThresholds = DEFAULT_THRESHOLDS): Generator<void, Buffer> {
  const w = new ByteWriter(src.type === 'string' ? src.value.length + 32 : 256);
  const crc = new Crc64();
  let crcAt = 0;
  let step = 0;
  // Every ENCODE_SLICE elements: checksum what was written so far, then let the caller pause.
  const due = (): boolean => {
    if (++step < ENCODE_SLICE) return false;
    step = 0;
    crc.update(w.buf, crcAt, w.len);
    crcAt = w.len;
    return true;
  };
  switch (src.type) {
    case 'string':
      w.byte(T.STRING);
      writeString(w, src.value);
      break;
    case 'list': {
      w.byte(T.LIST_QUICKLIST_2);
      // Node count is known only at the end; collect node blobs (each <= the node limit).
      const nodes: Buffer[] = [];
      const fill = th.listMaxListpackSize;
      const maxBytes = fill < 0 ? LIST_NODE_BYTES[Math.min(5, -fill) - 1]! : SIZE_SAFETY_LIMIT;
      let lp = new ListpackBuilder();
      for (const it of src.items) {
        // Redis's own test for appending to a quicklist node (_quicklistNodeAllowInsert): the
        // entry is estimated as its string length plus 8, so nodes split where Redis splits a
        // list built by RPUSH.
        const estimate = lp.bytes + it.length + 8;
        const fits = fill < 0 ? estimate <= maxBytes : estimate <= SIZE_SAFETY_LIMIT && lp.count + 1 <= Math.max(1, fill);
        if (lp.count > 0 && !fits) {
          nodes.push(lp.finish());
          lp = new ListpackBuilder();
        }
        lp.add(it);
        if (due()) yield;
      }
      if (lp.count > 0) nodes.push(lp.finish());
      writeLen(w, nodes.length);
      for (const node of nodes) {
        writeLen(w, 2);
        writeBlob(w, node);
        if (due()) yield;
      }
      break;
    }
    case 'set': {
      const members = src.compact !== false && src.size <= th.setMaxIntsetEntries ? [...src.members] : null;
      const ints = members?.map((m) => canonicalInt(m));
      if (members !== null && ints !== undefined && ints.every((v) => v !== null)) {
        w.byte(T.SET_INTSET);
        const sorted = (ints as bigint[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const lo = sorted[0]!;
        const hi = sorted[sorted.length - 1]!;
        const width = lo >= -32768n && hi <= 32767n ? 2 : lo >= -2147483648n && hi <= 2147483647n ? 4 : 8;
        const is = new ByteWriter(8 + width * sorted.length);
        is.u32le(width);
        is.u32le(sorted.length);
        for (const v of sorted) is.intLE(v, width);
        writeBlob(w, is.result());
      } else {
        w.byte(T.SET);
        writeLen(w, src.size);
        for (const m of members ?? src.members) {
          writeString(w, m);
          if (due()) yield;
        }
      }
      break;
    }
    case 'zset': {
      const small = src.compact !== false && src.size <= th.zsetMaxListpackEntries ? [...src.entries] : null;
      if (small !== null && small.every(([m]) => m.length <= th.zsetMaxListpackValue)) {
        w.byte(T.ZSET_LISTPACK);
        const lp = new ListpackBuilder();
        for (const [m, s] of small) {
          lp.add(m);
          lp.add(scoreText(s));
        }
        writeBlob(w, lp.finish());
      } else {
        w.byte(T.ZSET_2);
        writeLen(w, src.size);
        for (const [m, s] of small ?? src.entries) {
          writeString(w, m);
          w.doubleLE(s);
          if (due()) yield;
        }
      }
      break;
    }
    case 'hash': {
      const small = src.compact !== false && src.size <= th.hashMaxListpackEntries ? [...src.entries] : null;
      const limit = th.hashMaxListpackValue;
      if (small !== null && small.every(([f, v]) => f.length <= limit && v.length <= limit)) {
        w.byte(T.HASH_LISTPACK);
        const lp = new ListpackBuilder();
        for (const [f, v] of small) {
          lp.add(f);
          lp.add(v);
        }
        writeBlob(w, lp.finish());
      } else {
        w.byte(T.HASH);
        writeLen(w, src.size);
        for (const [f, v] of small ?? src.entries) {
          writeString(w, f);
          writeString(w, v);
          if (due()) yield;
        }
      }
      break;
    }
  }
  w.u16le(RDB_VERSION);
  crc.update(w.buf, crcAt, w.len);
  const at = w.skip(8); // may move w.buf: take the buffer after
  crc.writeLE(w.buf, at);
  return w.result();
}

export function encodeDumpPayload(src: ValueSource, th: EncodingThresholds = DEFAULT_THRESHOLDS): Buffer {
  const g = encodeDumpPayloadSteps(src, th);
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** Zset listpack scores: integral values as integers, others as %.17g text (as Redis stores). */
function scoreText(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isInteger(d) && Math.abs(d) < 2 ** 63 && !Object.is(d, -0)) return BigInt(d).toString();
  if (Object.is(d, -0)) return '-0';
  let s = d.toPrecision(17);
  if (s.includes('e')) {
    let [m, e] = s.split('e') as [string, string];
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** The neutral source view of a decoded value (for re-encoding and tests). */
export function sourceOf(v: DumpValue): ValueSource {
  switch (v.type) {
    case 'string':
      return v;
    case 'list':
      return { type: 'list', size: v.items.length, items: v.items };
    case 'set':
      return { type: 'set', size: v.members.length, members: v.members };
    case 'zset': {
      const sorted = [...v.entries].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return { type: 'zset', size: sorted.length, entries: sorted };
    }
    case 'hash':
      return { type: 'hash', size: v.entries.length, entries: v.entries };
  }
}
