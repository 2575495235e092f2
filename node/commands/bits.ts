// Bitmap commands on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
// Strings are latin1 JS strings (one char per byte); writers rebuild the string through a byte
// buffer and store it back with replace()/set() so memory accounting and encodings stay right.
import type { CommandSpec, Ctx, KeySpec } from './types.js';
import { E } from './errors.js';
import { fail, intArg, parseInt64 } from './args.js';
import { modified, readString } from './access.js';
import { rangeSpec } from './list-ops.js';
import { bitAt, findBit, fitField, getSigned, getUnsigned, popcount, setField, type Overflow } from './bit-ops.js';

/**
 * A bit offset argument: a non-negative 64-bit integer (or, with `hashBits`, "#n" meaning n
 * fields of that width) whose byte stays below proto-max-bulk-len.
 */
function bitOffsetArg(ctx: Ctx, s: string, hashBits = 0): number {
  const hash = hashBits > 0 && s.startsWith('#');
  let n = parseInt64(hash ? s.slice(1) : s);
  if (n === null) fail(E.bitOffset);
  if (hash) n = BigInt.asIntN(64, n * BigInt(hashBits));
  if (n < 0n || n >> 3n >= BigInt(ctx.server.config.int('proto-max-bulk-len'))) fail(E.bitOffset);
  return Number(n);
}

/** The string at key for a write (no hit/miss accounting, as Redis's lookupKeyWrite). */
function writeString(ctx: Ctx, key: string): string | undefined {
  const v = ctx.db.get(key, ctx.now);
  if (v !== undefined && typeof v !== 'string') fail(E.wrongType);
  return v;
}

/** A byte copy of cur grown with zeros to at least `minBytes`. */
function bytesOf(cur: string | undefined, minBytes: number): Buffer {
  const len = Math.max(cur?.length ?? 0, minBytes);
  const buf = Buffer.alloc(len);
  if (cur !== undefined) buf.write(cur, 0, 'latin1');
  return buf;
}

function store(ctx: Ctx, key: string, existed: boolean, buf: Buffer, changes: number): void {
  const next = buf.toString('latin1');
  if (existed) ctx.db.replace(key, next);
  else ctx.db.set(key, next);
  if (changes > 0) modified(ctx, key, changes);
}

function setbit(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const offset = bitOffsetArg(ctx, argv[2]!);
  const on = parseInt64(argv[3]!);
  if (on === null || (on !== 0n && on !== 1n)) fail(E.bitValue);
  const cur = writeString(ctx, key);
  const old = cur === undefined ? 0 : bitAt(cur, offset);
  const buf = bytesOf(cur, (offset >>> 3) + 1);
  const mask = 1 << (7 - (offset & 7));
  if (on === 1n) buf[offset >>> 3]! |= mask;
  else buf[offset >>> 3]! &= ~mask;
  store(ctx, key, cur !== undefined, buf, 1);
  ctx.out.int(old);
}

function getbit(ctx: Ctx, argv: string[]): void {
  const offset = bitOffsetArg(ctx, argv[2]!);
  const v = readString(ctx, argv[1]!);
  ctx.out.int(v === undefined ? 0 : bitAt(v, offset));
}

function unitArg(s: string): boolean {
  const u = s.toUpperCase();
  if (u === 'BIT') return true;
  if (u === 'BYTE') return false;
  fail(E.syntax);
}

/** Clamps a [start, end] range (negative from the end) to [0, total - 1] as Redis does. */
function clampRange(start: number, end: number, total: number): [number, number] {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return [start, end];
}

function bitcount(ctx: Ctx, argv: string[]): void {
  // Redis 7.0 looks the key up before parsing the range: a missing key answers 0 regardless.
  const v = readString(ctx, argv[1]!);
  if (v === undefined) return ctx.out.int(0);
  if (argv.length === 2) return ctx.out.int(popcount(v, 0, v.length - 1));
  if (argv.length !== 4 && argv.length !== 5) fail(E.syntax);
  let start = intArg(argv[2]!);
  let end = intArg(argv[3]!);
  const isBit = argv.length === 5 && unitArg(argv[4]!);
  const total = isBit ? v.length * 8 : v.length;
  if (start < 0 && end < 0 && start > end) return ctx.out.int(0);
  [start, end] = clampRange(start, end, total);
  if (start > end) return ctx.out.int(0);
  if (!isBit) return ctx.out.int(popcount(v, start, end));
  const firstByte = start >>> 3;
  const lastByte = end >>> 3;
  let n = popcount(v, firstByte, lastByte);
  for (let b = firstByte * 8; b < start; b++) n -= bitAt(v, b);
  for (let b = end + 1; b < lastByte * 8 + 8; b++) n -= bitAt(v, b);
  ctx.out.int(n);
}

function bitpos(ctx: Ctx, argv: string[]): void {
  const b = parseInt64(argv[2]!);
  if (b === null) fail(E.notInteger);
  if (b !== 0n && b !== 1n) fail(E.bitposBit);
  const bit = b === 1n ? 1 : 0;
  const v = readString(ctx, argv[1]!);
  if (v === undefined) return ctx.out.int(bit ? -1 : 0);
  if (argv.length > 6) fail(E.syntax);
  let start = 0;
  let end = v.length - 1;
  let isBit = false;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    start = intArg(argv[3]!);
    if (argv.length === 6) isBit = unitArg(argv[5]!);
    if (endGiven) end = intArg(argv[4]!);
    [start, end] = clampRange(start, end, isBit ? v.length * 8 : v.length);
  }
  if (start > end) return ctx.out.int(-1);
  const from = isBit ? start : start * 8;
  const to = isBit ? end : end * 8 + 7;
  const pos = findBit(v, bit, from, to);
  if (pos >= 0) return ctx.out.int(pos);
  // No clear bit in an open-ended byte range: the string counts as padded with zeros.
  ctx.out.int(bit === 0 && !endGiven ? to + 1 : -1);
}

function bitop(ctx: Ctx, argv: string[]): void {
  const op = argv[1]!.toUpperCase();
  if (op !== 'AND' && op !== 'OR' && op !== 'XOR' && op !== 'NOT') fail(E.syntax);
  if (op === 'NOT' && argv.length !== 4) fail(E.bitopNot);
  const dest = argv[2]!;
  const srcs: (string | undefined)[] = [];
  let maxLen = 0;
  for (let i = 3; i < argv.length; i++) {
    const v = ctx.db.get(argv[i]!, ctx.now);
    if (v !== undefined && typeof v !== 'string') fail(E.wrongType);
    srcs.push(v);
    if (v !== undefined && v.length > maxLen) maxLen = v.length;
  }
  if (maxLen === 0) {
    if (ctx.db.delete(dest)) modified(ctx, dest);
    return ctx.out.int(0);
  }
  const res = Buffer.alloc(maxLen);
  for (let j = 0; j < maxLen; j++) {
    const byteOf = (s: string | undefined) => (s !== undefined && j < s.length ? s.charCodeAt(j) & 0xff : 0);
    let acc = byteOf(srcs[0]);
    if (op === 'NOT') acc = ~acc & 0xff;
    for (let k = 1; k < srcs.length; k++) {
      const x = byteOf(srcs[k]);
      if (op === 'AND') acc &= x;
      else if (op === 'OR') acc |= x;
      else acc ^= x;
    }
    res[j] = acc;
  }
  ctx.db.set(dest, res.toString('latin1'));
  modified(ctx, dest);
  ctx.out.int(maxLen);
}

interface FieldOp {
  op: 'GET' | 'SET' | 'INCRBY';
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

function fieldTypeArg(s: string): { signed: boolean; bits: number } {
  const c = s[0];
  const signed = c === 'i' || c === 'I';
  if (!signed && c !== 'u' && c !== 'U') fail(E.bitfieldType);
  const n = parseInt64(s.slice(1));
  if (n === null || n < 1n || n > (signed ? 64n : 63n)) fail(E.bitfieldType);
  return { signed, bits: Number(n) };
}

function parseFieldOps(ctx: Ctx, argv: string[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'WRAP';
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j]!.toUpperCase();
    let op: FieldOp['op'];
    if (sub === 'GET' && rem >= 2) op = 'GET';
    else if (sub === 'SET' && rem >= 3) op = 'SET';
    else if (sub === 'INCRBY' && rem >= 3) op = 'INCRBY';
    else if (sub === 'OVERFLOW' && rem >= 1) {
      const t = argv[++j]!.toUpperCase();
      if (t !== 'WRAP' && t !== 'SAT' && t !== 'FAIL') fail(E.bitfieldOverflow);
      overflow = t;
      continue;
    } else fail(E.syntax);
    const { signed, bits } = fieldTypeArg(argv[j + 1]!);
    const offset = bitOffsetArg(ctx, argv[j + 2]!, bits);
    let value = 0n;
    if (op !== 'GET') {
      const v = parseInt64(argv[j + 3]!);
      if (v === null) fail(E.notInteger);
      value = v;
    }
    ops.push({ op, signed, bits, offset, value, overflow });
    j += op === 'GET' ? 2 : 3;
  }
  return ops;
}

function bitfieldCommand(readOnly: boolean) {
  return (ctx: Ctx, argv: string[]): void => {
    const key = argv[1]!;
    const ops = parseFieldOps(ctx, argv);
    let highest = -1;
    for (const o of ops) if (o.op !== 'GET') highest = Math.max(highest, o.offset + o.bits - 1);
    if (highest < 0) {
      const v = readString(ctx, key);
      const buf = v === undefined ? Buffer.alloc(0) : Buffer.from(v, 'latin1');
      ctx.out.array(ops.length);
      for (const o of ops) ctx.out.int(o.signed ? getSigned(buf, o.offset, o.bits) : getUnsigned(buf, o.offset, o.bits));
      return;
    }
    if (readOnly) fail(E.bitfieldRo);
    const cur = writeString(ctx, key);
    const buf = bytesOf(cur, Math.floor(highest / 8) + 1);
    // A key created or grown counts as changed even if every write is refused (as Redis).
    const grown = cur === undefined || buf.length !== cur.length;
    let changes = 0;
    ctx.out.array(ops.length);
    for (const o of ops) {
      const old = o.signed ? getSigned(buf, o.offset, o.bits) : getUnsigned(buf, o.offset, o.bits);
      if (o.op === 'GET') {
        ctx.out.int(old);
        continue;
      }
      const next =
        o.op === 'INCRBY'
          ? fitField(old, o.value, o.bits, o.signed, o.overflow)
          : fitField(o.signed ? o.value : BigInt.asUintN(64, o.value), 0n, o.bits, o.signed, o.overflow);
      if (next === null) {
        ctx.out.nullBulk();
        continue;
      }
      ctx.out.int(o.op === 'INCRBY' ? next : old);
      setField(buf, o.offset, o.bits, next);
      if (grown || next !== old) changes++;
    }
    store(ctx, key, cur !== undefined, buf, changes);
  };
}

const g = 'bitmap';
const key1 = { first: 1, last: 1, step: 1 };
const RO = rangeSpec(['RO', 'access'], 1);
const BITFIELD_SPEC: KeySpec = { ...rangeSpec(['RW', 'access', 'update', 'variable_flags'], 1), notes: 'This command allows both access and modification of the key' };

export const bitCommands: readonly CommandSpec[] = [
  { name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: key1, keySpecs: [rangeSpec(['RW', 'access', 'update'], 1)], group: g, acl: ['write', 'bitmap', 'slow'], since: '2.2.0', handler: setbit },
  { name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: key1, keySpecs: [RO], group: g, acl: ['read', 'bitmap', 'fast'], since: '2.2.0', handler: getbit },
  { name: 'bitcount', arity: -2, flags: ['readonly'], keys: key1, keySpecs: [RO], group: g, acl: ['read', 'bitmap', 'slow'], since: '2.6.0', handler: bitcount },
  { name: 'bitpos', arity: -3, flags: ['readonly'], keys: key1, keySpecs: [RO], group: g, acl: ['read', 'bitmap', 'slow'], since: '2.8.7', handler: bitpos },
  {
    name: 'bitop',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: { first: 2, last: -1, step: 1 },
    keySpecs: [rangeSpec(['OW', 'update'], 2), rangeSpec(['RO', 'access'], 3, -1)],
    group: g,
    acl: ['write', 'bitmap', 'slow'],
    since: '2.6.0',
    handler: bitop,
  },
  { name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: key1, keySpecs: [BITFIELD_SPEC], group: g, acl: ['write', 'bitmap', 'slow'], since: '3.2.0', handler: bitfieldCommand(false) },
  { name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: key1, keySpecs: [RO], group: g, acl: ['read', 'bitmap', 'fast'], since: '6.0.0', handler: bitfieldCommand(true) },
];
