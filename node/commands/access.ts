// Typed access to keys for handlers: WRONGTYPE checks and keyspace hit/miss accounting.
import type { Ctx } from './types.js';
import type { RObject, TypeName } from '../store/values/object.js';
import { E } from './errors.js';
import { fail } from './args.js';

/** The string at key, undefined when missing; WRONGTYPE for other types. */
export function readString(ctx: Ctx, key: string): string | undefined {
  const v = ctx.db.get(key, ctx.now);
  if (v === undefined) {
    ctx.server.stats.keyspaceMisses++;
    return undefined;
  }
  ctx.server.stats.keyspaceHits++;
  if (typeof v !== 'string') fail(E.wrongType);
  return v;
}

/** The object of the given type at key, undefined when missing; WRONGTYPE for other types. */
export function readObject<T extends RObject>(ctx: Ctx, key: string, type: Exclude<TypeName, 'string'>): T | undefined {
  const v = ctx.db.get(key, ctx.now);
  if (v === undefined) {
    ctx.server.stats.keyspaceMisses++;
    return undefined;
  }
  ctx.server.stats.keyspaceHits++;
  if (typeof v === 'string' || v.type !== type) fail(E.wrongType);
  return v as T;
}

/** Records a change to key: WATCH, dirty counter and, for blocking types, wakes waiters. */
export function modified(ctx: Ctx, key: string, changes = 1): void {
  ctx.server.touchWatched(ctx.db.index, key);
  ctx.db.recharge(key);
  ctx.server.dirty += changes;
}

/** Like modified(), and also lets clients blocked on key retry. */
export function modifiedReady(ctx: Ctx, key: string, changes = 1): void {
  modified(ctx, key, changes);
  ctx.server.blocking.signalReady(ctx.db.index, key);
}

/** Removes a collection that became empty, as Redis never keeps empty collections. */
export function deleteIfEmpty(ctx: Ctx, key: string, obj: RObject): void {
  if (obj.size() === 0) ctx.db.delete(key);
}

/** Propagates `argv` for this command instead of (or, called twice, in addition to) the request. */
export function propagateAs(ctx: Ctx, argv: string[]): void {
  (ctx.propagateAs ??= []).push(argv);
}

/**
 * The object of the given type at key for a command about to write it: undefined when missing,
 * WRONGTYPE for other types. Write lookups do not count as keyspace hits or misses (as Redis).
 */
export function writeObject<T extends RObject>(ctx: Ctx, key: string, type: Exclude<TypeName, 'string'>): T | undefined {
  const v = ctx.db.get(key, ctx.now);
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.type !== type) fail(E.wrongType);
  return v as T;
}
