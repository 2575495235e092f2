// Ordered index of a sorted set, ordered by (score, member bytes): a sequence of sorted blocks.
// A search binary-searches the blocks' last scores (one Float64Array), then one block's scores
// (another Float64Array); member strings are read only on equal scores. A skip list touched 3-4
// scattered heap objects per visited node, and on big sets that memory latency was most of the
// cost of ZADD. Block sizes are kept in a Fenwick tree, so rank and rank lookup are O(log n).
// Members are latin1 strings, so `<` on them is a byte comparison.
import { emptyLexRange, emptyScoreRange, gteMin, lexGteMin, lexLteMax, lteMax, type LexRange, type ScoreRange } from './zset-range.js';

/** Entries a block holds before it splits in two. */
const CAP = 128;
/** A block smaller than this is merged with (or balanced against) a neighbour. */
const MIN = CAP >> 2;

/** One member of a sorted set: the handle the member map and ZSCAN order hold. */
export class ZEntry {
  constructor(
    readonly member: string,
    public score: number,
    /** Insertion sequence number of the member (ZSCAN cursor order); kept across score updates. */
    public seq: number,
  ) {}
}

class Block {
  /** Scores of the entries, in order; only the first `entries.length` are used. */
  readonly scores = new Float64Array(CAP);
  entries: ZEntry[] = [];
}

/** A position in the index; moving past either end makes it invalid (`entry` null). */
export class ZCursor {
  constructor(
    private readonly idx: SortedBlocks,
    private b: number,
    private i: number,
  ) {}

  get entry(): ZEntry | null {
    return this.idx.blocks[this.b]?.entries[this.i] ?? null;
  }

  next(): void {
    const blk = this.idx.blocks[this.b];
    if (blk === undefined) return;
    if (++this.i >= blk.entries.length) {
      this.b++;
      this.i = 0;
    }
  }

  prev(): void {
    const nb = this.idx.blocks.length;
    if (this.b < 0) return;
    if (this.b >= nb) {
      this.b = nb - 1;
      this.i = nb === 0 ? 0 : this.idx.blocks[nb - 1]!.entries.length - 1;
    } else if (--this.i < 0) {
      this.b--;
      this.i = this.b >= 0 ? this.idx.blocks[this.b]!.entries.length - 1 : 0;
    }
  }

  /** 0-based rank of the position (valid positions only). */
  rank(): number {
    return this.idx.prefix(this.b) + this.i;
  }
}

function highBit(n: number): number {
  return n === 0 ? 0 : 1 << (31 - Math.clz32(n));
}

export class SortedBlocks {
  /** @internal read by ZCursor */
  blocks: Block[] = [];
  /** Last score of each block. */
  private last = new Float64Array(16);
  /** Fenwick tree (1-based) over the block sizes. */
  private fen = new Int32Array(17);
  length = 0;

  get first(): ZEntry | null {
    return this.blocks[0]?.entries[0] ?? null;
  }

  get tail(): ZEntry | null {
    const b = this.blocks[this.blocks.length - 1];
    return b === undefined ? null : b.entries[b.entries.length - 1]!;
  }

  /** Index of the first block whose last entry is at or after (score, member); may be blocks.length. */
  private blockFor(score: number, member: string): number {
    const last = this.last;
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = last[mid]!;
      if (s < score || (s === score && this.lastMember(mid) < member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lastMember(b: number): string {
    const e = this.blocks[b]!.entries;
    return e[e.length - 1]!.member;
  }

  /** Inserts an entry whose member is not present. */
  insert(e: ZEntry): void {
    const score = e.score;
    const member = e.member;
    if (this.blocks.length === 0) {
      const blk = new Block();
      blk.scores[0] = score;
      blk.entries.push(e);
      this.blocks.push(blk);
      this.length = 1;
      this.rebuild();
      return;
    }
    let b = this.blockFor(score, member);
    if (b === this.blocks.length) b--;
    const blk = this.blocks[b]!;
    const n = blk.entries.length;
    const i = lowerBound(blk, score, member);
    // Plain loops: the shifts are short, and splice/copyWithin calls cost more than they move.
    const scores = blk.scores;
    const entries = blk.entries;
    entries.push(e);
    for (let k = n; k > i; k--) {
      scores[k] = scores[k - 1]!;
      entries[k] = entries[k - 1]!;
    }
    scores[i] = score;
    entries[i] = e;
    this.length++;
    if (i === n) this.last[b] = score;
    if (n + 1 === CAP) this.split(b);
    else this.fenAdd(b, 1);
  }

  /** Removes the entry holding (score, member); returns it, or null when absent. */
  delete(score: number, member: string): ZEntry | null {
    const b = this.blockFor(score, member);
    if (b === this.blocks.length) return null;
    const blk = this.blocks[b]!;
    const i = lowerBound(blk, score, member);
    const e = blk.entries[i];
    if (e === undefined || e.member !== member || blk.scores[i] !== score) return null;
    this.removeAt(b, i);
    return e;
  }

  private removeAt(b: number, i: number): void {
    const blk = this.blocks[b]!;
    const n = blk.entries.length;
    const scores = blk.scores;
    const entries = blk.entries;
    for (let k = i + 1; k < n; k++) {
      scores[k - 1] = scores[k]!;
      entries[k - 1] = entries[k]!;
    }
    entries.pop();
    this.length--;
    if (n - 1 === 0) {
      this.blocks.splice(b, 1);
      this.rebuild();
      return;
    }
    if (i === n - 1) this.last[b] = blk.scores[n - 2]!;
    if (n - 1 < MIN && this.blocks.length > 1) this.rebalance(b);
    else this.fenAdd(b, -1);
  }

  /** Moves an entry to a new score. */
  updateScore(e: ZEntry, score: number): void {
    const member = e.member;
    const b = this.blockFor(e.score, member);
    const blk = this.blocks[b]!;
    const i = lowerBound(blk, e.score, member);
    const n = blk.entries.length;
    // Small moves (ZINCRBY on a leaderboard) stay inside the block: when the new key lies
    // strictly between the block's other first and last entries, the block's size does not change
    // and its order against the neighbouring blocks holds.
    if (n >= 3) {
      const f = i === 0 ? 1 : 0;
      const l = i === n - 1 ? n - 2 : n - 1;
      if (keyBefore(blk.scores[f]!, blk.entries[f]!.member, score, member) && keyBefore(score, member, blk.scores[l]!, blk.entries[l]!.member)) {
        this.moveWithin(blk, i, score, e);
        this.last[b] = blk.scores[n - 1]!;
        return;
      }
    }
    this.removeAt(b, i);
    e.score = score;
    this.insert(e);
  }

  private moveWithin(blk: Block, i: number, score: number, e: ZEntry): void {
    const scores = blk.scores;
    const entries = blk.entries;
    const n = entries.length;
    for (let k = i + 1; k < n; k++) {
      scores[k - 1] = scores[k]!;
      entries[k - 1] = entries[k]!;
    }
    entries.length = n - 1;
    const j = lowerBound(blk, score, e.member);
    entries.push(e);
    for (let k = n - 1; k > j; k--) {
      scores[k] = scores[k - 1]!;
      entries[k] = entries[k - 1]!;
    }
    scores[j] = score;
    entries[j] = e;
    e.score = score;
  }

  /** 1-based rank of (score, member), 0 when absent. */
  rank(score: number, member: string): number {
    const b = this.blockFor(score, member);
    if (b === this.blocks.length) return 0;
    const blk = this.blocks[b]!;
    const i = lowerBound(blk, score, member);
    const e = blk.entries[i];
    if (e === undefined || e.member !== member || blk.scores[i] !== score) return 0;
    return this.prefix(b) + i + 1;
  }

  /** Entry at 1-based rank, or null. */
  byRank(rank: number): ZEntry | null {
    if (rank < 1 || rank > this.length) return null;
    const c = this.at(rank - 1);
    return c.entry;
  }

  /** Cursor at 0-based rank (invalid when out of range). */
  at(rank0: number): ZCursor {
    if (rank0 < 0 || rank0 >= this.length) return new ZCursor(this, -1, 0);
    const fen = this.fen;
    const nb = this.blocks.length;
    let pos = 0;
    let rem = rank0;
    for (let step = highBit(nb); step > 0; step >>= 1) {
      const nx = pos + step;
      if (nx <= nb && fen[nx]! <= rem) {
        pos = nx;
        rem -= fen[nx]!;
      }
    }
    return new ZCursor(this, pos, rem);
  }

  /** Cursor at the first entry, invalid when empty. */
  head(): ZCursor {
    return new ZCursor(this, this.length === 0 ? -1 : 0, 0);
  }

  /** Cursor at the last entry, invalid when empty. */
  end(): ZCursor {
    const nb = this.blocks.length;
    return new ZCursor(this, nb - 1, nb === 0 ? 0 : this.blocks[nb - 1]!.entries.length - 1);
  }

  /** First position whose entry fails `before` (a predicate true on a prefix of the order). */
  private partition(before: (score: number, blk: Block, i: number) => boolean): ZCursor {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const blk = blocks[mid]!;
      const n = blk.entries.length - 1;
      if (before(this.last[mid]!, blk, n)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === blocks.length) return new ZCursor(this, lo, 0);
    const blk = blocks[lo]!;
    let a = 0;
    let z = blk.entries.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (before(blk.scores[mid]!, blk, mid)) a = mid + 1;
      else z = mid;
    }
    return new ZCursor(this, lo, a);
  }

  firstInRange(r: ScoreRange): ZCursor | null {
    if (emptyScoreRange(r) || this.length === 0) return null;
    const c = this.partition((s) => !gteMin(s, r));
    const e = c.entry;
    return e !== null && lteMax(e.score, r) ? c : null;
  }

  lastInRange(r: ScoreRange): ZCursor | null {
    if (emptyScoreRange(r) || this.length === 0) return null;
    const c = this.partition((s) => lteMax(s, r));
    c.prev();
    const e = c.entry;
    return e !== null && gteMin(e.score, r) ? c : null;
  }

  firstInLex(r: LexRange): ZCursor | null {
    if (emptyLexRange(r) || this.length === 0) return null;
    const c = this.partition((_s, blk, i) => !lexGteMin(blk.entries[i]!.member, r));
    const e = c.entry;
    return e !== null && lexLteMax(e.member, r) ? c : null;
  }

  lastInLex(r: LexRange): ZCursor | null {
    if (emptyLexRange(r) || this.length === 0) return null;
    const c = this.partition((_s, blk, i) => lexLteMax(blk.entries[i]!.member, r));
    c.prev();
    const e = c.entry;
    return e !== null && lexGteMin(e.member, r) ? c : null;
  }

  /** Calls fn on every entry in order. */
  each(fn: (e: ZEntry) => void): void {
    for (const blk of this.blocks) for (const e of blk.entries) fn(e);
  }

  /** Rewrites stored -0 scores as 0 (a listpack keeps integral scores as integers). */
  normalizeZeros(): void {
    for (let b = 0; b < this.blocks.length; b++) {
      const blk = this.blocks[b]!;
      for (let i = 0; i < blk.entries.length; i++) {
        if (blk.scores[i] === 0) {
          blk.scores[i] = 0;
          blk.entries[i]!.score = 0;
        }
      }
      this.last[b] = blk.scores[blk.entries.length - 1]!;
    }
  }

  /** @internal Number of entries in blocks before b. */
  prefix(b: number): number {
    const fen = this.fen;
    let s = 0;
    for (let i = b; i > 0; i -= i & -i) s += fen[i]!;
    return s;
  }

  private fenAdd(b: number, d: number): void {
    const fen = this.fen;
    const nb = this.blocks.length;
    for (let i = b + 1; i <= nb; i += i & -i) fen[i]! += d;
  }

  private split(b: number): void {
    const blk = this.blocks[b]!;
    const n = blk.entries.length;
    const half = n >> 1;
    const right = new Block();
    right.scores.set(blk.scores.subarray(half, n));
    right.entries = blk.entries.slice(half);
    blk.entries.length = half;
    this.blocks.splice(b + 1, 0, right);
    this.rebuild();
  }

  /** Merges block b into a neighbour, or evens the two out when together they are large. */
  private rebalance(b: number): void {
    const l = b + 1 < this.blocks.length ? b : b - 1;
    const left = this.blocks[l]!;
    const right = this.blocks[l + 1]!;
    const nl = left.entries.length;
    const nr = right.entries.length;
    const total = nl + nr;
    if (total <= (CAP * 3) >> 2) {
      left.scores.set(right.scores.subarray(0, nr), nl);
      left.entries = left.entries.concat(right.entries);
      this.blocks.splice(l + 1, 1);
    } else {
      const scores = new Float64Array(total);
      scores.set(left.scores.subarray(0, nl));
      scores.set(right.scores.subarray(0, nr), nl);
      const entries = left.entries.concat(right.entries);
      const half = total >> 1;
      left.scores.set(scores.subarray(0, half));
      left.entries = entries.slice(0, half);
      right.scores.set(scores.subarray(half));
      right.entries = entries.slice(half);
    }
    this.rebuild();
  }

  /** Recomputes the last scores and the Fenwick tree after blocks were added or removed. */
  private rebuild(): void {
    const nb = this.blocks.length;
    if (this.last.length < nb) this.last = new Float64Array(Math.max(nb, this.last.length * 2));
    if (this.fen.length < nb + 1) this.fen = new Int32Array(Math.max(nb + 1, this.fen.length * 2));
    const fen = this.fen;
    fen.fill(0, 0, nb + 1);
    for (let b = 0; b < nb; b++) {
      const n = this.blocks[b]!.entries.length;
      this.last[b] = n === 0 ? 0 : this.blocks[b]!.scores[n - 1]!;
      fen[b + 1]! += n;
      const up = b + 1 + ((b + 1) & -(b + 1));
      if (up <= nb) fen[up]! += fen[b + 1]!;
    }
  }

  /** Checks the structural invariants (tests only). */
  check(): void {
    let count = 0;
    let prev: ZEntry | null = null;
    for (let b = 0; b < this.blocks.length; b++) {
      const blk = this.blocks[b]!;
      const n = blk.entries.length;
      if (n === 0 || n >= CAP) throw new Error(`bad block size ${n}`);
      if (this.prefix(b) !== count) throw new Error('bad block counts');
      for (let i = 0; i < n; i++) {
        const e = blk.entries[i]!;
        if (!Object.is(blk.scores[i], e.score)) throw new Error('score out of sync');
        if (prev !== null && !(prev.score < e.score || (prev.score === e.score && prev.member < e.member))) throw new Error('out of order');
        prev = e;
      }
      if (!Object.is(this.last[b], blk.scores[n - 1])) throw new Error('bad last score');
      count += n;
    }
    if (count !== this.length) throw new Error('bad length');
  }
}

/** (s1, m1) orders strictly before (s2, m2). */
function keyBefore(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

/** First index in blk whose (score, member) is at or after the given one. */
function lowerBound(blk: Block, score: number, member: string): number {
  const scores = blk.scores;
  let lo = 0;
  let hi = blk.entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = scores[mid]!;
    if (s < score || (s === score && blk.entries[mid]!.member < member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
