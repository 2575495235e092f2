// The member table of large hashes and sets: string keys in insertion order, as a JS Map keeps
// them (HSCAN/SSCAN's ScanIndex relies on that order), with the lookup of key-table.ts. Each cell
// holds a key's hash and the position of its entry in an insertion-ordered log of interleaved
// keys and values; a lookup reads one cell, then compares the key only when the hash matches.
// Small tables have no cells and scan the log.
// Deleting leaves a hole in the log; the log is compacted once holes outnumber entries, except
// while an iteration is in progress (iterators see later insertions and skip deletions, as a
// Map's do).
import { fillsHole, homeCell, tableHash } from './key-table.js';

const MAX_FILL_NUM = 4;
const MAX_FILL_DEN = 5;
const MIN_HOLES_BEFORE_COMPACT = 32;
/**
 * Up to this many entries there are no cells: a lookup scans the log, as a listpack is scanned.
 * Small hashtable-encoded sets (any non-integer member) are common, and cells would make each
 * cost a typed array more than a JS Set does.
 */
const SCAN_MAX = 8;
/** Cells when they are first built. */
const FIRST_CAPACITY = 16;

export class OrderedTable<V> implements Iterable<[string, V]> {
  /** Cell c: tableHash of its key at 2c (0 when free), 1 + the entry's position in the log at 2c+1. */
  private cells: Int32Array | null = null;
  private cap = 0;
  /** Entry i: key at 2i (undefined once deleted), value at 2i+1. */
  private log: (string | V | undefined)[] = [];
  private holes = 0;
  /** Iterations in progress: the log keeps its positions while any runs. */
  private iterating = 0;
  size = 0;

  constructor(entries?: Iterable<[string, V]>) {
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }

  /** Log position of key while there are no cells, or -1. */
  private scan(key: string): number {
    const log = this.log;
    for (let i = 0; i < log.length; i += 2) if (log[i] === key) return i >>> 1;
    return -1;
  }

  /** The cell holding key, or -1 (cells exist). */
  private find(key: string, h: number): number {
    const cells = this.cells!;
    const cap = this.cap;
    let c = homeCell(h, cap);
    for (;;) {
      const x = cells[2 * c]!;
      if (x === 0) return -1;
      if (x === h && this.log[2 * (cells[2 * c + 1]! - 1)] === key) return c;
      if (++c === cap) c = 0;
    }
  }

  /** Log position of key, or -1. */
  private positionOf(key: string): number {
    if (this.cells === null) return this.scan(key);
    const c = this.find(key, tableHash(key));
    return c < 0 ? -1 : this.cells[2 * c + 1]! - 1;
  }

  get(key: string): V | undefined {
    const pos = this.positionOf(key);
    return pos < 0 ? undefined : (this.log[2 * pos + 1] as V);
  }

  has(key: string): boolean {
    return this.positionOf(key) >= 0;
  }

  set(key: string, value: V): this {
    if (this.cells === null) {
      const at = this.scan(key);
      if (at >= 0) {
        this.log[2 * at + 1] = value;
        return this;
      }
      if (this.size < SCAN_MAX) {
        this.log.push(key, value);
        this.size++;
        return this;
      }
      this.buildCells();
    }
    const h = tableHash(key);
    const c = this.find(key, h);
    if (c >= 0) {
      this.log[2 * (this.cells![2 * c + 1]! - 1) + 1] = value;
      return this;
    }
    if ((this.size + 1) * MAX_FILL_DEN > this.cap * MAX_FILL_NUM) this.rebuildCells(this.cap * 2);
    const pos = this.log.length >>> 1;
    this.log.push(key, value);
    this.place(h, pos);
    this.size++;
    return this;
  }

  delete(key: string): boolean {
    let pos: number;
    if (this.cells === null) {
      pos = this.scan(key);
      if (pos < 0) return false;
    } else {
      const c = this.find(key, tableHash(key));
      if (c < 0) return false;
      pos = this.cells[2 * c + 1]! - 1;
      this.removeCell(c);
    }
    const log = this.log;
    if (2 * pos + 2 === log.length) {
      log.length -= 2;
    } else {
      log[2 * pos] = undefined;
      log[2 * pos + 1] = undefined;
      this.holes++;
    }
    this.size--;
    if (this.cap > FIRST_CAPACITY && this.size * 8 < this.cap) this.rebuildCells(Math.max(FIRST_CAPACITY, Math.floor(this.cap / 2)));
    if (this.holes > this.size && (this.cells === null || this.holes > MIN_HOLES_BEFORE_COMPACT) && this.iterating === 0) this.compact();
    return true;
  }

  clear(): void {
    this.cap = 0;
    this.cells = null;
    this.log = [];
    this.holes = 0;
    this.size = 0;
  }

  forEach(fn: (value: V, key: string) => void): void {
    this.iterating++;
    try {
      for (let i = 0; i < this.log.length; i += 2) {
        const k = this.log[i];
        if (k !== undefined) fn(this.log[i + 1] as V, k as string);
      }
    } finally {
      this.iterating--;
    }
  }

  /** What `pick` makes of each live entry (its key's position in the log), in insertion order. */
  private *walk<T>(pick: (log: (string | V | undefined)[], i: number) => T): IterableIterator<T> {
    this.iterating++;
    try {
      for (let i = 0; i < this.log.length; i += 2) if (this.log[i] !== undefined) yield pick(this.log, i);
    } finally {
      this.iterating--;
    }
  }

  entries(): IterableIterator<[string, V]> {
    return this.walk((log, i) => [log[i] as string, log[i + 1] as V]);
  }

  keys(): IterableIterator<string> {
    return this.walk((log, i) => log[i] as string);
  }

  values(): IterableIterator<V> {
    return this.walk((log, i) => log[i + 1] as V);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** Puts (hash, log position) in the first free cell of its probe run. */
  private place(h: number, pos: number): void {
    const cells = this.cells!;
    const cap = this.cap;
    let c = homeCell(h, cap);
    while (cells[2 * c] !== 0) if (++c === cap) c = 0;
    cells[2 * c] = h;
    cells[2 * c + 1] = pos + 1;
  }

  /** Frees cell i, moving later cells of its probe run up so that no lookup stops at the hole. */
  private removeCell(i: number): void {
    const cells = this.cells!;
    const cap = this.cap;
    let j = i;
    for (;;) {
      if (++j === cap) j = 0;
      const x = cells[2 * j]!;
      if (x === 0) break;
      if (fillsHole(i, j, homeCell(x, cap), cap)) {
        cells[2 * i] = x;
        cells[2 * i + 1] = cells[2 * j + 1]!;
        i = j;
      }
    }
    cells[2 * i] = 0;
    cells[2 * i + 1] = 0;
  }

  /** The table outgrew scanning: cells for every entry of the log. */
  private buildCells(): void {
    this.cap = FIRST_CAPACITY;
    this.cells = new Int32Array(2 * FIRST_CAPACITY);
    const log = this.log;
    for (let i = 0; i < log.length; i += 2) {
      const k = log[i];
      if (k !== undefined) this.place(tableHash(k as string), i >>> 1);
    }
  }

  private rebuildCells(cap: number): void {
    const old = this.cells!;
    this.cap = cap;
    this.cells = new Int32Array(2 * cap);
    for (let c = 0; c < old.length; c += 2) if (old[c] !== 0) this.place(old[c]!, old[c + 1]! - 1);
  }

  /** Drops the log's holes and points the cells at the entries' new positions. */
  private compact(): void {
    const log = this.log;
    const entries = log.length >>> 1;
    const moved = new Int32Array(entries);
    const next: (string | V | undefined)[] = [];
    for (let i = 0; i < entries; i++) {
      if (log[2 * i] === undefined) continue;
      moved[i] = (next.length >>> 1) + 1;
      next.push(log[2 * i], log[2 * i + 1]);
    }
    const cells = this.cells;
    if (cells !== null) for (let c = 0; c < cells.length; c += 2) if (cells[c] !== 0) cells[c + 1] = moved[cells[c + 1]! - 1]!;
    this.log = next;
    this.holes = 0;
  }
}
