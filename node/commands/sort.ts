// SORT and SORT_RO on lists, sets and sorted sets: BY (incl. constant patterns, which skip
// sorting), LIMIT, GET (# and key->field patterns), ASC/DESC, ALPHA and STORE.
import type { CommandSpec, Ctx, KeySpec } from './types.js';
import type { ListValue } from '../store/values/list.js';
import type { SetValue } from '../store/values/set.js';
import type { ZSet } from '../store/values/zset.js';
import type { HashValue } from '../store/values/hash.js';
import { ListValue as ListImpl } from '../store/values/list.js';
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';
import { modified } from './access.js';
import { rangeSpec } from './list-ops.js';
import { compareBytes, sortScore } from './sort-compare.js';

interface SortOpts {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  by: string | null;
  dontSort: boolean;
  gets: string[];
  store: string | null;
}

function longArg(s: string): number {
  const n = parseInt64(s);
  if (n === null) fail(E.notInteger);
  return Number(n);
}

function parseSort(ctx: Ctx, argv: string[], readonly: boolean): SortOpts {
  const o: SortOpts = { desc: false, alpha: false, limitStart: 0, limitCount: -1, by: null, dontSort: false, gets: [], store: null };
  const cluster = ctx.server.cluster !== null;
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j]!.toUpperCase();
    if (a === 'ASC') o.desc = false;
    else if (a === 'DESC') o.desc = true;
    else if (a === 'ALPHA') o.alpha = true;
    else if (a === 'LIMIT' && left >= 2) {
      o.limitStart = longArg(argv[j + 1]!);
      o.limitCount = longArg(argv[j + 2]!);
      j += 2;
    } else if (!readonly && a === 'STORE' && left >= 1) o.store = argv[++j]!;
    else if (a === 'BY' && left >= 1) {
      o.by = argv[++j]!;
      // A pattern without '*' names no per-element key: nothing to sort by.
      if (!o.by.includes('*')) o.dontSort = true;
      else if (cluster) fail(E.sortByCluster);
    } else if (a === 'GET' && left >= 1) {
      if (cluster) fail(E.sortGetCluster);
      o.gets.push(argv[++j]!);
    } else fail(E.syntax);
  }
  return o;
}

/** The string value a BY/GET pattern names for an element (undefined when there is none). */
function lookupPattern(ctx: Ctx, pattern: string, elem: string): string | undefined {
  if (pattern === '#') return elem;
  const star = pattern.indexOf('*');
  if (star < 0) return undefined;
  const arrow = pattern.indexOf('->', star + 1);
  const field = arrow >= 0 && arrow + 2 < pattern.length ? pattern.slice(arrow + 2) : null;
  const key = pattern.slice(0, star) + elem + pattern.slice(star + 1, field === null ? pattern.length : arrow);
  const v = ctx.db.get(key, ctx.now);
  if (v === undefined) return undefined;
  if (field !== null) return typeof v !== 'string' && v.type === 'hash' ? (v as HashValue).get(field) : undefined;
  return typeof v === 'string' ? v : undefined;
}

function sortCommand(readonly: boolean) {
  return (ctx: Ctx, argv: string[]): void => {
    const o = parseSort(ctx, argv, readonly);
    const v = ctx.db.get(argv[1]!, ctx.now);
    if (v !== undefined && (typeof v === 'string' || v.type === 'hash')) fail(E.wrongType);
    const type = v === undefined ? 'list' : v.type;
    // Without a sort order a set's elements would come out in an arbitrary order, which a stored
    // (and replicated) result must not depend on.
    if (o.dontSort && type === 'set' && o.store !== null) {
      o.dontSort = false;
      o.alpha = true;
      o.by = null;
    }
    const len = v === undefined ? 0 : v.size();
    let start = o.limitStart < 0 ? 0 : o.limitStart;
    let end = o.limitCount < 0 ? len - 1 : start + o.limitCount - 1;
    if (start >= len) {
      start = len - 1;
      end = len - 2;
    }
    if (end >= len) end = len - 1;

    let elems: string[];
    if (v === undefined) elems = [];
    else if (o.dontSort && (type === 'list' || type === 'zset')) {
      // Native order, the LIMIT window taken directly (from the tail for DESC).
      const all = type === 'list' ? [...(v as ListValue).values()] : Array.from((v as ZSet).entries(), (e) => e[0]);
      if (o.desc) all.reverse();
      elems = end >= start ? all.slice(start, end + 1) : [];
      end -= start;
      start = 0;
    } else if (type === 'list') elems = [...(v as ListValue).values()];
    else if (type === 'set') elems = [...(v as SetValue).values()];
    else elems = Array.from((v as ZSet).entries(), (e) => e[0]);

    if (!o.dontSort) {
      const n = elems.length;
      const order = Array.from({ length: n }, (_, i) => i);
      if (o.alpha) {
        const keys: (string | undefined)[] = o.by === null ? elems : elems.map((e) => lookupPattern(ctx, o.by!, e));
        order.sort((x, y) => {
          const a = keys[x];
          const b = keys[y];
          const c = a === undefined || b === undefined ? (a === b ? 0 : a === undefined ? -1 : 1) : compareBytes(a, b);
          return o.desc ? -c : c;
        });
      } else {
        const scores = new Float64Array(n);
        let convError = false;
        for (let i = 0; i < n; i++) {
          const by = o.by === null ? elems[i] : lookupPattern(ctx, o.by, elems[i]!);
          if (by === undefined) continue;
          const s = sortScore(by);
          if (s === null) convError = true;
          else scores[i] = s;
        }
        if (convError) fail(E.sortScores);
        order.sort((x, y) => {
          const c = scores[x]! > scores[y]! ? 1 : scores[x]! < scores[y]! ? -1 : compareBytes(elems[x]!, elems[y]!);
          return o.desc ? -c : c;
        });
      }
      elems = order.map((i) => elems[i]!);
    }

    const out: (string | undefined)[] = [];
    for (let j = start; j <= end; j++) {
      const e = elems[j]!;
      if (o.gets.length === 0) out.push(e);
      else for (const g of o.gets) out.push(lookupPattern(ctx, g, e));
    }
    if (o.store === null) {
      ctx.out.array(out.length);
      for (const x of out) ctx.out.bulkOrNull(x);
      return;
    }
    if (out.length > 0) {
      ctx.db.set(o.store, ListImpl.of(out.map((x) => x ?? '')));
      modified(ctx, o.store, out.length);
    } else if (ctx.db.delete(o.store)) modified(ctx, o.store);
    ctx.out.int(out.length);
  };
}

/** SORT's keys: the sorted key and the STORE destination (the last STORE counts). */
function sortKeys(argv: readonly string[]): number[] {
  const keys = [1];
  let store = -1;
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j]!.toUpperCase();
    if (a === 'LIMIT') j += 2;
    else if (a === 'GET' || a === 'BY') j++;
    else if (a === 'STORE' && j + 1 < argv.length) store = ++j;
  }
  if (store > 0) keys.push(store);
  return keys;
}

const UNKNOWN = { unknown: true } as const;
const BY_GET_SPEC: KeySpec = {
  notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  flags: ['RO', 'access'],
  begin: UNKNOWN,
  find: UNKNOWN,
};
const STORE_SPEC: KeySpec = {
  notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
  flags: ['OW', 'update'],
  begin: UNKNOWN,
  find: UNKNOWN,
};
const acl = ['set', 'sortedset', 'list', 'slow', 'dangerous'];

export const sortCommands: readonly CommandSpec[] = [
  {
    name: 'sort',
    arity: -2,
    flags: ['write', 'denyoom', 'movablekeys'],
    keys: { first: 1, last: 1, step: 1 },
    keysOf: sortKeys,
    keySpecs: [rangeSpec(['RO', 'access'], 1), BY_GET_SPEC, STORE_SPEC],
    group: 'generic',
    acl: ['write', ...acl],
    since: '1.0.0',
    handler: sortCommand(false),
  },
  {
    name: 'sort_ro',
    arity: -2,
    flags: ['readonly', 'movablekeys'],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [rangeSpec(['RO', 'access'], 1), BY_GET_SPEC],
    group: 'generic',
    acl: ['read', ...acl],
    since: '7.0.0',
    handler: sortCommand(true),
  },
];
