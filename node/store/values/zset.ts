// Sorted set value: member -> entry map plus the sorted-blocks index ordering (score, member). The encoding
// Redis would have chosen (listpack or skiplist) is tracked as a flag because it is visible to
// clients (OBJECT ENCODING, ZSCAN paging) and, as in Redis, only grows: a set converted to
// skiplist stays so until it is rebuilt by a STORE command.
import { KeyTable } from '../key-table.js';
import type { EncodingThresholds, RObject } from './object.js';
import { SortedBlocks, ZEntry, type ZCursor } from './sorted-blocks.js';
import { emptyLexRange, lexGteMin, lexLteMax, type LexRange } from './zset-range.js';

/** The thresholds a sorted set's encoding depends on. */
export type ZsetLimits = Pick<EncodingThresholds, 'zsetMaxListpackEntries' | 'zsetMaxListpackValue'>;

export const ZADD_NX = 1;
export const ZADD_XX = 2;
export const ZADD_GT = 4;
export const ZADD_LT = 8;
export const ZADD_INCR = 16;

/** Outcome of ZSet.add. */
export const AddResult = {
  Nan: 0,
  Added: 1,
  Updated: 2,
  /** Processed (INCR reports the score) but nothing changed. */
  Same: 3,
  /** Skipped by NX / XX / GT / LT. */
  Nop: 4,
} as const;
export type AddResult = (typeof AddResult)[keyof typeof AddResult];

export class ZSet implements RObject {
  readonly type = 'zset' as const;
  chargedBytes = -1;
  readonly list = new SortedBlocks();
  /** Member -> entry: a single open-addressing table (see key-table.ts), cheaper per lookup than a Map. */
  private readonly dict = new KeyTable<ZEntry>(1, 4);
  /** True while Redis would keep this set as a listpack. */
  listpack: boolean;
  /** Score after the last add() that did not return Nop. */
  lastScore = 0;
  // ZSCAN order: entries by insertion sequence; removed entries stay until compaction.
  private scanOrder: ZEntry[] = [];
  private scanStale = 0;
  private nextSeq = 1;

  constructor(listpack = true) {
    this.listpack = listpack;
  }

  /** A new set as ZADD creates it for its first member. */
  static forFirstMember(member: string, lim: ZsetLimits): ZSet {
    return new ZSet(lim.zsetMaxListpackEntries !== 0 && member.length <= lim.zsetMaxListpackValue);
  }

  size(): number {
    return this.list.length;
  }

  encoding(_cfg: EncodingThresholds): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  clone(): ZSet {
    const z = new ZSet(this.listpack);
    this.list.each((e) => z.insertNew(e.member, e.score));
    return z;
  }

  score(member: string): number | undefined {
    return this.dict.get(member)?.score;
  }

  has(member: string): boolean {
    return this.dict.get(member) !== undefined;
  }

  /** Adds a member known to be absent; the caller handles encoding conversion. */
  insertNew(member: string, score: number): ZEntry {
    const node = new ZEntry(member, score, this.nextSeq++);
    this.list.insert(node);
    this.dict.set(member, node);
    this.scanOrder.push(node);
    return node;
  }

  /** ZADD semantics for one member (flags ZADD_*); sets lastScore unless Nop/Nan. */
  add(score: number, member: string, flags: number, lim: ZsetLimits): AddResult {
    if (Number.isNaN(score)) return AddResult.Nan;
    const node = this.dict.get(member);
    if (node !== undefined) {
      if (flags & ZADD_NX) return AddResult.Nop;
      const cur = node.score;
      if (flags & ZADD_INCR) {
        score += cur;
        if (Number.isNaN(score)) return AddResult.Nan;
      }
      if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return AddResult.Nop;
      this.lastScore = score;
      if (score !== cur) {
        this.list.updateScore(node, this.stored(score));
        return AddResult.Updated;
      }
      return AddResult.Same;
    }
    if (flags & ZADD_XX) return AddResult.Nop;
    if (this.listpack && (this.list.length + 1 > lim.zsetMaxListpackEntries || member.length > lim.zsetMaxListpackValue)) this.listpack = false;
    this.insertNew(member, this.stored(score));
    this.lastScore = score;
    return AddResult.Added;
  }

  /** A listpack keeps integral scores as integers, so -0 is stored (and later read) as 0. */
  private stored(score: number): number {
    return this.listpack && score === 0 ? 0 : score;
  }

  remove(member: string): boolean {
    const node = this.dict.get(member);
    if (node === undefined) return false;
    this.removeNode(node);
    return true;
  }

  removeNode(node: ZEntry): void {
    this.list.delete(node.score, node.member);
    this.dict.delete(node.member);
    this.scanStale++;
    if (this.scanStale > 32 && this.scanStale > this.list.length) {
      this.scanOrder = this.scanOrder.filter((n) => this.dict.get(n.member) === n);
      this.scanStale = 0;
    }
  }

  /** 0-based rank, from the top when reverse; -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const node = this.dict.get(member);
    if (node === undefined) return -1;
    const r = this.list.rank(node.score, member);
    return reverse ? this.list.length - r : r - 1;
  }

  /** Converts back to listpack when a freshly built result is small enough (STORE commands). */
  shrinkEncodingIfFits(lim: ZsetLimits): void {
    if (this.listpack || this.list.length > lim.zsetMaxListpackEntries) return;
    let fits = true;
    this.list.each((e) => {
      if (e.member.length > lim.zsetMaxListpackValue) fits = false;
    });
    if (!fits) return;
    this.listpack = true;
    this.list.normalizeZeros();
  }

  /**
   * One ZSCAN page over the skiplist encoding: up to `count` members whose insertion sequence is
   * at least `cursor`, and the cursor to continue from (0 when done). A member present for the
   * whole scan keeps its sequence number, so it is returned exactly once.
   */
  scanPage(cursor: number, count: number): { nodes: ZEntry[]; next: number } {
    const order = this.scanOrder;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order[mid]!.seq < cursor) lo = mid + 1;
      else hi = mid;
    }
    const nodes: ZEntry[] = [];
    let i = lo;
    for (; i < order.length && nodes.length < count; i++) {
      const n = order[i]!;
      if (this.dict.get(n.member) === n) nodes.push(n);
    }
    while (i < order.length && this.dict.get(order[i]!.member) !== order[i]) i++;
    return { nodes, next: i < order.length ? order[i]!.seq : 0 };
  }

  /**
   * First member in a lex range. A listpack is searched linearly, as Redis does, which matters
   * only when scores differ (lex ranges assume they do not).
   */
  firstInLex(r: LexRange): ZCursor | null {
    if (!this.listpack) return this.list.firstInLex(r);
    const head = this.list.first;
    const tail = this.list.tail;
    if (emptyLexRange(r) || head === null || tail === null || !lexGteMin(tail.member, r) || !lexLteMax(head.member, r)) return null;
    for (const c = this.list.head(); c.entry !== null; c.next()) if (lexGteMin(c.entry.member, r)) return lexLteMax(c.entry.member, r) ? c : null;
    return null;
  }

  lastInLex(r: LexRange): ZCursor | null {
    if (!this.listpack) return this.list.lastInLex(r);
    const head = this.list.first;
    const tail = this.list.tail;
    if (emptyLexRange(r) || head === null || tail === null || !lexGteMin(tail.member, r) || !lexLteMax(head.member, r)) return null;
    for (const c = this.list.end(); c.entry !== null; c.prev()) if (lexLteMax(c.entry.member, r)) return lexGteMin(c.entry.member, r) ? c : null;
    return null;
  }

  /** A uniformly random node. */
  randomNode(): ZEntry {
    return this.list.byRank(1 + Math.floor(Math.random() * this.list.length))!;
  }

  /** [member, score] pairs in order (DUMP, RDB). */
  *entries(): IterableIterator<[string, number]> {
    for (const e of this.members()) yield [e.member, e.score];
  }

  *members(): IterableIterator<ZEntry> {
    for (const c = this.list.head(); c.entry !== null; c.next()) yield c.entry;
  }
}
