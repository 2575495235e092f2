// Building blocks shared by the list commands and their blocking forms.
import type { Ctx, KeySpec } from './types.js';
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';
import { modified, modifiedReady, propagateAs, writeObject } from './access.js';
import { ListValue } from '../store/values/list.js';

export type End = 'LEFT' | 'RIGHT';

export function bulkOf(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/** The list at key for a write: undefined when missing (no keyspace hit/miss), WRONGTYPE otherwise. */
export function writeList(ctx: Ctx, key: string): ListValue | undefined {
  return writeObject<ListValue>(ctx, key, 'list');
}

/** LEFT or RIGHT, case-insensitively; a syntax error otherwise. */
export function endArg(s: string): End {
  const u = s.toUpperCase();
  if (u === 'LEFT' || u === 'RIGHT') return u;
  fail(E.syntax);
}

export function popEnd(l: ListValue, end: End): string {
  return (end === 'LEFT' ? l.popHead() : l.popTail())!;
}

/** Deletes the key once its list is empty, as Redis keeps no empty collections. */
export function dropIfEmpty(ctx: Ctx, key: string, l: ListValue): void {
  if (l.size() === 0) ctx.db.delete(key);
}

/** Pops up to count elements from one end and replies with them as an array. */
export function popRangeReply(ctx: Ctx, key: string, l: ListValue, end: End, count: number): number {
  const n = Math.min(count, l.size());
  let s = `*${n}\r\n`;
  for (let i = 0; i < n; i++) s += bulkOf(popEnd(l, end));
  ctx.out.raw(s);
  dropIfEmpty(ctx, key, l);
  modified(ctx, key, n);
  return n;
}

export function clampSafe(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (n < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(n);
}

/**
 * LMOVE's work once the source is known to hold a list: checks the destination's type, moves one
 * element and replies with it. Also serves BLMOVE/BRPOPLPUSH clients when their source gets data.
 */
export function moveElement(ctx: Ctx, src: string, l: ListValue, dst: string, from: End, to: End): void {
  let d = writeList(ctx, dst);
  const v = popEnd(l, from);
  if (d === undefined) {
    d = new ListValue();
    ctx.db.set(dst, d);
  }
  if (to === 'LEFT') d.pushHead(v);
  else d.pushTail(v);
  modifiedReady(ctx, dst, 0);
  dropIfEmpty(ctx, src, l);
  modified(ctx, src);
  ctx.out.bulk(v);
}

export interface MpopArgs {
  keys: string[];
  end: End;
  count: number;
}

/** numkeys, keys, LEFT|RIGHT and [COUNT n] of LMPOP/BLMPOP, in Redis's order of checks. */
export function parseMpop(argv: readonly string[], numkeysAt: number): MpopArgs {
  const nk = parseInt64(argv[numkeysAt]!);
  if (nk === null || nk < 1n) fail(E.numkeysPositive);
  const whereAt = numkeysAt + 1 + clampSafe(nk);
  if (whereAt >= argv.length) fail(E.syntax);
  const end = endArg(argv[whereAt]!);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toUpperCase() === 'COUNT' && j + 1 < argv.length) {
      const c = parseInt64(argv[++j]!);
      if (c === null || c < 1n) fail(E.countPositive);
      count = clampSafe(c);
    } else fail(E.syntax);
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), end, count: count === -1 ? 1 : count };
}

/** Replies [key, [elements]] popping up to count from the list; propagated as LPOP/RPOP key n. */
export function mpopFrom(ctx: Ctx, key: string, l: ListValue, end: End, count: number): void {
  ctx.out.array(2);
  ctx.out.bulk(key);
  const n = popRangeReply(ctx, key, l, end, count);
  propagateAs(ctx, [end === 'LEFT' ? 'LPOP' : 'RPOP', key, String(n)]);
}

/** Key positions of LMPOP/BLMPOP: numkeys keys after the numkeys argument; none if invalid. */
export function mpopKeys(numkeysAt: number) {
  return (argv: readonly string[]): number[] => {
    // Redis reads the count with atoi here ("2x" is 2), unlike the command itself.
    const n = Number.parseInt(argv[numkeysAt] ?? '', 10);
    if (!(n >= 1) || numkeysAt + n >= argv.length) return [];
    return Array.from({ length: n }, (_, i) => numkeysAt + 1 + i);
  };
}

/** A key spec starting at a fixed argument, covering it alone or up to `lastkey` (from the end if < 0). */
export function rangeSpec(flags: readonly string[], index: number, lastkey = 0): KeySpec {
  return { flags, begin: { index }, find: { lastkey, keystep: 1, limit: 0 } };
}

/** The key spec of LMPOP/BLMPOP: a key count at `index`, the keys right after it. */
export function numkeysSpec(index: number): KeySpec {
  return { flags: ['RW', 'access', 'delete'], begin: { index }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } };
}

export const POP_SPEC = rangeSpec(['RW', 'access', 'delete'], 1);
/** Source and destination of RPOPLPUSH, LMOVE and their blocking forms. */
export const MOVE_SPECS = [POP_SPEC, rangeSpec(['RW', 'insert'], 2)];
