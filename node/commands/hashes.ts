// Hash commands, with Redis 7.0's replies (RESP2 and RESP3) and error texts.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, int64Arg, parseInt64 } from './args.js';
import { modified, readObject, writeObject } from './access.js';
import { encodingThresholds } from './thresholds.js';
import { parseScanCursor, parseScanOptions } from './scan-args.js';
import { distinctRandom, parseRandomCount } from './random-count.js';
import { HashValue } from '../store/values/hash.js';
import { shareShort } from '../store/shared-strings.js';
import { globMatch } from '../../common/glob.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from './long-double.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const LONG_MAX_HALF = 4611686018427387903n;

function bulkOf(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

function readHash(ctx: Ctx, key: string): HashValue | undefined {
  return readObject<HashValue>(ctx, key, 'hash');
}

/** The hash at key for writing, created (and stored) when missing. */
function hashForWrite(ctx: Ctx, key: string): HashValue {
  let h = writeObject<HashValue>(ctx, key, 'hash');
  if (h === undefined) {
    h = new HashValue();
    ctx.db.set(key, h);
  }
  return h;
}

function hset(ctx: Ctx, argv: string[]): void {
  // HSET or HMSET, told apart by length rather than a lowercased copy per call.
  const hmset = argv[0]!.length === 5;
  if (argv.length % 2 === 1) fail(E.arity(hmset ? 'hmset' : 'hset'));
  const key = argv[1]!;
  const h = hashForWrite(ctx, key);
  const t = encodingThresholds(ctx.server.config);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(argv[i]!, shareShort(argv[i + 1]!), t)) created++;
  modified(ctx, key, (argv.length - 2) / 2);
  if (hmset) ctx.out.ok();
  else ctx.out.int(created);
}

function hsetnx(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const existing = writeObject<HashValue>(ctx, key, 'hash');
  if (existing !== undefined && existing.has(argv[2]!)) return ctx.out.int(0);
  hashForWrite(ctx, key).set(argv[2]!, argv[3]!, encodingThresholds(ctx.server.config));
  modified(ctx, key);
  ctx.out.int(1);
}

function hget(ctx: Ctx, argv: string[]): void {
  ctx.out.bulkOrNull(readHash(ctx, argv[1]!)?.get(argv[2]!));
}

function hmget(ctx: Ctx, argv: string[]): void {
  const h = readHash(ctx, argv[1]!);
  ctx.out.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.out.bulkOrNull(h?.get(argv[i]!));
}

function hdel(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const h = writeObject<HashValue>(ctx, key, 'hash');
  if (h === undefined) return ctx.out.int(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (h.delete(argv[i]!)) {
      deleted++;
      if (h.size() === 0) {
        ctx.db.delete(key);
        break;
      }
    }
  }
  if (deleted > 0) modified(ctx, key, deleted);
  ctx.out.int(deleted);
}

function hlen(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readHash(ctx, argv[1]!)?.size() ?? 0);
}

function hstrlen(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readHash(ctx, argv[1]!)?.get(argv[2]!)?.length ?? 0);
}

function hexists(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readHash(ctx, argv[1]!)?.has(argv[2]!) ? 1 : 0);
}

function hincrby(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const field = argv[2]!;
  const incr = int64Arg(argv[3]!);
  const existing = writeObject<HashValue>(ctx, key, 'hash');
  let value = 0n;
  const cur = existing?.get(field);
  if (cur !== undefined) {
    const n = parseInt64(cur);
    if (n === null) fail(E.hashValueNotInteger);
    value = n;
  }
  const next = value + incr;
  if (next > INT64_MAX || next < INT64_MIN) fail(E.overflow);
  const s = next.toString();
  (existing ?? hashForWrite(ctx, key)).set(field, s, encodingThresholds(ctx.server.config));
  modified(ctx, key);
  ctx.out.raw(`:${s}\r\n`);
}

function hincrbyfloat(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const field = argv[2]!;
  const incr = parseLongDouble(argv[3]!);
  if (incr === null) fail(E.notFloat);
  if (incr.kind === 'inf') fail(E.valueNaNOrInfinity);
  const existing = writeObject<HashValue>(ctx, key, 'hash');
  let value: LongDouble = incr;
  const cur = existing?.get(field);
  if (cur !== undefined) {
    const base = parseLongDouble(cur);
    if (base === null) fail(E.hashValueNotFloat);
    const sum = addLongDouble(base, incr);
    if (sum === null || sum.kind === 'inf') fail(E.incrFloatNaN);
    value = sum;
  }
  const s = formatLongDoubleHuman(value);
  (existing ?? hashForWrite(ctx, key)).set(field, s, encodingThresholds(ctx.server.config));
  modified(ctx, key);
  ctx.out.bulk(s);
}

type GetAllWhat = 'keys' | 'values' | 'both';

function hgetallFamily(what: GetAllWhat) {
  return (ctx: Ctx, argv: string[]): void => {
    const h = readHash(ctx, argv[1]!);
    const n = h?.size() ?? 0;
    if (what === 'both') ctx.out.map(n);
    else ctx.out.array(n);
    if (h === undefined) return;
    let s = '';
    if (what === 'keys') h.forEach((f) => (s += bulkOf(f)));
    else if (what === 'values') h.forEach((_f, v) => (s += bulkOf(v)));
    else h.forEach((f, v) => (s += bulkOf(f) + bulkOf(v)));
    ctx.out.raw(s);
  };
}

function hrandfield(ctx: Ctx, argv: string[]): void {
  if (argv.length === 2) {
    const h = readHash(ctx, argv[1]!);
    return ctx.out.bulkOrNull(h?.randomField());
  }
  const l = parseRandomCount(argv[2]!);
  let withValues = false;
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withvalues')) fail(E.syntax);
  if (argv.length === 4) {
    withValues = true;
    if (l < -LONG_MAX_HALF || l > LONG_MAX_HALF) fail(E.valueOutOfRange);
  }
  const h = readHash(ctx, argv[1]!);
  if (h === undefined || l === 0n) return ctx.out.array(0);
  const unique = l > 0n;
  const countBig = unique ? l : -l;
  const size = h.size();
  const nested = withValues && ctx.out.resp === 3;
  const pair = (f: string): string => (nested ? '*2\r\n' : '') + bulkOf(f) + (withValues ? bulkOf(h.get(f)!) : '');
  // The body is built before the header goes out, so that a failure while building it (a
  // count too large for memory) cannot leave a half-written reply.
  const reply = (n: number, body: string): void => {
    ctx.out.array(withValues && !nested ? n * 2 : n);
    ctx.out.raw(body);
  };
  let s = '';
  if (!unique || countBig === 1n) {
    // Repetitions allowed: the reply length is whatever was asked for.
    const count = Number(countBig);
    for (let i = 0; i < count; i++) s += pair(h.randomField());
    return reply(count, s);
  }
  if (countBig >= BigInt(size)) {
    h.forEach((f) => (s += pair(f)));
    return reply(size, s);
  }
  const count = Number(countBig);
  for (const f of distinctRandom(count, size, () => h.fields(), () => h.randomField())) s += pair(f);
  reply(count, s);
}

function hscan(ctx: Ctx, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]!);
  const h = readHash(ctx, argv[1]!);
  if (h === undefined) return ctx.out.raw('*2\r\n$1\r\n0\r\n*0\r\n');
  const { count, pattern } = parseScanOptions(argv, 3);
  const items: string[] = [];
  const next = h.scan(cursor, count, items);
  let s = '';
  let n = 0;
  for (let i = 0; i < items.length; i += 2) {
    if (pattern !== null && !globMatch(pattern, items[i]!)) continue;
    s += bulkOf(items[i]!) + bulkOf(items[i + 1]!);
    n += 2;
  }
  ctx.out.array(2);
  ctx.out.bulk(String(next));
  ctx.out.array(n);
  ctx.out.raw(s);
}

const key1 = { first: 1, last: 1, step: 1 };
const g = 'hash';

export const hashCommands: readonly CommandSpec[] = [
  { name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: key1, group: g, acl: ['write', 'hash', 'fast'], since: '2.0.0', handler: hset },
  { name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: key1, group: g, acl: ['write', 'hash', 'fast'], since: '2.0.0', handler: hset },
  { name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: key1, group: g, acl: ['write', 'hash', 'fast'], since: '2.0.0', handler: hsetnx },
  { name: 'hget', arity: 3, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'hash', 'fast'], since: '2.0.0', handler: hget },
  { name: 'hmget', arity: -3, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'hash', 'fast'], since: '2.0.0', handler: hmget },
  { name: 'hdel', arity: -3, flags: ['write', 'fast'], keys: key1, group: g, acl: ['write', 'hash', 'fast'], since: '2.0.0', handler: hdel },
  { name: 'hlen', arity: 2, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'hash', 'fast'], since: '2.0.0', handler: hlen },
  { name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'hash', 'fast'], since: '3.2.0', handler: hstrlen },
  { name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: key1, group: g, acl: ['write', 'hash', 'fast'], since: '2.0.0', handler: hincrby },
  { name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: key1, group: g, acl: ['write', 'hash', 'fast'], since: '2.6.0', handler: hincrbyfloat },
  { name: 'hkeys', arity: 2, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'hash', 'slow'], since: '2.0.0', handler: hgetallFamily('keys') },
  { name: 'hvals', arity: 2, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'hash', 'slow'], since: '2.0.0', handler: hgetallFamily('values') },
  { name: 'hgetall', arity: 2, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'hash', 'slow'], since: '2.0.0', handler: hgetallFamily('both') },
  { name: 'hexists', arity: 3, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'hash', 'fast'], since: '2.0.0', handler: hexists },
  { name: 'hrandfield', arity: -2, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'hash', 'slow'], since: '6.2.0', handler: hrandfield },
  { name: 'hscan', arity: -3, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'hash', 'slow'], since: '2.8.0', handler: hscan },
];
