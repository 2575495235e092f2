// Generic keyspace commands.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, int64Arg, parseIntStrict } from './args.js';
import { modified, modifiedReady } from './access.js';
import { typeOf, type StoredValue } from '../store/values/object.js';
import type { Db } from '../store/keyspace.js';
import { objectCommands } from './object.js';
import { expireKeyAt } from './expire-args.js';
import { globMatch } from '../../common/glob.js';

function del(ctx: Ctx, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const k = argv[i]!;
    if (ctx.db.get(k, ctx.now) !== undefined && ctx.db.delete(k)) {
      modified(ctx, k);
      n++;
    }
  }
  ctx.out.int(n);
}

function exists(ctx: Ctx, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.db.exists(argv[i]!, ctx.now)) n++;
  ctx.out.int(n);
}

function type(ctx: Ctx, argv: string[]): void {
  const v = ctx.db.peek(argv[1]!, ctx.now);
  ctx.out.simple(v === undefined ? 'none' : typeOf(v));
}

type Cond = 'NX' | 'XX' | 'GT' | 'LT' | null;

function expireGeneric(unit: 'EX' | 'PX' | 'EXAT' | 'PXAT', cmd: string) {
  return (ctx: Ctx, argv: string[]): void => {
    const key = argv[1]!;
    const raw = int64Arg(argv[2]!);
    let nx = false, xx = false, gt = false, lt = false;
    for (let i = 3; i < argv.length; i++) {
      const o = argv[i]!.toUpperCase();
      if (o === 'NX') nx = true;
      else if (o === 'XX') xx = true;
      else if (o === 'GT') gt = true;
      else if (o === 'LT') lt = true;
      else fail(`ERR Unsupported option ${argv[i]}`);
    }
    if (nx && (xx || gt || lt)) fail('ERR NX and XX, GT or LT options at the same time are not compatible');
    if (gt && lt) fail('ERR GT and LT options at the same time are not compatible');
    const seconds = unit === 'EX' || unit === 'EXAT';
    const MAX = 9223372036854775807n;
    if (seconds && (raw > MAX / 1000n || raw < -MAX / 1000n)) fail(E.invalidExpire(cmd));
    let ms = seconds ? raw * 1000n : raw;
    if (unit === 'EX' || unit === 'PX') {
      if ((ms > 0n && ms > MAX - BigInt(ctx.now)) || (ms < 0n && ms < -MAX + BigInt(ctx.now))) fail(E.invalidExpire(cmd));
      ms += BigInt(ctx.now);
    }
    if (ctx.db.get(key, ctx.now) === undefined) return ctx.out.int(0);
    const at = Number(ms);
    const cur = ctx.db.getExpire(key);
    const cond: Cond = nx ? 'NX' : xx ? 'XX' : gt ? 'GT' : lt ? 'LT' : null;
    if (cond === 'NX' && cur !== undefined) return ctx.out.int(0);
    if (cond === 'XX' && cur === undefined) return ctx.out.int(0);
    // A key without TTL counts as an infinite TTL for GT/LT.
    if (cond === 'GT' && (cur === undefined || at <= cur)) return ctx.out.int(0);
    if (cond === 'LT' && cur !== undefined && at >= cur) return ctx.out.int(0);
    expireKeyAt(ctx, key, at);
    modified(ctx, key);
    ctx.out.int(1);
  };
}

function ttlGeneric(kind: 'ttl' | 'pttl' | 'expiretime' | 'pexpiretime') {
  return (ctx: Ctx, argv: string[]): void => {
    if (ctx.db.peek(argv[1]!, ctx.now) === undefined) return ctx.out.int(-2);
    const at = ctx.db.getExpire(argv[1]!);
    if (at === undefined) return ctx.out.int(-1);
    switch (kind) {
      case 'ttl':
        return ctx.out.int(Math.round(Math.max(0, at - ctx.now) / 1000));
      case 'pttl':
        return ctx.out.int(Math.max(0, at - ctx.now));
      case 'expiretime':
        return ctx.out.int(Math.floor(at / 1000));
      case 'pexpiretime':
        return ctx.out.int(at);
    }
  };
}

function persist(ctx: Ctx, argv: string[]): void {
  if (ctx.db.get(argv[1]!, ctx.now) === undefined) return ctx.out.int(0);
  const done = ctx.db.persist(argv[1]!);
  if (done) modified(ctx, argv[1]!);
  ctx.out.int(done ? 1 : 0);
}

function keys(ctx: Ctx, argv: string[]): void {
  const pattern = argv[1]!;
  const all = pattern === '*';
  const out: string[] = [];
  for (const [k] of ctx.db.entries()) {
    const at = ctx.db.getExpire(k);
    if (at !== undefined && at <= ctx.now) continue;
    if (all || globMatch(pattern, k)) out.push(k);
  }
  ctx.out.bulks(out);
}

/**
 * SCAN walks slots in order and returns whole slots, so the cursor is the next slot to visit:
 * every key present for the whole iteration is returned, whatever is added or removed meanwhile.
 */
function scan(ctx: Ctx, argv: string[]): void {
  const cursor = parseScanCursor(argv[1]!);
  let count = 10;
  let pattern: string | null = null;
  let wantType: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const o = argv[i]!.toUpperCase();
    if (o === 'COUNT' && i + 1 < argv.length) {
      const c = Number(argv[++i]);
      if (!/^-?\d+$/.test(argv[i]!)) fail(E.notInteger);
      if (c < 1) fail(E.syntax);
      count = c;
    } else if (o === 'MATCH' && i + 1 < argv.length) {
      pattern = argv[++i]!;
      if (pattern === '*') pattern = null;
    } else if (o === 'TYPE' && i + 1 < argv.length) wantType = argv[++i]!.toLowerCase();
    else fail(E.syntax);
  }
  const out: string[] = [];
  let slot = cursor;
  while (slot < 16384 && out.length < count) {
    slot = ctx.db.nextNonEmptySlot(slot);
    if (slot === -1) {
      slot = 16384;
      break;
    }
    for (const k of ctx.db.slotKeys(slot)!) {
      const at = ctx.db.getExpire(k);
      if (at !== undefined && at <= ctx.now) continue;
      if (pattern !== null && !globMatch(pattern, k)) continue;
      if (wantType !== null && typeOf(ctx.db.rawGet(k)!) !== wantType) continue;
      out.push(k);
    }
    slot++;
  }
  ctx.out.array(2);
  ctx.out.bulk(slot >= 16384 ? '0' : String(slot));
  ctx.out.bulks(out);
}

const MAX_U64 = 18446744073709551615n;

/**
 * The SCAN cursor as Redis's strtoul reads it (an optional sign, then digits; "-1" wraps), mapped
 * to our slot cursor: anything past the last slot ends the iteration.
 */
function parseScanCursor(arg: string): number {
  if (!/^[+-]?\d+$/.test(arg)) fail('ERR invalid cursor');
  const neg = arg.startsWith('-');
  const mag = BigInt(neg || arg.startsWith('+') ? arg.slice(1) : arg);
  if (mag > MAX_U64) fail('ERR invalid cursor');
  if (neg && mag !== 0n) return 16384;
  return mag >= 16384n ? 16384 : Number(mag);
}

function randomkey(ctx: Ctx): void {
  for (let i = 0; i < 100; i++) {
    const k = ctx.db.randomKey();
    if (k === undefined) break;
    if (ctx.db.get(k, ctx.now) !== undefined) return ctx.out.bulk(k);
  }
  ctx.out.nullBulk();
}

/** Stores value under dst with an optional expiry, replacing what was there. */
function store(db: Db, key: string, value: StoredValue, expireAt: number | undefined): void {
  db.set(key, value);
  if (expireAt !== undefined) db.setExpire(key, expireAt);
}

function renameGeneric(nx: boolean) {
  return (ctx: Ctx, argv: string[]): void => {
    const src = argv[1]!;
    const dst = argv[2]!;
    const v = ctx.db.get(src, ctx.now);
    if (v === undefined) fail(E.noSuchKey);
    if (src === dst) return nx ? ctx.out.int(0) : ctx.out.ok();
    if (nx && ctx.db.get(dst, ctx.now) !== undefined) return ctx.out.int(0);
    const at = ctx.db.getExpire(src);
    const enc = ctx.db.stringEncodingOf(src);
    ctx.db.delete(src);
    if (ctx.db.get(dst, ctx.now) !== undefined) ctx.db.delete(dst);
    store(ctx.db, dst, v, at);
    // The value object moves as it is, encoding included.
    if (enc !== undefined) ctx.db.setStringEncoding(dst, enc);
    modified(ctx, src);
    modifiedReady(ctx, dst);
    return nx ? ctx.out.int(1) : ctx.out.ok();
  };
}

function dbIndexArg(ctx: Ctx, arg: string): Db {
  const n = parseIntStrict(arg);
  if (n === null) fail(E.notInteger);
  const db = ctx.server.dbs[n];
  if (n < 0 || db === undefined) fail(E.dbIndexOutOfRange);
  return db;
}

function copyValue(v: StoredValue): StoredValue {
  return typeof v === 'string' ? v : v.clone();
}

function copy(ctx: Ctx, argv: string[]): void {
  const src = argv[1]!;
  const dst = argv[2]!;
  let target = ctx.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const o = argv[i]!.toUpperCase();
    if (o === 'REPLACE') replace = true;
    else if (o === 'DB' && i + 1 < argv.length) {
      if (ctx.server.clusterEnabled) fail(E.copyDbCluster);
      target = dbIndexArg(ctx, argv[++i]!);
    } else fail(E.syntax);
  }
  if (src === dst && target === ctx.db) fail(E.sameObject);
  const v = ctx.db.get(src, ctx.now);
  if (v === undefined) return ctx.out.int(0);
  if (target.get(dst, ctx.now) !== undefined) {
    if (!replace) return ctx.out.int(0);
    target.delete(dst);
  }
  store(target, dst, copyValue(v), ctx.db.getExpire(src));
  const enc = ctx.db.stringEncodingOf(src);
  if (enc !== undefined) target.setStringEncoding(dst, enc);
  ctx.server.touchWatched(target.index, dst);
  ctx.server.blocking.signalReady(target.index, dst);
  ctx.server.dirty++;
  ctx.out.int(1);
}

function move(ctx: Ctx, argv: string[]): void {
  if (ctx.server.clusterEnabled) fail(E.moveCluster);
  const key = argv[1]!;
  const target = dbIndexArg(ctx, argv[2]!);
  if (target === ctx.db) fail(E.sameObject);
  const v = ctx.db.get(key, ctx.now);
  if (v === undefined || target.get(key, ctx.now) !== undefined) return ctx.out.int(0);
  const at = ctx.db.getExpire(key);
  const enc = ctx.db.stringEncodingOf(key);
  ctx.db.delete(key);
  store(target, key, v, at);
  if (enc !== undefined) target.setStringEncoding(key, enc);
  modified(ctx, key);
  ctx.server.touchWatched(target.index, key);
  ctx.server.blocking.signalReady(target.index, key);
  ctx.out.int(1);
}

function swapdb(ctx: Ctx, argv: string[]): void {
  const srv = ctx.server;
  if (srv.clusterEnabled) fail(E.swapdbCluster);
  const a = parseIntStrict(argv[1]!);
  if (a === null) fail(E.swapdbFirst);
  const b = parseIntStrict(argv[2]!);
  if (b === null) fail(E.swapdbSecond);
  const da = srv.dbs[a];
  const dbb = srv.dbs[b];
  if (a < 0 || b < 0 || da === undefined || dbb === undefined) fail(E.dbIndexOutOfRange);
  if (a !== b) {
    srv.watches.touchDb(da, dbb);
    srv.watches.touchDb(dbb, da);
    da.swapContents(dbb);
    // Clients blocked on keys of either database may now find data.
    srv.blocking.signalWaitedKeys(da.index);
    srv.blocking.signalWaitedKeys(dbb.index);
    srv.dirty++;
  }
  ctx.out.ok();
}

function touch(ctx: Ctx, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.db.get(argv[i]!, ctx.now) !== undefined) n++;
  ctx.out.int(n);
}

const key1 = { first: 1, last: 1, step: 1 };

export const keyCommands: readonly CommandSpec[] = [
  { name: 'del', arity: -2, flags: ['write'], keys: { first: 1, last: -1, step: 1 }, group: 'generic', handler: del },
  { name: 'unlink', arity: -2, flags: ['write', 'fast'], keys: { first: 1, last: -1, step: 1 }, group: 'generic', handler: del },
  { name: 'exists', arity: -2, flags: ['readonly', 'fast'], keys: { first: 1, last: -1, step: 1 }, group: 'generic', handler: exists },
  { name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: key1, group: 'generic', handler: type },
  { name: 'expire', arity: -3, flags: ['write', 'fast'], keys: key1, group: 'generic', handler: expireGeneric('EX', 'expire') },
  { name: 'pexpire', arity: -3, flags: ['write', 'fast'], keys: key1, group: 'generic', handler: expireGeneric('PX', 'pexpire') },
  { name: 'expireat', arity: -3, flags: ['write', 'fast'], keys: key1, group: 'generic', handler: expireGeneric('EXAT', 'expireat') },
  { name: 'pexpireat', arity: -3, flags: ['write', 'fast'], keys: key1, group: 'generic', handler: expireGeneric('PXAT', 'pexpireat') },
  { name: 'ttl', arity: 2, flags: ['readonly', 'fast'], keys: key1, group: 'generic', handler: ttlGeneric('ttl') },
  { name: 'pttl', arity: 2, flags: ['readonly', 'fast'], keys: key1, group: 'generic', handler: ttlGeneric('pttl') },
  { name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], keys: key1, group: 'generic', handler: ttlGeneric('expiretime') },
  { name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], keys: key1, group: 'generic', handler: ttlGeneric('pexpiretime') },
  { name: 'persist', arity: 2, flags: ['write', 'fast'], keys: key1, group: 'generic', handler: persist },
  { name: 'keys', arity: 2, flags: ['readonly'], group: 'generic', handler: keys },
  { name: 'scan', arity: -2, flags: ['readonly'], group: 'generic', handler: scan },
  { name: 'rename', arity: 3, flags: ['write'], keys: { first: 1, last: 2, step: 1 }, group: 'generic', summary: 'Rename a key', since: '1.0.0', handler: renameGeneric(false) },
  { name: 'renamenx', arity: 3, flags: ['write', 'fast'], keys: { first: 1, last: 2, step: 1 }, group: 'generic', summary: 'Rename a key, only if the new key does not exist', since: '1.0.0', handler: renameGeneric(true) },
  { name: 'copy', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: 2, step: 1 }, group: 'generic', summary: 'Copy a key', since: '6.2.0', handler: copy },
  { name: 'move', arity: 3, flags: ['write', 'fast'], keys: key1, group: 'generic', summary: 'Move a key to another database', since: '1.0.0', handler: move },
  { name: 'swapdb', arity: 3, flags: ['write', 'fast'], group: 'server', summary: 'Swap two Redis databases', since: '4.0.0', handler: swapdb },
  { name: 'touch', arity: -2, flags: ['readonly', 'fast'], keys: { first: 1, last: -1, step: 1 }, group: 'generic', summary: 'Alter the last access time of keys', since: '3.2.1', handler: touch },
  ...objectCommands,
  { name: 'randomkey', arity: 1, flags: ['readonly'], group: 'generic', handler: randomkey },
];
