// Ordered index of a sorted set: a skip list with spans (O(log n) rank and rank lookup), ordered
// by (score, member bytes). Members are latin1 strings, so `<` on them is a byte comparison.

const MAX_LEVEL = 32;
const P = 0.25;

export class SkipNode {
  /**
   * Level i's forward link at [2i] and the number of level-0 steps it skips at [2i+1]: a search
   * step reads both from one small array instead of two (fewer cache misses on big sets).
   */
  readonly links: (SkipNode | number | null)[];
  prev: SkipNode | null = null;
  /** Insertion sequence number of the member (ZSCAN cursor order); kept across score updates. */
  seq = 0;

  constructor(
    readonly member: string,
    public score: number,
    level: number,
  ) {
    this.links = linksOf(level);
  }

  get level(): number {
    return this.links.length >> 1;
  }

  /** The next node in order (level 0), null at the end. */
  get forward(): SkipNode | null {
    return this.links[0] as SkipNode | null;
  }

  nextAt(i: number): SkipNode | null {
    return this.links[2 * i] as SkipNode | null;
  }

  spanAt(i: number): number {
    return this.links[2 * i + 1] as number;
  }

  setNext(i: number, n: SkipNode | null): void {
    this.links[2 * i] = n;
  }

  setSpan(i: number, span: number): void {
    this.links[2 * i + 1] = span;
  }
}

/**
 * Fresh links for a node of `level` levels. Literals for the common levels (3 nodes in 4 have
 * one level) give exact-size packed arrays allocated with the node; arrays grown by push would
 * reserve 17 slots each.
 */
function linksOf(level: number): (SkipNode | number | null)[] {
  if (level === 1) return [null, 0];
  if (level === 2) return [null, 0, null, 0];
  if (level === 3) return [null, 0, null, 0, null, 0];
  const a: (SkipNode | number | null)[] = [null, 0, null, 0, null, 0, null, 0];
  for (let i = 4; i < level; i++) a.push(null, 0);
  return a;
}

/** A score interval; `minex`/`maxex` make the bound exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One end of a lexicographic interval: -1 is "-" (below everything), 1 is "+" (above). */
export interface LexBound {
  inf: -1 | 0 | 1;
  s: string;
  ex: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

function before(score: number, member: string, node: SkipNode): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

export function gteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

export function lteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

export function emptyScoreRange(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** Sign of (bound - member). */
function cmpBound(b: LexBound, member: string): number {
  if (b.inf !== 0) return b.inf;
  return b.s < member ? -1 : b.s > member ? 1 : 0;
}

export function lexGteMin(member: string, r: LexRange): boolean {
  const c = cmpBound(r.min, member);
  return r.min.ex ? c < 0 : c <= 0;
}

export function lexLteMax(member: string, r: LexRange): boolean {
  const c = cmpBound(r.max, member);
  return r.max.ex ? c > 0 : c >= 0;
}

export function emptyLexRange(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let c: number;
  // "-" sorts below every string and "+" above; two equal infinities compare equal.
  if (a.inf !== 0 || b.inf !== 0) c = a.inf === b.inf ? 0 : a.inf < b.inf ? -1 : 1;
  else c = a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  return c > 0 || (c === 0 && (a.ex || b.ex));
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

export class SkipList {
  private readonly head = new SkipNode('', 0, MAX_LEVEL);
  private level = 1;
  tail: SkipNode | null = null;
  length = 0;
  private readonly update: SkipNode[] = new Array<SkipNode>(MAX_LEVEL);
  private readonly rankAt: number[] = new Array<number>(MAX_LEVEL).fill(0);

  get first(): SkipNode | null {
    return this.head.nextAt(0);
  }

  /** Inserts a member that is not present. */
  insert(score: number, member: string): SkipNode {
    const node = new SkipNode(member, score, randomLevel());
    this.link(node);
    return node;
  }

  /** Links a detached node at the position its (score, member) calls for. */
  private link(node: SkipNode): void {
    const update = this.update;
    const rank = this.rankAt;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      let n = x.nextAt(i);
      while (n !== null && before(node.score, node.member, n)) {
        rank[i]! += x.spanAt(i);
        x = n;
        n = x.nextAt(i);
      }
      update[i] = x;
    }
    const level = node.level;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.setSpan(i, this.length);
      }
      this.level = level;
    }
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.setNext(i, u.nextAt(i));
      u.setNext(i, node);
      node.setSpan(i, u.spanAt(i) - (rank[0]! - rank[i]!));
      u.setSpan(i, rank[0]! - rank[i]! + 1);
    }
    for (let i = level; i < this.level; i++) update[i]!.setSpan(i, update[i]!.spanAt(i) + 1);
    node.prev = update[0] === this.head ? null : update[0]!;
    const after = node.nextAt(0);
    if (after !== null) after.prev = node;
    else this.tail = node;
    this.length++;
  }

  /** Finds the update path to the node holding (score, member); returns it or null. */
  private findPath(score: number, member: string): SkipNode | null {
    const update = this.update;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.nextAt(i);
      while (n !== null && before(score, member, n)) {
        x = n;
        n = x.nextAt(i);
      }
      update[i] = x;
    }
    const n = x.nextAt(0);
    return n !== null && n.score === score && n.member === member ? n : null;
  }

  private unlink(node: SkipNode): void {
    const update = this.update;
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (u.nextAt(i) === node) {
        u.setSpan(i, u.spanAt(i) + node.spanAt(i) - 1);
        u.setNext(i, node.nextAt(i));
      } else {
        u.setSpan(i, u.spanAt(i) - 1);
      }
    }
    const after = node.nextAt(0);
    if (after !== null) after.prev = node.prev;
    else this.tail = node.prev;
    while (this.level > 1 && this.head.nextAt(this.level - 1) === null) this.level--;
    this.length--;
    node.links.fill(null);
    for (let i = 1; i < node.links.length; i += 2) node.links[i] = 0;
    node.prev = null;
  }

  /** Removes the member with this score; returns its node or null when absent. */
  delete(score: number, member: string): SkipNode | null {
    const n = this.findPath(score, member);
    if (n !== null) this.unlink(n);
    return n;
  }

  /** Moves a node to a new score, keeping the node object (and its seq). */
  updateScore(node: SkipNode, score: number): void {
    const p = node.prev;
    const n = node.nextAt(0);
    // Stays in place when still ordered between its neighbours.
    if ((p === null || p.score < score || (p.score === score && p.member < node.member)) && (n === null || score < n.score || (score === n.score && node.member < n.member))) {
      node.score = score;
      return;
    }
    this.findPath(node.score, node.member);
    this.unlink(node);
    node.score = score;
    this.link(node);
  }

  /** 1-based rank of (score, member), 0 when absent. */
  rank(score: number, member: string): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.nextAt(i);
      while (n !== null && (n.score < score || (n.score === score && n.member <= member))) {
        rank += x.spanAt(i);
        x = n;
        n = x.nextAt(i);
      }
      if (x !== this.head && x.member === member && x.score === score) return rank;
    }
    return 0;
  }

  /** Node at 1-based rank, or null. */
  byRank(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.nextAt(i);
      while (n !== null && traversed + x.spanAt(i) <= rank) {
        traversed += x.spanAt(i);
        x = n;
        n = x.nextAt(i);
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  firstInRange(r: ScoreRange): SkipNode | null {
    if (emptyScoreRange(r) || this.tail === null || !gteMin(this.tail.score, r) || !lteMax(this.head.nextAt(0)!.score, r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.nextAt(i);
      while (n !== null && !gteMin(n.score, r)) {
        x = n;
        n = x.nextAt(i);
      }
    }
    const n = x.nextAt(0);
    return n !== null && lteMax(n.score, r) ? n : null;
  }

  lastInRange(r: ScoreRange): SkipNode | null {
    if (emptyScoreRange(r) || this.tail === null || !gteMin(this.tail.score, r) || !lteMax(this.head.nextAt(0)!.score, r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.nextAt(i);
      while (n !== null && lteMax(n.score, r)) {
        x = n;
        n = x.nextAt(i);
      }
    }
    return x !== this.head && gteMin(x.score, r) ? x : null;
  }

  firstInLex(r: LexRange): SkipNode | null {
    if (emptyLexRange(r) || this.tail === null || !lexGteMin(this.tail.member, r) || !lexLteMax(this.head.nextAt(0)!.member, r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.nextAt(i);
      while (n !== null && !lexGteMin(n.member, r)) {
        x = n;
        n = x.nextAt(i);
      }
    }
    const n = x.nextAt(0);
    return n !== null && lexLteMax(n.member, r) ? n : null;
  }

  lastInLex(r: LexRange): SkipNode | null {
    if (emptyLexRange(r) || this.tail === null || !lexGteMin(this.tail.member, r) || !lexLteMax(this.head.nextAt(0)!.member, r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.nextAt(i);
      while (n !== null && lexLteMax(n.member, r)) {
        x = n;
        n = x.nextAt(i);
      }
    }
    return x !== this.head && lexGteMin(x.member, r) ? x : null;
  }

  /** Checks the structural invariants (tests only). */
  check(): void {
    let count = 0;
    let prev: SkipNode | null = null;
    for (let n = this.head.nextAt(0); n !== null; n = n.nextAt(0)) {
      if (n.prev !== prev) throw new Error('bad backward link');
      if (prev !== null && !before(n.score, n.member, prev)) throw new Error('out of order');
      prev = n;
      count++;
    }
    if (count !== this.length || this.tail !== prev) throw new Error('bad length or tail');
    for (let i = 0; i < this.level; i++) {
      let pos = 0;
      let x = this.head;
      while (x.nextAt(i) !== null) {
        const n = x.nextAt(i)!;
        pos += x.spanAt(i);
        if (this.rank(n.score, n.member) !== pos) throw new Error(`bad span at level ${i}`);
        x = n;
      }
    }
  }
}
