// List commands (the non-blocking ones; BLPOP and friends are in list-blocking.ts), with Redis
// 7.0's argument order of checks, replies (RESP2 and RESP3) and error texts.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, intArg, parseInt64 } from './args.js';
import { modified, modifiedReady, readObject } from './access.js';
import { ListValue } from '../store/values/list.js';
import { shareShort } from '../store/shared-strings.js';
import { blockingListCommands } from './list-blocking.js';
import { bulkOf, clampSafe, dropIfEmpty, endArg, moveElement, mpopFrom, mpopKeys, parseMpop, popEnd, popRangeReply, writeList, rangeSpec, numkeysSpec, POP_SPEC, MOVE_SPECS, type End } from './list-ops.js';

function readList(ctx: Ctx, key: string): ListValue | undefined {
  return readObject<ListValue>(ctx, key, 'list');
}

// ---- push ------------------------------------------------------------------------------------

function push(end: End, onlyIfExists: boolean) {
  return (ctx: Ctx, argv: string[]): void => {
    const key = argv[1]!;
    let l = writeList(ctx, key);
    if (l === undefined) {
      if (onlyIfExists) return ctx.out.int(0);
      l = new ListValue(argv.length - 2);
      ctx.db.set(key, l);
    }
    if (end === 'LEFT') for (let i = 2; i < argv.length; i++) l.pushHead(shareShort(argv[i]!));
    else for (let i = 2; i < argv.length; i++) l.pushTail(shareShort(argv[i]!));
    modifiedReady(ctx, key, argv.length - 2);
    ctx.out.int(l.size());
  };
}

function linsert(ctx: Ctx, argv: string[]): void {
  const where = argv[2]!.toUpperCase();
  if (where !== 'BEFORE' && where !== 'AFTER') fail(E.syntax);
  const key = argv[1]!;
  const l = writeList(ctx, key);
  if (l === undefined) return ctx.out.int(0);
  const at = l.indexOf(argv[3]!);
  if (at === -1) return ctx.out.int(-1);
  l.insertAt(where === 'BEFORE' ? at : at + 1, argv[4]!);
  modified(ctx, key);
  ctx.out.int(l.size());
}

// ---- pop -------------------------------------------------------------------------------------

function pop(end: End) {
  return (ctx: Ctx, argv: string[]): void => {
    if (argv.length > 3) fail(E.arity(argv[0]!.toLowerCase()));
    const hasCount = argv.length === 3;
    let count = 1;
    if (hasCount) {
      const n = parseInt64(argv[2]!);
      if (n === null || n < 0n) fail(E.mustBePositive);
      count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
    }
    const key = argv[1]!;
    const l = writeList(ctx, key);
    if (l === undefined) return hasCount ? ctx.out.nullArray() : ctx.out.nullBulk();
    if (!hasCount) {
      ctx.out.bulk(popEnd(l, end));
      dropIfEmpty(ctx, key, l);
      modified(ctx, key);
      return;
    }
    if (count === 0) return ctx.out.array(0);
    popRangeReply(ctx, key, l, end, count);
  };
}

// ---- read ------------------------------------------------------------------------------------

function llen(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readList(ctx, argv[1]!)?.size() ?? 0);
}

function lindex(ctx: Ctx, argv: string[]): void {
  const l = readList(ctx, argv[1]!);
  if (l === undefined) return ctx.out.nullBulk();
  let i = intArg(argv[2]!);
  if (i < 0) i += l.size();
  if (i < 0 || i >= l.size()) return ctx.out.nullBulk();
  ctx.out.bulk(l.at(i));
}

function lrange(ctx: Ctx, argv: string[]): void {
  let start = intArg(argv[2]!);
  let end = intArg(argv[3]!);
  const l = readList(ctx, argv[1]!);
  if (l === undefined) return ctx.out.array(0);
  const len = l.size();
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return ctx.out.array(0);
  if (end >= len) end = len - 1;
  let s = `*${end - start + 1}\r\n`;
  for (let i = start; i <= end; i++) s += bulkOf(l.at(i));
  ctx.out.raw(s);
}

const LONG_MIN = -9223372036854775808n;

function lpos(ctx: Ctx, argv: string[]): void {
  const ele = argv[2]!;
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  let unbounded = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toUpperCase();
    const more = j + 1 < argv.length;
    if (opt === 'RANK' && more) {
      const r = parseInt64(argv[++j]!);
      if (r === null) fail(E.notInteger);
      if (r === 0n) fail(E.lposRankZero);
      // Redis 7.0 negates RANK in 64 bits: LLONG_MIN stays negative, so every match from the tail
      // qualifies and COUNT never stops the scan.
      unbounded = r === LONG_MIN;
      rank = unbounded ? -1 : clampSafe(r);
    } else if (opt === 'COUNT' && more) {
      const c = parseInt64(argv[++j]!);
      if (c === null || c < 0n) fail(E.lposCountNegative);
      count = clampSafe(c);
    } else if (opt === 'MAXLEN' && more) {
      const m = parseInt64(argv[++j]!);
      if (m === null || m < 0n) fail(E.lposMaxlenNegative);
      maxlen = clampSafe(m);
    } else fail(E.syntax);
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const l = readList(ctx, argv[1]!);
  if (l === undefined) return count !== -1 ? ctx.out.array(0) : ctx.out.nullBulk();
  const len = l.size();
  const found: number[] = [];
  let matches = 0;
  for (let n = 0; n < len && (maxlen === 0 || n < maxlen); n++) {
    const i = fromTail ? len - 1 - n : n;
    if (l.at(i) !== ele) continue;
    matches++;
    if (matches < rank) continue;
    found.push(i);
    if (count === -1 || (count !== 0 && !unbounded && found.length >= count)) break;
  }
  if (count === -1) return found.length === 0 ? ctx.out.nullBulk() : ctx.out.int(found[0]!);
  let s = `*${found.length}\r\n`;
  for (const i of found) s += `:${i}\r\n`;
  ctx.out.raw(s);
}

// ---- modify ----------------------------------------------------------------------------------

function lset(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const l = writeList(ctx, key);
  if (l === undefined) fail(E.noSuchKey);
  let i = intArg(argv[2]!);
  if (i < 0) i += l.size();
  if (i < 0 || i >= l.size()) fail(E.indexOutOfRange);
  l.set(i, argv[3]!);
  modified(ctx, key);
  ctx.out.ok();
}

function lrem(ctx: Ctx, argv: string[]): void {
  const count = intArg(argv[2]!);
  const key = argv[1]!;
  const l = writeList(ctx, key);
  if (l === undefined) return ctx.out.int(0);
  const removed = l.remove(argv[3]!, count);
  if (removed > 0) {
    dropIfEmpty(ctx, key, l);
    modified(ctx, key, removed);
  }
  ctx.out.int(removed);
}

function ltrim(ctx: Ctx, argv: string[]): void {
  let start = intArg(argv[2]!);
  let end = intArg(argv[3]!);
  const key = argv[1]!;
  const l = writeList(ctx, key);
  if (l === undefined) return ctx.out.ok();
  const len = l.size();
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  let fromHead: number;
  let fromTail: number;
  if (start > end || start >= len) {
    fromHead = len;
    fromTail = 0;
  } else {
    if (end >= len) end = len - 1;
    fromHead = start;
    fromTail = len - end - 1;
  }
  l.trim(fromHead, fromTail);
  dropIfEmpty(ctx, key, l);
  modified(ctx, key, fromHead + fromTail);
  ctx.out.ok();
}

// ---- move ------------------------------------------------------------------------------------

function lmoveGeneric(ctx: Ctx, src: string, dst: string, from: End, to: End): void {
  const l = writeList(ctx, src);
  if (l === undefined) return ctx.out.nullBulk();
  moveElement(ctx, src, l, dst, from, to);
}

function lmove(ctx: Ctx, argv: string[]): void {
  const from = endArg(argv[3]!);
  const to = endArg(argv[4]!);
  lmoveGeneric(ctx, argv[1]!, argv[2]!, from, to);
}

function rpoplpush(ctx: Ctx, argv: string[]): void {
  lmoveGeneric(ctx, argv[1]!, argv[2]!, 'RIGHT', 'LEFT');
}

// ---- LMPOP -----------------------------------------------------------------------------------

function lmpop(ctx: Ctx, argv: string[]): void {
  const a = parseMpop(argv, 1);
  for (const key of a.keys) {
    const l = writeList(ctx, key);
    if (l !== undefined) return mpopFrom(ctx, key, l, a.end, a.count);
  }
  ctx.out.nullArray();
}

// ---- table -----------------------------------------------------------------------------------

const g = 'list';
const key1 = { first: 1, last: 1, step: 1 };
const key2 = { first: 1, last: 2, step: 1 };
const wf = ['write', 'denyoom', 'fast'] as const;
const aclWF = ['write', 'list', 'fast'];
const aclWS = ['write', 'list', 'slow'];
const aclRS = ['read', 'list', 'slow'];
const INSERT = rangeSpec(['RW', 'insert'], 1);
const UPDATE = rangeSpec(['RW', 'update'], 1);
const DELETE = rangeSpec(['RW', 'delete'], 1);
const RO = rangeSpec(['RO'], 1);
const RO_ACCESS = rangeSpec(['RO', 'access'], 1);

export const listCommands: readonly CommandSpec[] = [
  { name: 'lpush', arity: -3, flags: wf, keys: key1, keySpecs: [INSERT], group: g, acl: aclWF, since: '1.0.0', handler: push('LEFT', false) },
  { name: 'rpush', arity: -3, flags: wf, keys: key1, keySpecs: [INSERT], group: g, acl: aclWF, since: '1.0.0', handler: push('RIGHT', false) },
  { name: 'lpushx', arity: -3, flags: wf, keys: key1, keySpecs: [INSERT], group: g, acl: aclWF, since: '2.2.0', handler: push('LEFT', true) },
  { name: 'rpushx', arity: -3, flags: wf, keys: key1, keySpecs: [INSERT], group: g, acl: aclWF, since: '2.2.0', handler: push('RIGHT', true) },
  { name: 'lpop', arity: -2, flags: ['write', 'fast'], keys: key1, keySpecs: [POP_SPEC], group: g, acl: aclWF, since: '1.0.0', handler: pop('LEFT') },
  { name: 'rpop', arity: -2, flags: ['write', 'fast'], keys: key1, keySpecs: [POP_SPEC], group: g, acl: aclWF, since: '1.0.0', handler: pop('RIGHT') },
  { name: 'llen', arity: 2, flags: ['readonly', 'fast'], keys: key1, keySpecs: [RO], group: g, acl: ['read', 'list', 'fast'], since: '1.0.0', handler: llen },
  { name: 'lrange', arity: 4, flags: ['readonly'], keys: key1, keySpecs: [RO_ACCESS], group: g, acl: aclRS, since: '1.0.0', handler: lrange },
  { name: 'lindex', arity: 3, flags: ['readonly'], keys: key1, keySpecs: [RO_ACCESS], group: g, acl: aclRS, since: '1.0.0', handler: lindex },
  { name: 'lset', arity: 4, flags: ['write', 'denyoom'], keys: key1, keySpecs: [UPDATE], group: g, acl: aclWS, since: '1.0.0', handler: lset },
  { name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keys: key1, keySpecs: [INSERT], group: g, acl: aclWS, since: '2.2.0', handler: linsert },
  { name: 'lrem', arity: 4, flags: ['write'], keys: key1, keySpecs: [DELETE], group: g, acl: aclWS, since: '1.0.0', handler: lrem },
  { name: 'ltrim', arity: 4, flags: ['write'], keys: key1, keySpecs: [DELETE], group: g, acl: aclWS, since: '1.0.0', handler: ltrim },
  { name: 'lpos', arity: -3, flags: ['readonly'], keys: key1, keySpecs: [RO_ACCESS], group: g, acl: aclRS, since: '6.0.6', handler: lpos },
  { name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keys: key2, keySpecs: MOVE_SPECS, group: g, acl: aclWS, since: '1.2.0', handler: rpoplpush },
  { name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keys: key2, keySpecs: MOVE_SPECS, group: g, acl: aclWS, since: '6.2.0', handler: lmove },
  { name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], keysOf: mpopKeys(1), keySpecs: [numkeysSpec(1)], group: g, acl: aclWS, since: '7.0.0', handler: lmpop },
  ...blockingListCommands,
];
