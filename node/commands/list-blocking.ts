// Blocking list commands: BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP. Each first acts like its
// non-blocking form on the first key that holds a list; with nothing to pop it blocks (inside
// EXEC it replies as a timeout at once). A waiting client is served from the key that got data,
// exactly as Redis 7.0 serves it, and its write is propagated as the non-blocking command.
import type { CommandSpec, Ctx } from './types.js';
import { modified, propagateAs } from './access.js';
import { blockClient } from './block.js';
import { timeoutArg } from './timeout-arg.js';
import type { ListValue } from '../store/values/list.js';
import { dropIfEmpty, endArg, moveElement, mpopFrom, mpopKeys, parseMpop, popEnd, writeList, rangeSpec, numkeysSpec, MOVE_SPECS, type End } from './list-ops.js';

/** The list now at key for a waiting client, or undefined if the key holds something else. */
function listToServe(ctx: Ctx, key: string): ListValue | undefined {
  const v = ctx.db.get(key, ctx.now);
  return v !== undefined && typeof v !== 'string' && v.type === 'list' ? (v as ListValue) : undefined;
}

/** Replies [key, element] popping one element; propagated as LPOP/RPOP key. */
function popWithKey(ctx: Ctx, key: string, l: ListValue, end: End): void {
  const v = popEnd(l, end);
  ctx.out.array(2);
  ctx.out.bulk(key);
  ctx.out.bulk(v);
  dropIfEmpty(ctx, key, l);
  modified(ctx, key);
  propagateAs(ctx, [end === 'LEFT' ? 'LPOP' : 'RPOP', key]);
}

function bpop(end: End) {
  return (ctx: Ctx, argv: string[]): void => {
    const deadline = timeoutArg(argv[argv.length - 1]!, ctx.now);
    const keys = argv.slice(1, -1);
    for (const key of keys) {
      const l = writeList(ctx, key);
      if (l !== undefined) return popWithKey(ctx, key, l, end);
    }
    if (ctx.denyBlocking) return ctx.out.nullArray();
    blockClient(ctx, {
      keys,
      deadline,
      serve: (c, key) => {
        const l = listToServe(c, key);
        if (l === undefined) return false;
        popWithKey(c, key, l, end);
        return true;
      },
    });
  };
}

function blmoveGeneric(ctx: Ctx, src: string, dst: string, from: End, to: End, deadline: number, asCommand: string[]): void {
  const l = writeList(ctx, src);
  if (l !== undefined) {
    moveElement(ctx, src, l, dst, from, to);
    propagateAs(ctx, asCommand);
    return;
  }
  if (ctx.denyBlocking) return ctx.out.nullBulk();
  blockClient(ctx, {
    keys: [src],
    deadline,
    alsoWrites: [dst],
    serve: (c, key) => {
      const sl = listToServe(c, key);
      if (sl === undefined) return false;
      moveElement(c, src, sl, dst, from, to);
      propagateAs(c, asCommand);
      return true;
    },
  });
}

function blmove(ctx: Ctx, argv: string[]): void {
  const from = endArg(argv[3]!);
  const to = endArg(argv[4]!);
  const deadline = timeoutArg(argv[5]!, ctx.now);
  blmoveGeneric(ctx, argv[1]!, argv[2]!, from, to, deadline, ['LMOVE', argv[1]!, argv[2]!, from, to]);
}

function brpoplpush(ctx: Ctx, argv: string[]): void {
  const deadline = timeoutArg(argv[3]!, ctx.now);
  blmoveGeneric(ctx, argv[1]!, argv[2]!, 'RIGHT', 'LEFT', deadline, ['RPOPLPUSH', argv[1]!, argv[2]!]);
}

function blmpop(ctx: Ctx, argv: string[]): void {
  const a = parseMpop(argv, 2);
  const deadline = timeoutArg(argv[1]!, ctx.now);
  for (const key of a.keys) {
    const l = writeList(ctx, key);
    if (l !== undefined) return mpopFrom(ctx, key, l, a.end, a.count);
  }
  if (ctx.denyBlocking) return ctx.out.nullArray();
  blockClient(ctx, {
    keys: a.keys,
    deadline,
    serve: (c, key) => {
      const l = listToServe(c, key);
      if (l === undefined) return false;
      mpopFrom(c, key, l, a.end, a.count);
      return true;
    },
  });
}

const g = 'list';
const acl = ['write', 'list', 'slow', 'blocking'];
const BPOP_SPECS = [rangeSpec(['RW', 'access', 'delete'], 1, -2)];

export const blockingListCommands: readonly CommandSpec[] = [
  { name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: { first: 1, last: -2, step: 1 }, keySpecs: BPOP_SPECS, group: g, acl, since: '2.0.0', handler: bpop('LEFT') },
  { name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: { first: 1, last: -2, step: 1 }, keySpecs: BPOP_SPECS, group: g, acl, since: '2.0.0', handler: bpop('RIGHT') },
  { name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: { first: 1, last: 2, step: 1 }, keySpecs: MOVE_SPECS, group: g, acl, since: '2.2.0', handler: brpoplpush },
  { name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: { first: 1, last: 2, step: 1 }, keySpecs: MOVE_SPECS, group: g, acl, since: '6.2.0', handler: blmove },
  { name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], keysOf: mpopKeys(2), keySpecs: [numkeysSpec(2)], group: g, acl, since: '7.0.0', handler: blmpop },
];
