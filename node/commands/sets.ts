// Set commands, with Redis 7.0's replies (RESP2 and RESP3) and error texts.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';
import { modified, readObject, writeObject } from './access.js';
import { encodingThresholds } from './thresholds.js';
import { parseScanCursor, parseScanOptions } from './scan-args.js';
import { distinctRandom, parseRandomCount } from './random-count.js';
import { SetValue } from '../store/values/set.js';
import { globMatch } from '../../common/glob.js';

/** SPOP switches to "choose who stays" when fewer than count/5 members would remain. */
const SPOP_MOVE_STRATEGY_MUL = 5;

function bulkOf(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

function readSet(ctx: Ctx, key: string): SetValue | undefined {
  return readObject<SetValue>(ctx, key, 'set');
}

/** Replies with members as a set (RESP3 `~`, RESP2 array). */
function replySet(ctx: Ctx, n: number, members: Iterable<string>): void {
  ctx.out.set(n);
  let s = '';
  for (const m of members) s += bulkOf(m);
  ctx.out.raw(s);
}

function replyArray(ctx: Ctx, members: readonly string[]): void {
  ctx.out.array(members.length);
  let s = '';
  for (const m of members) s += bulkOf(m);
  ctx.out.raw(s);
}

function sadd(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  let set = writeObject<SetValue>(ctx, key, 'set');
  if (set === undefined) {
    set = new SetValue();
    ctx.db.set(key, set);
  }
  const t = encodingThresholds(ctx.server.config);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!, t)) added++;
  if (added > 0) modified(ctx, key, added);
  ctx.out.int(added);
}

function srem(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const set = writeObject<SetValue>(ctx, key, 'set');
  if (set === undefined) return ctx.out.int(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (set.remove(argv[i]!)) {
      deleted++;
      if (set.size() === 0) {
        ctx.db.delete(key);
        break;
      }
    }
  }
  if (deleted > 0) modified(ctx, key, deleted);
  ctx.out.int(deleted);
}

function smove(ctx: Ctx, argv: string[]): void {
  const srcKey = argv[1]!;
  const dstKey = argv[2]!;
  const member = argv[3]!;
  const src = ctx.db.get(srcKey, ctx.now);
  const dst = ctx.db.get(dstKey, ctx.now);
  if (src === undefined) return ctx.out.int(0);
  if (typeof src === 'string' || src.type !== 'set') fail(E.wrongType);
  if (dst !== undefined && (typeof dst === 'string' || dst.type !== 'set')) fail(E.wrongType);
  const srcSet = src as SetValue;
  if (src === dst) return ctx.out.int(srcSet.has(member) ? 1 : 0);
  if (!srcSet.remove(member)) return ctx.out.int(0);
  if (srcSet.size() === 0) ctx.db.delete(srcKey);
  modified(ctx, srcKey);
  let dstSet = dst as SetValue | undefined;
  if (dstSet === undefined) {
    dstSet = new SetValue();
    ctx.db.set(dstKey, dstSet);
  }
  if (dstSet.add(member, encodingThresholds(ctx.server.config))) modified(ctx, dstKey);
  ctx.out.int(1);
}

function sismember(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readSet(ctx, argv[1]!)?.has(argv[2]!) ? 1 : 0);
}

function smismember(ctx: Ctx, argv: string[]): void {
  const set = readSet(ctx, argv[1]!);
  let s = `*${argv.length - 2}\r\n`;
  for (let i = 2; i < argv.length; i++) s += set?.has(argv[i]!) ? ':1\r\n' : ':0\r\n';
  ctx.out.raw(s);
}

function scard(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readSet(ctx, argv[1]!)?.size() ?? 0);
}

function spop(ctx: Ctx, argv: string[]): void {
  if (argv.length > 3) fail(E.syntax);
  const key = argv[1]!;
  if (argv.length === 3) return spopCount(ctx, key, argv[2]!);
  const set = writeObject<SetValue>(ctx, key, 'set');
  if (set === undefined) return ctx.out.nullBulk();
  const m = set.randomMember();
  set.remove(m);
  if (set.size() === 0) ctx.db.delete(key);
  modified(ctx, key);
  ctx.out.bulk(m);
}

function spopCount(ctx: Ctx, key: string, countArg: string): void {
  const l = parseInt64(countArg);
  if (l === null || l < 0n) fail(E.mustBePositive);
  const set = writeObject<SetValue>(ctx, key, 'set');
  if (set === undefined || l === 0n) return ctx.out.set(0);
  const size = set.size();
  if (l >= BigInt(size)) {
    replySet(ctx, size, set.values());
    ctx.db.delete(key);
    modified(ctx, key, size);
    return;
  }
  const count = Number(l);
  const remaining = size - count;
  let popped: string[];
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    popped = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const m = set.randomMember();
      set.remove(m);
      popped[i] = m;
    }
  } else {
    // Few members stay: choose those, and pop everything else in iteration order.
    const keep = new Set(distinctRandom(remaining, size, () => [...set.values()], () => set.randomMember()));
    popped = [];
    for (const m of set.values()) if (!keep.has(m)) popped.push(m);
    for (const m of popped) set.remove(m);
    set.reencodeAfterBulkPop(encodingThresholds(ctx.server.config));
  }
  modified(ctx, key, count);
  replySet(ctx, count, popped);
}

function srandmember(ctx: Ctx, argv: string[]): void {
  if (argv.length > 3) fail(E.syntax);
  if (argv.length === 2) return ctx.out.bulkOrNull(readSet(ctx, argv[1]!)?.randomMember());
  const l = parseRandomCount(argv[2]!);
  const set = readSet(ctx, argv[1]!);
  if (set === undefined || l === 0n) return ctx.out.array(0);
  const size = set.size();
  if (l < 0n || l === 1n) {
    const count = Number(l < 0n ? -l : l);
    // Body first: a count too large for memory must not leave a half-written reply.
    let s = '';
    for (let i = 0; i < count; i++) s += bulkOf(set.randomMember());
    ctx.out.array(count);
    return ctx.out.raw(s);
  }
  if (l >= BigInt(size)) return replyArray(ctx, [...set.values()]);
  replyArray(ctx, distinctRandom(Number(l), size, () => [...set.values()], () => set.randomMember()));
}

/** Looks up every source set; missing keys are null, another type is WRONGTYPE. */
function lookupSets(ctx: Ctx, keys: readonly string[]): (SetValue | null)[] {
  const out: (SetValue | null)[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = readSet(ctx, keys[i]!) ?? null;
  return out;
}

/** Stores a computed set at dst (replacing any value and TTL), or deletes dst when empty. */
function storeResult(ctx: Ctx, dst: string, result: SetValue): void {
  const n = result.size();
  if (n > 0) {
    ctx.db.set(dst, result);
    modified(ctx, dst);
  } else if (ctx.db.get(dst, ctx.now) !== undefined) {
    ctx.db.delete(dst);
    modified(ctx, dst);
  }
  ctx.out.int(n);
}

/** SINTER, SMEMBERS, SINTERSTORE and SINTERCARD. */
function interGeneric(ctx: Ctx, keys: readonly string[], dst: string | null, cardOnly: boolean, limit: number): void {
  const found = lookupSets(ctx, keys);
  if (found.includes(null)) {
    if (dst !== null) storeResult(ctx, dst, new SetValue());
    else if (cardOnly) ctx.out.int(0);
    else ctx.out.set(0);
    return;
  }
  if (found.length === 1 && dst === null && !cardOnly) {
    // SMEMBERS, or SINTER of one key: the set itself, without an intermediate copy.
    const only = found[0]!;
    return replySet(ctx, only.size(), only.values());
  }
  // Smallest first (a stable sort, like glibc's qsort), so the scan is over the fewest members.
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size() - b.size());
  const first = sets[0]!;
  const result: string[] = [];
  let card = 0;
  outer: for (const m of first.values()) {
    for (let j = 1; j < sets.length; j++) {
      const s = sets[j]!;
      if (s !== first && !s.has(m)) continue outer;
    }
    if (cardOnly) {
      card++;
      if (limit > 0 && card >= limit) break;
    } else result.push(m);
  }
  if (cardOnly) return ctx.out.int(card);
  if (dst !== null) {
    const t = encodingThresholds(ctx.server.config);
    const out = new SetValue();
    for (const m of result) out.add(m, t);
    return storeResult(ctx, dst, out);
  }
  replySet(ctx, result.length, result);
}

/** SUNION, SDIFF and their STORE forms: the result is built as a set, as Redis does. */
function unionDiffGeneric(ctx: Ctx, keys: readonly string[], dst: string | null, op: 'union' | 'diff'): void {
  const sets = lookupSets(ctx, keys);
  const t = encodingThresholds(ctx.server.config);
  const result = new SetValue();
  if (op === 'union') {
    for (const s of sets) if (s !== null) for (const m of s.values()) result.add(m, t);
  } else {
    const first = sets[0]!;
    // A repeat of the first key subtracts everything.
    const sameSet = first !== null && sets.some((s, i) => i > 0 && s === first);
    if (first !== null && !sameSet) {
      outer: for (const m of first.values()) {
        for (let j = 1; j < sets.length; j++) if (sets[j]?.has(m)) continue outer;
        result.add(m, t);
      }
    }
  }
  if (dst !== null) return storeResult(ctx, dst, result);
  replySet(ctx, result.size(), result.values());
}

function sintercard(ctx: Ctx, argv: string[]): void {
  const numkeys = parseInt64(argv[1]!);
  if (numkeys === null || numkeys < 1n) fail(E.numkeysPositive);
  if (numkeys > BigInt(argv.length - 2)) fail(E.numkeysTooMany);
  const n = Number(numkeys);
  let limit = 0;
  for (let j = 2 + n; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'limit' && j + 1 < argv.length) {
      const l = parseInt64(argv[++j]!);
      if (l === null || l < 0n) fail(E.limitNegative);
      limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(l);
    } else fail(E.syntax);
  }
  interGeneric(ctx, argv.slice(2, 2 + n), null, true, limit);
}

/** Key positions of SINTERCARD for routing: none when numkeys is unusable (the command fails). */
function sintercardKeys(argv: readonly string[]): number[] {
  const n = Number.parseInt(argv[1] ?? '', 10);
  if (!(n >= 1) || n > argv.length - 2) return [];
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 + i;
  return out;
}

function sscan(ctx: Ctx, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]!);
  const set = readSet(ctx, argv[1]!);
  if (set === undefined) return ctx.out.raw('*2\r\n$1\r\n0\r\n*0\r\n');
  const { count, pattern } = parseScanOptions(argv, 3);
  const items: string[] = [];
  const next = set.scan(cursor, count, items);
  const shown = pattern === null ? items : items.filter((m) => globMatch(pattern, m));
  ctx.out.array(2);
  ctx.out.bulk(String(next));
  replyArray(ctx, shown);
}

const key1 = { first: 1, last: 1, step: 1 };
const allKeys = { first: 1, last: -1, step: 1 };
const g = 'set';

export const setCommands: readonly CommandSpec[] = [
  { name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: key1, group: g, acl: ['write', 'set', 'fast'], since: '1.0.0', handler: sadd },
  { name: 'srem', arity: -3, flags: ['write', 'fast'], keys: key1, group: g, acl: ['write', 'set', 'fast'], since: '1.0.0', handler: srem },
  { name: 'smove', arity: 4, flags: ['write', 'fast'], keys: { first: 1, last: 2, step: 1 }, group: g, acl: ['write', 'set', 'fast'], since: '1.0.0', handler: smove },
  { name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'set', 'fast'], since: '1.0.0', handler: sismember },
  { name: 'smismember', arity: -3, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'set', 'fast'], since: '6.2.0', handler: smismember },
  { name: 'scard', arity: 2, flags: ['readonly', 'fast'], keys: key1, group: g, acl: ['read', 'set', 'fast'], since: '1.0.0', handler: scard },
  { name: 'smembers', arity: 2, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'set', 'slow'], since: '1.0.0', handler: (c, a) => interGeneric(c, [a[1]!], null, false, 0) },
  { name: 'spop', arity: -2, flags: ['write', 'fast'], keys: key1, group: g, acl: ['write', 'set', 'fast'], since: '1.0.0', handler: spop },
  { name: 'srandmember', arity: -2, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'set', 'slow'], since: '1.0.0', handler: srandmember },
  { name: 'sinter', arity: -2, flags: ['readonly'], keys: allKeys, group: g, acl: ['read', 'set', 'slow'], since: '1.0.0', handler: (c, a) => interGeneric(c, a.slice(1), null, false, 0) },
  { name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], keysOf: sintercardKeys, group: g, acl: ['read', 'set', 'slow'], since: '7.0.0', handler: sintercard },
  { name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], keys: allKeys, group: g, acl: ['write', 'set', 'slow'], since: '1.0.0', handler: (c, a) => interGeneric(c, a.slice(2), a[1]!, false, 0) },
  { name: 'sunion', arity: -2, flags: ['readonly'], keys: allKeys, group: g, acl: ['read', 'set', 'slow'], since: '1.0.0', handler: (c, a) => unionDiffGeneric(c, a.slice(1), null, 'union') },
  { name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], keys: allKeys, group: g, acl: ['write', 'set', 'slow'], since: '1.0.0', handler: (c, a) => unionDiffGeneric(c, a.slice(2), a[1]!, 'union') },
  { name: 'sdiff', arity: -2, flags: ['readonly'], keys: allKeys, group: g, acl: ['read', 'set', 'slow'], since: '1.0.0', handler: (c, a) => unionDiffGeneric(c, a.slice(1), null, 'diff') },
  { name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], keys: allKeys, group: g, acl: ['write', 'set', 'slow'], since: '1.0.0', handler: (c, a) => unionDiffGeneric(c, a.slice(2), a[1]!, 'diff') },
  { name: 'sscan', arity: -3, flags: ['readonly'], keys: key1, group: g, acl: ['read', 'set', 'slow'], since: '2.8.0', handler: sscan },
];
