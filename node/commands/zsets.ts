// Sorted set commands, Redis 7.0 semantics: argument order of checks, error texts, reply shapes
// (RESP2 flat member/score pairs, RESP3 nested pairs and doubles) and encoding transitions.
import type { CommandFlag, CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, int64Arg, intArg, parseInt64 } from './args.js';
import { modified, modifiedReady, propagateAs, readObject, writeObject } from './access.js';
import { encodingThresholds } from './thresholds.js';
import { blockClient } from './block.js';
import { parseLexRange, parseScanCursor, parseScore, parseScoreRange, parseTimeoutMs } from './zset-args.js';
import { AddResult, ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NX, ZADD_XX, ZSet, type ZsetLimits } from '../store/values/zset.js';
import { gteMin, lteMax, lexGteMin, lexLteMax, type LexRange, type ScoreRange } from '../store/values/zset-range.js';
import type { ZCursor, ZEntry } from '../store/values/sorted-blocks.js';
import { SetValue } from '../store/values/set.js';
import { globMatch } from '../../common/glob.js';
import { formatDouble } from '../../common/resp/encode.js';
import type { Reply } from '../server/reply.js';

function limits(ctx: Ctx): ZsetLimits {
  return encodingThresholds(ctx.server.config);
}

/** The zset at key for a write: no hit/miss accounting, as lookupKeyWrite. */
function zsetForWrite(ctx: Ctx, key: string): ZSet | undefined {
  return writeObject<ZSet>(ctx, key, 'zset');
}

function readZset(ctx: Ctx, key: string): ZSet | undefined {
  return readObject<ZSet>(ctx, key, 'zset');
}

/** Writes members (with scores when asked) as ZRANGE does: flat in RESP2, pairs in RESP3. */
function replyNodes(out: Reply, nodes: readonly ZEntry[], withScores: boolean): void {
  out.array(withScores && out.resp === 2 ? nodes.length * 2 : nodes.length);
  writeNodes(out, nodes, withScores);
}

/** A reply this node will not build for one command (V8 strings stop near 512 MB). */
const MAX_REPLY_BYTES = 256 * 1024 * 1024;

/** The elements of a replyNodes() reply, without the array header. */
function writeNodes(out: Reply, nodes: readonly ZEntry[], withScores: boolean): void {
  if (!withScores) {
    for (const n of nodes) out.bulk(n.member);
    return;
  }
  if (out.resp === 2) {
    let s = '';
    for (const n of nodes) {
      const d = formatDouble(n.score);
      s += `$${n.member.length}\r\n${n.member}\r\n$${d.length}\r\n${d}\r\n`;
    }
    out.raw(s);
    return;
  }
  for (const n of nodes) {
    out.array(2);
    out.bulk(n.member);
    out.double(n.score);
  }
}

// ---- ZADD / ZINCRBY ---------------------------------------------------------------------------

function zaddGeneric(ctx: Ctx, argv: string[], baseFlags: number): void {
  const key = argv[1]!;
  let flags = baseFlags;
  let ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (o === 'nx') flags |= ZADD_NX;
    else if (o === 'xx') flags |= ZADD_XX;
    else if (o === 'ch') ch = true;
    else if (o === 'incr') flags |= ZADD_INCR;
    else if (o === 'gt') flags |= ZADD_GT;
    else if (o === 'lt') flags |= ZADD_LT;
    else break;
  }
  const rest = argv.length - i;
  if (rest === 0 || rest % 2 !== 0) fail(E.syntax);
  const nx = (flags & ZADD_NX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const incr = (flags & ZADD_INCR) !== 0;
  if (nx && flags & ZADD_XX) fail(E.zaddXxNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) fail(E.zaddGtLtNx);
  if (incr && rest > 2) fail(E.zaddIncrPair);
  const scores = new Array<number>(rest / 2);
  for (let j = 0; j < scores.length; j++) {
    const s = parseScore(argv[i + j * 2]!);
    if (s === null) fail(E.notFloat);
    scores[j] = s;
  }
  let z = zsetForWrite(ctx, key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (z === undefined && !(flags & ZADD_XX)) {
    const lim = limits(ctx);
    z = ZSet.forFirstMember(argv[i + 1]!, lim);
    ctx.db.set(key, z);
    try {
      ({ added, updated, processed, score } = addAll(z, argv, i, scores, flags, lim));
    } finally {
      if (z.size() === 0) ctx.db.delete(key);
    }
  } else if (z !== undefined) {
    ({ added, updated, processed, score } = addAll(z, argv, i, scores, flags, limits(ctx)));
  }
  if (added + updated > 0) modifiedReady(ctx, key, added + updated);
  if (incr) {
    if (processed > 0) ctx.out.double(score);
    else ctx.out.nullBulk();
  } else ctx.out.int(ch ? added + updated : added);
}

function addAll(z: ZSet, argv: string[], first: number, scores: number[], flags: number, lim: ZsetLimits) {
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  for (let j = 0; j < scores.length; j++) {
    const r = z.add(scores[j]!, argv[first + j * 2 + 1]!, flags, lim);
    if (r === AddResult.Nan) fail(E.zScoreNaN);
    if (r === AddResult.Added) added++;
    else if (r === AddResult.Updated) updated++;
    if (r !== AddResult.Nop) {
      processed++;
      score = z.lastScore;
    }
  }
  return { added, updated, processed, score };
}

// ---- removal ----------------------------------------------------------------------------------

function zrem(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const z = zsetForWrite(ctx, key);
  if (z === undefined) return ctx.out.int(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (z.remove(argv[i]!)) deleted++;
    if (z.size() === 0) {
      ctx.db.delete(key);
      break;
    }
  }
  if (deleted > 0) modified(ctx, key, deleted);
  ctx.out.int(deleted);
}

type RangeKind = 'rank' | 'score' | 'lex';

function zremrange(kind: RangeKind) {
  return (ctx: Ctx, argv: string[]): void => {
    const key = argv[1]!;
    let start = 0;
    let end = 0;
    let sr: ScoreRange | null = null;
    let lr: LexRange | null = null;
    if (kind === 'rank') {
      start = intArg(argv[2]!);
      end = intArg(argv[3]!);
    } else if (kind === 'score') {
      sr = parseScoreRange(argv[2]!, argv[3]!);
      if (sr === null) fail(E.zMinMaxNotFloat);
    } else {
      lr = parseLexRange(argv[2]!, argv[3]!);
      if (lr === null) fail(E.zMinMaxNotLex);
    }
    const z = zsetForWrite(ctx, key);
    if (z === undefined) return ctx.out.int(0);
    const victims: ZEntry[] = [];
    if (kind === 'rank') {
      const len = z.size();
      if (start < 0) start = len + start;
      if (end < 0) end = len + end;
      if (start < 0) start = 0;
      if (start > end || start >= len) return ctx.out.int(0);
      if (end >= len) end = len - 1;
      const c = z.list.at(start);
      for (let k = start, n = c.entry; k <= end && n !== null; k++, c.next(), n = c.entry) victims.push(n);
    } else if (sr !== null) {
      const c = z.list.firstInRange(sr);
      for (let n = c?.entry ?? null; n !== null && lteMax(n.score, sr); c!.next(), n = c!.entry) victims.push(n);
    } else if (lr !== null) {
      const c = z.firstInLex(lr);
      for (let n = c?.entry ?? null; n !== null && lexLteMax(n.member, lr); c!.next(), n = c!.entry) victims.push(n);
    }
    for (const n of victims) z.removeNode(n);
    if (z.size() === 0) ctx.db.delete(key);
    if (victims.length > 0) modified(ctx, key, victims.length);
    ctx.out.int(victims.length);
  };
}

// ---- point reads ------------------------------------------------------------------------------

function zcard(ctx: Ctx, argv: string[]): void {
  ctx.out.int(readZset(ctx, argv[1]!)?.size() ?? 0);
}

function zscore(ctx: Ctx, argv: string[]): void {
  const s = readZset(ctx, argv[1]!)?.score(argv[2]!);
  if (s === undefined) ctx.out.nullBulk();
  else ctx.out.double(s);
}

function zmscore(ctx: Ctx, argv: string[]): void {
  const z = readZset(ctx, argv[1]!);
  ctx.out.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z?.score(argv[i]!);
    if (s === undefined) ctx.out.nullBulk();
    else ctx.out.double(s);
  }
}

function zrank(reverse: boolean) {
  return (ctx: Ctx, argv: string[]): void => {
    const z = readZset(ctx, argv[1]!);
    const r = z === undefined ? -1 : z.rank(argv[2]!, reverse);
    if (r < 0) ctx.out.nullBulk();
    else ctx.out.int(r);
  };
}

function zcount(ctx: Ctx, argv: string[]): void {
  const r = parseScoreRange(argv[2]!, argv[3]!);
  if (r === null) fail(E.zMinMaxNotFloat);
  const z = readZset(ctx, argv[1]!);
  if (z === undefined) return ctx.out.int(0);
  const first = z.list.firstInRange(r);
  if (first === null) return ctx.out.int(0);
  const last = z.list.lastInRange(r)!;
  ctx.out.int(last.rank() - first.rank() + 1);
}

function zlexcount(ctx: Ctx, argv: string[]): void {
  const r = parseLexRange(argv[2]!, argv[3]!);
  if (r === null) fail(E.zMinMaxNotLex);
  const z = readZset(ctx, argv[1]!);
  if (z === undefined) return ctx.out.int(0);
  const first = z.firstInLex(r);
  if (first === null) return ctx.out.int(0);
  if (z.listpack) {
    let count = 0;
    for (let n = first.entry; n !== null && lexLteMax(n.member, r); first.next(), n = first.entry) count++;
    return ctx.out.int(count);
  }
  const last = z.lastInLex(r);
  const lastRank = last === null ? z.size() : last.rank() + 1;
  ctx.out.int(lastRank - first.rank());
}

// ---- ZRANGE family ----------------------------------------------------------------------------

interface RangeRequest {
  kind: RangeKind;
  reverse: boolean;
  withScores: boolean;
  offset: number;
  limit: number;
  start: number;
  end: number;
  score: ScoreRange | null;
  lex: LexRange | null;
}

/**
 * Parses `<src> <min> <max> [options]` starting at argv[at]. `kind`/`reverse` are fixed for the
 * legacy commands and null where ZRANGE / ZRANGESTORE accept BYSCORE, BYLEX and REV.
 */
function parseRange(argv: string[], at: number, store: boolean, fixedKind: RangeKind | null, fixedReverse: boolean | null): RangeRequest {
  let kind = fixedKind;
  let reverse = fixedReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let limitGiven = false;
  for (let j = at + 3; j < argv.length; j++) {
    const o = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (!store && o === 'withscores') withScores = true;
    else if (o === 'limit' && left >= 2) {
      offset = intArg(argv[j + 1]!);
      limit = intArg(argv[j + 2]!);
      limitGiven = true;
      j += 2;
    } else if (fixedReverse === null && reverse === null && o === 'rev') reverse = true;
    else if (fixedKind === null && kind === null && o === 'bylex') kind = 'lex';
    else if (fixedKind === null && kind === null && o === 'byscore') kind = 'score';
    else fail(E.syntax);
  }
  reverse ??= false;
  kind ??= 'rank';
  // Redis compares the parsed limit with -1, so "LIMIT 0 -1" passes with a rank range.
  if (limitGiven && limit !== -1 && kind === 'rank') fail(E.zLimitNeedsBy);
  if (withScores && kind === 'lex') fail(E.zWithscoresByLex);
  let minArg = argv[at + 1]!;
  let maxArg = argv[at + 2]!;
  if (reverse && kind !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  const req: RangeRequest = { kind, reverse, withScores, offset, limit, start: 0, end: 0, score: null, lex: null };
  if (kind === 'rank') {
    req.start = intArg(minArg);
    req.end = intArg(maxArg);
  } else if (kind === 'score') {
    req.score = parseScoreRange(minArg, maxArg);
    if (req.score === null) fail(E.zMinMaxNotFloat);
  } else {
    req.lex = parseLexRange(minArg, maxArg);
    if (req.lex === null) fail(E.zMinMaxNotLex);
  }
  return req;
}

/** The nodes a range request selects, in reply order. */
function selectRange(z: ZSet, q: RangeRequest): ZEntry[] {
  const out: ZEntry[] = [];
  if (q.kind === 'rank') {
    const len = z.size();
    let start = q.start;
    let end = q.end;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (start > end || start >= len) return out;
    if (end >= len) end = len - 1;
    const c = z.list.at(q.reverse ? len - 1 - start : start);
    for (let k = start, n = c.entry; k <= end && n !== null; k++, n = c.entry) {
      out.push(n);
      if (q.reverse) c.prev();
      else c.next();
    }
    return out;
  }
  // A negative offset walks off the end (Redis loops on offset-- until it runs out of nodes);
  // a negative limit means no limit.
  if (q.offset > 0 && q.offset >= z.size()) return out;
  if (q.offset < 0) return out;
  let c: ZCursor | null;
  if (q.kind === 'score') {
    const r = q.score!;
    c = q.reverse ? z.list.lastInRange(r) : z.list.firstInRange(r);
  } else {
    const r = q.lex!;
    c = q.reverse ? z.lastInLex(r) : z.firstInLex(r);
  }
  if (c === null) return out;
  const step = q.reverse ? (): void => c.prev() : (): void => c.next();
  for (let k = q.offset; k > 0 && c.entry !== null; k--) step();
  let left = q.limit;
  let n = c.entry;
  while (n !== null && left !== 0) {
    if (q.kind === 'score') {
      if (q.reverse ? !gteMin(n.score, q.score!) : !lteMax(n.score, q.score!)) break;
    } else if (q.reverse ? !lexGteMin(n.member, q.lex!) : !lexLteMax(n.member, q.lex!)) break;
    out.push(n);
    if (left > 0) left--;
    step();
    n = c.entry;
  }
  return out;
}

function zrangeGeneric(fixedKind: RangeKind | null, fixedReverse: boolean | null) {
  return (ctx: Ctx, argv: string[]): void => {
    const q = parseRange(argv, 1, false, fixedKind, fixedReverse);
    const z = readZset(ctx, argv[1]!);
    if (z === undefined) return ctx.out.array(0);
    replyNodes(ctx.out, selectRange(z, q), q.withScores);
  };
}

function zrangestore(ctx: Ctx, argv: string[]): void {
  const dst = argv[1]!;
  const q = parseRange(argv, 2, true, null, null);
  const z = readZset(ctx, argv[2]!);
  const nodes = z === undefined ? [] : selectRange(z, q);
  const lim = limits(ctx);
  const result = new ZSet(!(q.kind === 'rank' && z !== undefined && nodes.length > lim.zsetMaxListpackEntries));
  for (const n of nodes) result.add(n.score, n.member, 0, lim);
  storeResult(ctx, dst, result);
}

/** Stores a STORE command's result (or deletes dst when empty) and replies with its size. */
function storeResult(ctx: Ctx, dst: string, result: ZSet): void {
  if (result.size() > 0) {
    ctx.db.set(dst, result);
    modifiedReady(ctx, dst);
    ctx.out.int(result.size());
    return;
  }
  if (ctx.db.get(dst, ctx.now) !== undefined && ctx.db.delete(dst)) modified(ctx, dst);
  ctx.out.int(0);
}

// ---- ZUNION / ZINTER / ZDIFF ------------------------------------------------------------------

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

interface Source {
  obj: ZSet | SetValue | null;
  weight: number;
}

function sourceSize(s: Source): number {
  return s.obj === null ? 0 : s.obj.size();
}

/** Members with scores of one input: a zset, a plain set (score 1) or a missing key. */
function* sourceEntries(s: Source): Generator<[string, number]> {
  const o = s.obj;
  if (o === null) return;
  if (o instanceof ZSet) {
    yield* o.entries();
  } else {
    for (const m of o.values()) yield [m, 1];
  }
}

function sourceScore(s: Source, member: string): number | undefined {
  const o = s.obj;
  if (o === null) return undefined;
  if (o instanceof ZSet) return o.score(member);
  return o.has(member) ? 1 : undefined;
}

function aggregate(target: number, v: number, how: Aggregate): number {
  if (how === 'sum') {
    const r = target + v;
    // inf + -inf is taken as 0, as Redis does.
    return Number.isNaN(r) ? 0 : r;
  }
  if (how === 'min') return v < target ? v : target;
  return v > target ? v : target;
}

function zsetAlgebra(op: SetOp, store: boolean, cardOnly: boolean) {
  return (ctx: Ctx, argv: string[]): void => {
    const numkeysIdx = store ? 2 : 1;
    const name = argv[0]!.toLowerCase();
    const setnum = intArg(argv[numkeysIdx]!);
    if (setnum < 1) fail(E.zAtLeastOneKey(name));
    if (setnum > argv.length - (numkeysIdx + 1)) fail(E.syntax);
    const src: Source[] = [];
    let j = numkeysIdx + 1;
    for (let i = 0; i < setnum; i++, j++) {
      const v = ctx.db.get(argv[j]!, ctx.now);
      if (v === undefined) {
        ctx.server.stats.keyspaceMisses++;
        src.push({ obj: null, weight: 1 });
        continue;
      }
      ctx.server.stats.keyspaceHits++;
      if (typeof v === 'string' || (v.type !== 'zset' && v.type !== 'set')) fail(E.wrongType);
      src.push({ obj: v as ZSet | SetValue, weight: 1 });
    }
    let how: Aggregate = 'sum';
    let withScores = false;
    let limit = 0;
    while (j < argv.length) {
      const remaining = argv.length - j;
      const o = argv[j]!.toLowerCase();
      if (op !== 'diff' && !cardOnly && remaining >= setnum + 1 && o === 'weights') {
        j++;
        for (let i = 0; i < setnum; i++, j++) {
          const w = parseScore(argv[j]!);
          if (w === null) fail(E.zWeightNotFloat);
          src[i]!.weight = w;
        }
      } else if (op !== 'diff' && !cardOnly && remaining >= 2 && o === 'aggregate') {
        const a = argv[j + 1]!.toLowerCase();
        if (a !== 'sum' && a !== 'min' && a !== 'max') fail(E.syntax);
        how = a;
        j += 2;
      } else if (!store && !cardOnly && o === 'withscores') {
        withScores = true;
        j++;
      } else if (cardOnly && remaining >= 2 && o === 'limit') {
        const l = parseInt64(argv[j + 1]!);
        if (l === null || l < 0n) fail(E.limitNegative);
        limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(l);
        j += 2;
      } else fail(E.syntax);
    }
    // Smallest inputs first (a stable sort, like glibc's qsort for small arrays).
    const ordered = op === 'diff' ? src : [...src].sort((a, b) => sourceSize(a) - sourceSize(b));
    const result = new ZSet(false);
    let cardinality = 0;
    if (op === 'inter') {
      const first = ordered[0]!;
      if (sourceSize(first) > 0) {
        for (const [member, s0] of sourceEntries(first)) {
          let score = first.weight * s0;
          if (Number.isNaN(score)) score = 0;
          let k = 1;
          for (; k < ordered.length; k++) {
            const other = ordered[k]!;
            const v = other.obj === first.obj ? s0 : sourceScore(other, member);
            if (v === undefined) break;
            score = aggregate(score, v * other.weight, how);
          }
          if (k !== ordered.length) continue;
          if (cardOnly) {
            cardinality++;
            if (limit > 0 && cardinality >= limit) break;
          } else result.insertNew(member, score);
        }
      }
    } else if (op === 'union') {
      const acc = new Map<string, number>();
      for (const s of ordered) {
        for (const [member, sc] of sourceEntries(s)) {
          let score = s.weight * sc;
          if (Number.isNaN(score)) score = 0;
          const cur = acc.get(member);
          acc.set(member, cur === undefined ? score : aggregate(cur, score, how));
        }
      }
      for (const [member, score] of acc) result.insertNew(member, score);
    } else {
      const first = ordered[0]!;
      const selfExcluded = ordered.some((s, k) => k > 0 && s.obj !== null && s.obj === first.obj);
      if (sourceSize(first) > 0 && !selfExcluded) {
        for (const [member, score] of sourceEntries(first)) {
          let keep = true;
          for (let k = 1; k < ordered.length && keep; k++) if (sourceScore(ordered[k]!, member) !== undefined) keep = false;
          if (keep) result.insertNew(member, score);
        }
      }
    }
    if (cardOnly) return ctx.out.int(cardinality);
    if (store) {
      result.shrinkEncodingIfFits(limits(ctx));
      return storeResult(ctx, argv[1]!, result);
    }
    replyNodes(ctx.out, [...result.members()], withScores);
  };
}

// ---- pops -------------------------------------------------------------------------------------

type Where = 'min' | 'max';

/** Reply shape of a pop: flat or nested pairs, with or without the key name. */
interface PopShape {
  emitKey: boolean;
  nested: boolean;
}

/**
 * Pops up to `count` (-1: one, plain form) members of the non-empty zset at key and writes the
 * reply; returns how many were popped.
 */
function popFrom(ctx: Ctx, key: string, z: ZSet, where: Where, count: number, shape: PopShape): number {
  const out = ctx.out;
  const n = Math.min(count === -1 ? 1 : count, z.size());
  if (!shape.nested && !shape.emitKey) out.array(n * 2);
  else if (shape.nested && !shape.emitKey) out.array(n);
  else if (!shape.nested) {
    out.array(n * 2 + 1);
    out.bulk(key);
  } else {
    out.array(2);
    out.bulk(key);
    out.array(n);
  }
  for (let i = 0; i < n; i++) {
    const node = where === 'min' ? z.list.first! : z.list.tail!;
    z.removeNode(node);
    if (shape.nested) out.array(2);
    out.bulk(node.member);
    out.double(node.score);
  }
  if (z.size() === 0) ctx.db.delete(key);
  modified(ctx, key, n);
  return n;
}

/** What a pop served from a blocking or multi-key command replicates as, as Redis rewrites it. */
function popAsPlain(where: Where, key: string, count: number, popped: number): string[] {
  const name = where === 'min' ? 'ZPOPMIN' : 'ZPOPMAX';
  return count === -1 ? [name, key] : [name, key, String(popped)];
}

/** The first key holding a zset (WRONGTYPE for another type met first), or null. */
function firstZset(ctx: Ctx, keys: readonly string[]): { key: string; z: ZSet } | null {
  for (const key of keys) {
    const z = zsetForWrite(ctx, key);
    if (z !== undefined) return { key, z };
  }
  return null;
}

function positiveCount(s: string): number {
  const n = parseInt64(s);
  if (n === null || n < 0n) fail(E.mustBePositive);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

function zpop(where: Where) {
  return (ctx: Ctx, argv: string[]): void => {
    if (argv.length > 3) fail(E.syntax);
    const count = argv.length === 3 ? positiveCount(argv[2]!) : -1;
    const key = argv[1]!;
    const z = zsetForWrite(ctx, key);
    if (z === undefined || count === 0) return ctx.out.array(0);
    popFrom(ctx, key, z, where, count, { emitKey: false, nested: ctx.out.resp === 3 && count !== -1 });
  };
}

/** numkeys, keys, MIN|MAX and COUNT of ZMPOP/BZMPOP, starting at the numkeys argument. */
function parseMpop(argv: string[], numkeysIdx: number): { keys: string[]; where: Where; count: number } {
  const nk = parseInt64(argv[numkeysIdx]!);
  if (nk === null || nk < 1n) fail(E.numkeysPositive);
  const whereIdx = numkeysIdx + Number(nk > 1000000000n ? 1000000000n : nk) + 1;
  if (whereIdx >= argv.length) fail(E.syntax);
  const w = argv[whereIdx]!.toLowerCase();
  if (w !== 'min' && w !== 'max') fail(E.syntax);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && j + 1 < argv.length) {
      const c = parseInt64(argv[++j]!);
      if (c === null || c < 1n) fail(E.zCountPositive);
      count = c > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(c);
    } else fail(E.syntax);
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), where: w, count: count === -1 ? 1 : count };
}

const MPOP_SHAPE: PopShape = { emitKey: true, nested: true };
const BZPOP_SHAPE: PopShape = { emitKey: true, nested: false };

function zmpop(ctx: Ctx, argv: string[]): void {
  const { keys, where, count } = parseMpop(argv, 1);
  const found = firstZset(ctx, keys);
  if (found === null) return ctx.out.nullArray();
  const n = popFrom(ctx, found.key, found.z, where, count, MPOP_SHAPE);
  propagateAs(ctx, popAsPlain(where, found.key, count, n));
}

/**
 * Serves a blocked BZPOPMIN, BZPOPMAX or BZMPOP client from `key`, which just got data: false (nothing written)
 * while the key holds no zset, so that the client keeps waiting, as Redis does.
 */
function serveBlockedPop(ctx: Ctx, key: string, where: Where, count: number, shape: PopShape): boolean {
  const v = ctx.db.get(key, ctx.now);
  if (v === undefined || typeof v === 'string' || v.type !== 'zset' || v.size() === 0) return false;
  const n = popFrom(ctx, key, v as ZSet, where, count, shape);
  propagateAs(ctx, popAsPlain(where, key, count, n));
  return true;
}

/** Shared by BZPOPMIN/BZPOPMAX/BZMPOP: pop now, or block the client until a key gets data. */
function blockingPop(ctx: Ctx, timeoutArg: string, keys: string[], where: Where, count: number, shape: PopShape): void {
  const t = parseTimeoutMs(timeoutArg);
  if (t === 'float') fail(E.timeoutNotFloat);
  if (t === 'negative') fail(E.timeoutNegative);
  const found = firstZset(ctx, keys);
  if (found !== null) {
    const n = popFrom(ctx, found.key, found.z, where, count, shape);
    propagateAs(ctx, popAsPlain(where, found.key, count, n));
    return;
  }
  // Inside MULTI/EXEC a client cannot block: an empty result is a timeout.
  if (ctx.session.multi !== null) return ctx.out.nullArray();
  blockClient(ctx, {
    keys,
    // Timers cannot wait longer than 2^31-1 ms; such a wait (24.8 days and more) is a forever.
    deadline: t === 0 || t > 2147483647 ? 0 : ctx.now + t,
    serve: (c, key) => serveBlockedPop(c, key, where, count, shape),
  });
}

function bzpop(where: Where) {
  return (ctx: Ctx, argv: string[]): void => {
    blockingPop(ctx, argv[argv.length - 1]!, argv.slice(1, -1), where, -1, BZPOP_SHAPE);
  };
}

function bzmpop(ctx: Ctx, argv: string[]): void {
  const { keys, where, count } = parseMpop(argv, 2);
  blockingPop(ctx, argv[1]!, keys, where, count, MPOP_SHAPE);
}

// ---- ZRANDMEMBER / ZSCAN ----------------------------------------------------------------------

const LONG_MAX = 9223372036854775807n;

function zrandmember(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  if (argv.length === 2) {
    const z = readZset(ctx, key);
    if (z === undefined) return ctx.out.nullBulk();
    return ctx.out.bulk(z.randomNode().member);
  }
  const l = int64Arg(argv[2]!);
  if (l < -LONG_MAX) fail(E.outOfRangeBetween('-9223372036854775807', '9223372036854775807'));
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withscores')) fail(E.syntax);
  const withScores = argv.length === 4;
  if (withScores && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) fail(E.valueOutOfRange);
  const z = readZset(ctx, key);
  if (z === undefined || l === 0n) return ctx.out.array(0);
  const size = z.size();
  const out = ctx.out;
  if (l < 0n || l === 1n) {
    // With repetitions (or a single pick): every pick is independent. Written in batches; a
    // reply that outgrows any sane output buffer ends the connection, as Redis's output limits
    // would, instead of exhausting memory.
    const count = l < 0n ? -l : l;
    out.array(Number(withScores && out.resp === 2 ? count * 2n : count));
    const batch: ZEntry[] = [];
    for (let left = count; left > 0n; ) {
      const n = left > 1024n ? 1024 : Number(left);
      left -= BigInt(n);
      batch.length = 0;
      for (let i = 0; i < n; i++) batch.push(z.randomNode());
      writeNodes(out, batch, withScores);
      if (out.buf.length > MAX_REPLY_BYTES) {
        ctx.server.log.warn({ client: ctx.session.id }, 'closing client: ZRANDMEMBER reply exceeds the output buffer cap');
        out.take();
        ctx.server.killSession(ctx.session);
        return;
      }
    }
    return;
  }
  const count = l > BigInt(size) ? size : Number(l);
  // The whole set, in the order Redis's set-operation iterator walks it: from the tail.
  if (count >= size) return replyNodes(out, [...z.members()].reverse(), withScores);
  // Distinct picks: a partial Fisher-Yates shuffle over the ranks.
  const ranks = new Map<number, number>();
  const picks: ZEntry[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const rj = ranks.get(j) ?? j;
    ranks.set(j, ranks.get(i) ?? i);
    picks.push(z.list.byRank(rj + 1)!);
  }
  replyNodes(out, picks, withScores);
}

function zscan(ctx: Ctx, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) fail(E.invalidCursor);
  const z = readZset(ctx, argv[1]!);
  if (z === undefined) {
    ctx.out.array(2);
    ctx.out.bulk('0');
    return ctx.out.array(0);
  }
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    const left = argv.length - i;
    if (o === 'count' && left >= 2) {
      count = intArg(argv[i + 1]!);
      if (count < 1) fail(E.syntax);
      i++;
    } else if (o === 'match' && left >= 2) {
      pattern = argv[i + 1]!;
      if (pattern === '*') pattern = null;
      i++;
    } else fail(E.syntax);
  }
  let nodes: ZEntry[];
  let next = 0;
  if (z.listpack) nodes = [...z.members()];
  else {
    const page = z.scanPage(cursor, count);
    nodes = page.nodes;
    next = page.next;
  }
  if (pattern !== null) nodes = nodes.filter((n) => globMatch(pattern, n.member));
  ctx.out.array(2);
  ctx.out.bulk(String(next));
  let s = `*${nodes.length * 2}\r\n`;
  for (const n of nodes) {
    const d = formatDouble(n.score);
    s += `$${n.member.length}\r\n${n.member}\r\n$${d.length}\r\n${d}\r\n`;
  }
  ctx.out.raw(s);
}

// ---- table ------------------------------------------------------------------------------------

const key1 = { first: 1, last: 1, step: 1 };

/** Key positions of `numkeys key...` forms; an unusable numkeys yields no keys. */
function numkeysKeys(numkeysIdx: number, leading: readonly number[]) {
  return (argv: readonly string[]): number[] => {
    const out = [...leading];
    const s = argv[numkeysIdx];
    if (s === undefined || !/^\d+$/.test(s)) return out;
    const n = Number(s);
    if (n < 1 || numkeysIdx + n >= argv.length) return out;
    for (let i = 1; i <= n; i++) out.push(numkeysIdx + i);
    return out;
  };
}

function acl(flags: readonly CommandFlag[]): string[] {
  const a = [flags.includes('write') ? 'write' : 'read', 'sortedset', flags.includes('fast') ? 'fast' : 'slow'];
  if (flags.includes('blocking')) a.push('blocking');
  return a;
}

function cmd(name: string, arity: number, flags: CommandFlag[], handler: CommandSpec['handler'], since: string, keys: CommandSpec['keys'] = key1, keysOf?: CommandSpec['keysOf']): CommandSpec {
  const spec: CommandSpec = { name, arity, flags, keys, group: 'sorted-set', acl: acl(flags), since, handler };
  return keysOf ? { ...spec, keysOf } : spec;
}

const W = ['write', 'denyoom', 'fast'] as CommandFlag[];
const RF = ['readonly', 'fast'] as CommandFlag[];
const R = ['readonly'] as CommandFlag[];
const none = { first: 0, last: 0, step: 0 };

export const zsetCommands: readonly CommandSpec[] = [
  cmd('zadd', -4, W, (c, a) => zaddGeneric(c, a, 0), '1.2.0'),
  cmd('zincrby', 4, W, (c, a) => zaddGeneric(c, a, ZADD_INCR), '1.2.0'),
  cmd('zrem', -3, ['write', 'fast'], zrem, '1.2.0'),
  cmd('zcard', 2, RF, zcard, '1.2.0'),
  cmd('zscore', 3, RF, zscore, '1.2.0'),
  cmd('zmscore', -3, RF, zmscore, '6.2.0'),
  cmd('zrank', 3, RF, zrank(false), '2.0.0'),
  cmd('zrevrank', 3, RF, zrank(true), '2.0.0'),
  cmd('zcount', 4, RF, zcount, '2.0.0'),
  cmd('zlexcount', 4, RF, zlexcount, '2.8.9'),
  cmd('zrange', -4, R, zrangeGeneric(null, null), '1.2.0'),
  cmd('zrangestore', -5, ['write', 'denyoom'], zrangestore, '6.2.0', { first: 1, last: 2, step: 1 }),
  cmd('zrevrange', -4, R, zrangeGeneric('rank', true), '1.2.0'),
  cmd('zrangebyscore', -4, R, zrangeGeneric('score', false), '1.0.5'),
  cmd('zrevrangebyscore', -4, R, zrangeGeneric('score', true), '2.2.0'),
  cmd('zrangebylex', -4, R, zrangeGeneric('lex', false), '2.8.9'),
  cmd('zrevrangebylex', -4, R, zrangeGeneric('lex', true), '2.8.9'),
  cmd('zremrangebyrank', 4, ['write'], zremrange('rank'), '2.0.0'),
  cmd('zremrangebyscore', 4, ['write'], zremrange('score'), '1.2.0'),
  cmd('zremrangebylex', 4, ['write'], zremrange('lex'), '2.8.9'),
  cmd('zpopmin', -2, ['write', 'fast'], zpop('min'), '5.0.0'),
  cmd('zpopmax', -2, ['write', 'fast'], zpop('max'), '5.0.0'),
  cmd('zmpop', -4, ['write', 'movablekeys'], zmpop, '7.0.0', none, numkeysKeys(1, [])),
  cmd('zunion', -3, ['readonly', 'movablekeys'], zsetAlgebra('union', false, false), '6.2.0', none, numkeysKeys(1, [])),
  cmd('zinter', -3, ['readonly', 'movablekeys'], zsetAlgebra('inter', false, false), '6.2.0', none, numkeysKeys(1, [])),
  cmd('zdiff', -3, ['readonly', 'movablekeys'], zsetAlgebra('diff', false, false), '6.2.0', none, numkeysKeys(1, [])),
  cmd('zintercard', -3, ['readonly', 'movablekeys'], zsetAlgebra('inter', false, true), '7.0.0', none, numkeysKeys(1, [])),
  cmd('zunionstore', -4, ['write', 'denyoom', 'movablekeys'], zsetAlgebra('union', true, false), '2.0.0', key1, numkeysKeys(2, [1])),
  cmd('zinterstore', -4, ['write', 'denyoom', 'movablekeys'], zsetAlgebra('inter', true, false), '2.0.0', key1, numkeysKeys(2, [1])),
  cmd('zdiffstore', -4, ['write', 'denyoom', 'movablekeys'], zsetAlgebra('diff', true, false), '6.2.0', key1, numkeysKeys(2, [1])),
  cmd('zrandmember', -2, R, zrandmember, '6.2.0'),
  cmd('zscan', -3, R, zscan, '2.8.0'),
  cmd('bzpopmin', -3, ['write', 'noscript', 'fast', 'blocking'], bzpop('min'), '5.0.0', { first: 1, last: -2, step: 1 }),
  cmd('bzpopmax', -3, ['write', 'noscript', 'fast', 'blocking'], bzpop('max'), '5.0.0', { first: 1, last: -2, step: 1 }),
  cmd('bzmpop', -5, ['write', 'blocking', 'movablekeys'], bzmpop, '7.0.0', none, numkeysKeys(2, [])),
];
