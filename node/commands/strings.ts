// String commands.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, int64Arg, intArg, parseInt64 } from './args.js';
import { modified, propagateAs, readString } from './access.js';
import { shareShort } from '../store/shared-strings.js';
import { absoluteExpire, expireKeyAt, type ExpireUnit } from './expire-args.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from './long-double.js';

const MAX_STRING = 512 * 1024 * 1024;
/** Longest string Redis stores as embstr. */
const EMBSTR_MAX = 44;

function setValue(ctx: Ctx, key: string, value: string, keepTtl = false): void {
  ctx.db.set(key, shareShort(value), keepTtl);
  // modified() without its re-estimate: set() charged the string exactly.
  ctx.server.touchWatched(ctx.db.index, key);
  ctx.server.dirty++;
}

function get(ctx: Ctx, argv: string[]): void {
  ctx.out.bulkOrNull(readString(ctx, argv[1]!));
}

function set(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  let nx = false;
  let xx = false;
  let getOld = false;
  let keepTtl = false;
  let expireAt: number | null = null;
  let unit: ExpireUnit | null = null;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!.toUpperCase();
    const hasNext = i + 1 < argv.length;
    if (opt === 'NX' && !xx) nx = true;
    else if (opt === 'XX' && !nx) xx = true;
    else if (opt === 'GET') getOld = true;
    else if (opt === 'KEEPTTL' && unit === null) keepTtl = true;
    else if ((opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT') && unit === null && !keepTtl && hasNext) {
      unit = opt;
      expireAt = absoluteExpire(opt, argv[++i]!, ctx.now, 'set');
    } else fail(E.syntax);
  }
  let old: string | undefined;
  if (getOld) old = readString(ctx, key);
  const exists = getOld ? old !== undefined : ctx.db.exists(key, ctx.now);
  if ((nx && exists) || (xx && !exists)) {
    if (getOld) ctx.out.bulkOrNull(old);
    else ctx.out.nullBulk();
    return;
  }
  setValue(ctx, key, argv[2]!, keepTtl);
  if (expireAt !== null) {
    ctx.db.setExpire(key, expireAt);
    propagateAs(ctx, ['SET', key, argv[2]!, 'PXAT', String(expireAt)]);
  }
  if (getOld) ctx.out.bulkOrNull(old);
  else ctx.out.ok();
}

function setnx(ctx: Ctx, argv: string[]): void {
  if (ctx.db.exists(argv[1]!, ctx.now)) return ctx.out.int(0);
  setValue(ctx, argv[1]!, argv[2]!);
  ctx.out.int(1);
}

function setexFamily(unit: 'EX' | 'PX', cmd: string) {
  return (ctx: Ctx, argv: string[]): void => {
    const at = absoluteExpire(unit, argv[2]!, ctx.now, cmd);
    setValue(ctx, argv[1]!, argv[3]!);
    ctx.db.setExpire(argv[1]!, at);
    propagateAs(ctx, ['SET', argv[1]!, argv[3]!, 'PXAT', String(at)]);
    ctx.out.ok();
  };
}

function getset(ctx: Ctx, argv: string[]): void {
  const old = readString(ctx, argv[1]!);
  setValue(ctx, argv[1]!, argv[2]!);
  ctx.out.bulkOrNull(old);
}

function getdel(ctx: Ctx, argv: string[]): void {
  const old = readString(ctx, argv[1]!);
  if (old !== undefined) {
    ctx.db.delete(argv[1]!);
    modified(ctx, argv[1]!);
  }
  ctx.out.bulkOrNull(old);
}

function getex(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  let at: number | null = null;
  let persist = false;
  let seen = false;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i]!.toUpperCase();
    if ((opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT') && !seen && i + 1 < argv.length) {
      at = absoluteExpire(opt, argv[++i]!, ctx.now, 'getex');
      seen = true;
    } else if (opt === 'PERSIST' && !seen) {
      persist = true;
      seen = true;
    } else fail(E.syntax);
  }
  const v = readString(ctx, key);
  if (v === undefined) return ctx.out.nullBulk();
  if (at !== null) {
    expireKeyAt(ctx, key, at);
    modified(ctx, key);
  } else if (persist && ctx.db.persist(key)) {
    modified(ctx, key);
    propagateAs(ctx, ['PERSIST', key]);
  }
  ctx.out.bulk(v);
}

function mget(ctx: Ctx, argv: string[]): void {
  ctx.out.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = ctx.db.get(argv[i]!, ctx.now);
    if (typeof v === 'string') {
      ctx.server.stats.keyspaceHits++;
      ctx.out.bulk(v);
    } else {
      if (v === undefined) ctx.server.stats.keyspaceMisses++;
      ctx.out.nullBulk();
    }
  }
}

function mset(ctx: Ctx, argv: string[]): void {
  if (argv.length % 2 === 0) fail(E.arity(argv[0]!.toLowerCase()));
  for (let i = 1; i < argv.length; i += 2) setValue(ctx, argv[i]!, argv[i + 1]!);
  ctx.out.ok();
}

function msetnx(ctx: Ctx, argv: string[]): void {
  if (argv.length % 2 === 0) fail(E.arity(argv[0]!.toLowerCase()));
  for (let i = 1; i < argv.length; i += 2) if (ctx.db.exists(argv[i]!, ctx.now)) return ctx.out.int(0);
  for (let i = 1; i < argv.length; i += 2) setValue(ctx, argv[i]!, argv[i + 1]!);
  ctx.out.int(1);
}

/**
 * The value of s when it is an integer of at most 15 digits written canonically (optional '-',
 * no leading zero), which a double holds exactly; NaN otherwise (the int64 path decides then).
 */
export function smallInt(s: string): number {
  const n = s.length;
  let i = 0;
  if (n !== 0 && s.charCodeAt(0) === 45 /* '-' */) i = 1;
  const digits = n - i;
  if (digits < 1 || digits > 15) return NaN;
  let v = s.charCodeAt(i) - 48;
  if (v < 0 || v > 9 || (v === 0 && digits > 1)) return NaN;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  // "-0" is not an integer to Redis (string2ll): NaN sends it to parseInt64, which refuses it.
  if (i === 1) return v === 0 ? NaN : -v;
  return v;
}

/** The strings of 0..9999, as Redis shares its small integer objects: counters skip String() and shareShort(). */
const SMALL_COUNTERS = 10000;
const COUNTER_STRINGS: readonly string[] = Array.from({ length: SMALL_COUNTERS }, (_, i) => shareShort(String(i)));

function incrBy(ctx: Ctx, key: string, delta: bigint | number): void {
  const cur = readString(ctx, key);
  let next: string;
  const base = cur === undefined ? 0 : smallInt(cur);
  // A result in 0..9999 (the common counter) takes its shared string and reply as they are.
  let small = -1;
  if (base === base /* not NaN */) {
    if (typeof delta === 'number' && Math.abs(delta) < 2 ** 50) {
      const r = base + delta;
      if (r >= 0 && r < SMALL_COUNTERS) small = r;
      next = small >= 0 ? COUNTER_STRINGS[small]! : shareShort(String(r));
    } else next = shareShort(addChecked(BigInt(base), BigInt(delta)));
  } else {
    const n = parseInt64(cur!);
    if (n === null) fail(E.notInteger);
    next = shareShort(addChecked(n, BigInt(delta)));
  }
  if (cur !== undefined) ctx.db.replace(key, next, cur);
  else ctx.db.set(key, next);
  // modified() without its re-estimate: the store charged the string exactly.
  ctx.server.touchWatched(ctx.db.index, key);
  ctx.server.dirty++;
  if (small >= 0) ctx.out.int(small);
  else ctx.out.raw(`:${next}\r\n`);
}

function addChecked(a: bigint, b: bigint): string {
  const r = a + b;
  if (r > 9223372036854775807n || r < -9223372036854775808n) fail(E.overflow);
  return r.toString();
}

function incrbyfloat(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  // Redis adds in x87 long double; emulating it keeps results digit-for-digit identical.
  const incr = parseLongDouble(argv[2]!);
  if (incr === null) fail(E.notFloat);
  const cur = readString(ctx, key);
  let sum: LongDouble | null = incr;
  if (cur !== undefined) {
    const base = parseLongDouble(cur);
    if (base === null) fail(E.notFloat);
    sum = addLongDouble(base, incr);
  }
  if (sum === null || sum.kind === 'inf') fail(E.incrFloatNaN);
  const s = formatLongDoubleHuman(sum);
  if (cur !== undefined) ctx.db.replace(key, s);
  else ctx.db.set(key, s);
  // The result is stored as text, never int-encoded, even when integral ("3").
  if (s.length <= EMBSTR_MAX) ctx.db.setStringEncoding(key, 'embstr');
  modified(ctx, key);
  // Replicas and the AOF get the result, not the increment.
  propagateAs(ctx, ['SET', key, s, 'KEEPTTL']);
  ctx.out.bulk(s);
}

function append(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const cur = readString(ctx, key);
  if (cur === undefined) {
    setValue(ctx, key, argv[2]!);
    return ctx.out.int(argv[2]!.length);
  }
  if (cur.length + argv[2]!.length > MAX_STRING) fail(E.stringTooLong);
  const next = cur + argv[2]!;
  ctx.db.replace(key, next);
  // Redis appends to a private raw copy of the value, whatever it held before.
  ctx.db.setStringEncoding(key, 'raw');
  modified(ctx, key);
  ctx.out.int(next.length);
}

function strlen(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readString(ctx, argv[1]!)?.length ?? 0);
}

function getrange(ctx: Ctx, argv: string[]): void {
  let start = intArg(argv[2]!);
  let end = intArg(argv[3]!);
  const v = readString(ctx, argv[1]!);
  if (v === undefined) return ctx.out.bulk('');
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return ctx.out.bulk('');
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len === 0 || start > end) return ctx.out.bulk('');
  ctx.out.bulk(v.slice(start, end + 1));
}

function setrange(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const offset = intArg(argv[2]!);
  const value = argv[3]!;
  if (offset < 0) fail(E.offsetOutOfRange);
  const cur = readString(ctx, key);
  if (cur === undefined) {
    if (value.length === 0) return ctx.out.int(0);
    if (offset + value.length > MAX_STRING) fail(E.stringTooLong);
    setValue(ctx, key, '\0'.repeat(offset) + value);
    // Redis builds the new value as a raw string (no int/embstr encoding attempt).
    ctx.db.setStringEncoding(key, 'raw');
    return ctx.out.int(offset + value.length);
  }
  if (value.length === 0) return ctx.out.int(cur.length);
  if (offset + value.length > MAX_STRING) fail(E.stringTooLong);
  const padded = cur.length < offset ? cur + '\0'.repeat(offset - cur.length) : cur;
  const next = padded.slice(0, offset) + value + padded.slice(offset + value.length);
  ctx.db.replace(key, next);
  ctx.db.setStringEncoding(key, 'raw');
  modified(ctx, key);
  ctx.out.int(next.length);
}

const ro = ['readonly', 'fast'] as const;
const wf = ['write', 'denyoom', 'fast'] as const;
const key1 = { first: 1, last: 1, step: 1 };

export const stringCommands: readonly CommandSpec[] = [
  { name: 'get', arity: 2, flags: ro, keys: key1, group: 'string', acl: ['read', 'string', 'fast'], handler: get },
  { name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: key1, group: 'string', acl: ['write', 'string', 'slow'], handler: set },
  { name: 'setnx', arity: 3, flags: wf, keys: key1, group: 'string', handler: setnx },
  { name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: key1, group: 'string', handler: setexFamily('EX', 'setex') },
  { name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: key1, group: 'string', handler: setexFamily('PX', 'psetex') },
  { name: 'getset', arity: 3, flags: wf, keys: key1, group: 'string', handler: getset },
  { name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: key1, group: 'string', handler: getdel },
  { name: 'getex', arity: -2, flags: ['write', 'fast'], keys: key1, group: 'string', handler: getex },
  { name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: { first: 1, last: -1, step: 1 }, group: 'string', handler: mget },
  { name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: -1, step: 2 }, group: 'string', handler: mset },
  { name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: -1, step: 2 }, group: 'string', handler: msetnx },
  { name: 'incr', arity: 2, flags: wf, keys: key1, group: 'string', handler: (c, a) => incrBy(c, a[1]!, 1) },
  { name: 'decr', arity: 2, flags: wf, keys: key1, group: 'string', handler: (c, a) => incrBy(c, a[1]!, -1) },
  { name: 'incrby', arity: 3, flags: wf, keys: key1, group: 'string', handler: (c, a) => incrBy(c, a[1]!, int64Arg(a[2]!)) },
  {
    name: 'decrby',
    arity: 3,
    flags: wf,
    keys: key1,
    group: 'string',
    handler: (c, a) => {
      const d = int64Arg(a[2]!);
      if (d === -9223372036854775808n) fail(E.overflow);
      incrBy(c, a[1]!, -d);
    },
  },
  { name: 'incrbyfloat', arity: 3, flags: wf, keys: key1, group: 'string', handler: incrbyfloat },
  { name: 'append', arity: 3, flags: wf, keys: key1, group: 'string', handler: append },
  { name: 'strlen', arity: 2, flags: ro, keys: key1, group: 'string', handler: strlen },
  { name: 'getrange', arity: 4, flags: ['readonly'], keys: key1, group: 'string', handler: getrange },
  { name: 'substr', arity: 4, flags: ['readonly'], keys: key1, group: 'string', handler: getrange },
  { name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keys: key1, group: 'string', handler: setrange },
];
