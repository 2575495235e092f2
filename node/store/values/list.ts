// The list type: a deque of latin1 strings kept in a ring buffer, so pushes and pops at both ends
// are O(1) (amortised over growth) and LINDEX/LSET/LRANGE reach any position in O(1). Inserting
// or removing in the middle (LINSERT, LREM) moves the shorter side, O(n) as in Redis.
//
// Redis 7.0 stores every list as a quicklist (a linked list of listpack nodes sized by
// list-max-listpack-size); OBJECT ENCODING reports "quicklist" whatever the list's size. The
// single-listpack encoding for small lists only arrived in 7.2.
import type { EncodingThresholds, RObject } from './object.js';

const MIN_CAPACITY = 8;

export class ListValue implements RObject {
  readonly type = 'list' as const;
  chargedBytes = -1;
  private buf: (string | undefined)[];
  private head = 0;
  private len = 0;
  /** capacity - 1; the capacity is a power of two. */
  private mask: number;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.buf = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  static of(items: Iterable<string>): ListValue {
    const arr = Array.isArray(items) ? (items as string[]) : [...items];
    const l = new ListValue(arr.length);
    for (const it of arr) l.pushTail(it);
    return l;
  }

  size(): number {
    return this.len;
  }

  clone(): ListValue {
    return ListValue.of(this.values());
  }

  encoding(_cfg?: EncodingThresholds): string {
    return 'quicklist';
  }

  pushHead(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
  }

  pushTail(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Element at 0 <= i < size(). */
  at(i: number): string {
    return this.buf[(this.head + i) & this.mask]!;
  }

  /** Replaces the element at 0 <= i < size(). */
  set(i: number, v: string): void {
    this.buf[(this.head + i) & this.mask] = v;
  }

  /** Elements head to tail. */
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & this.mask]!;
  }

  /** Elements start..end inclusive (0 <= start <= end < size()). */
  slice(start: number, end: number): string[] {
    const out = new Array<string>(end - start + 1);
    for (let i = start; i <= end; i++) out[i - start] = this.buf[(this.head + i) & this.mask]!;
    return out;
  }

  /** Index of the first element equal to v from the head, or -1. */
  indexOf(v: string): number {
    for (let i = 0; i < this.len; i++) if (this.buf[(this.head + i) & this.mask] === v) return i;
    return -1;
  }

  /** Inserts v so that it ends up at position i (0 <= i <= size()). */
  insertAt(i: number, v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    const b = this.buf;
    const m = this.mask;
    if (i < this.len - i) {
      // Shift the i elements before the gap one step towards the head.
      this.head = (this.head - 1) & m;
      for (let j = 0; j < i; j++) b[(this.head + j) & m] = b[(this.head + j + 1) & m];
    } else {
      for (let j = this.len; j > i; j--) b[(this.head + j) & m] = b[(this.head + j - 1) & m];
    }
    b[(this.head + i) & m] = v;
    this.len++;
  }

  /**
   * Removes elements equal to v: up to count of them from the head when count > 0, from the tail
   * when count < 0, all when count is 0. Returns how many were removed.
   */
  remove(v: string, count: number): number {
    const b = this.buf;
    const m = this.mask;
    const limit = count === 0 ? Infinity : Math.abs(count);
    let removed = 0;
    if (count >= 0) {
      let w = 0;
      for (let r = 0; r < this.len; r++) {
        const x = b[(this.head + r) & m]!;
        if (removed < limit && x === v) removed++;
        else {
          if (w !== r) b[(this.head + w) & m] = x;
          w++;
        }
      }
      for (let j = w; j < this.len; j++) b[(this.head + j) & m] = undefined;
    } else {
      let w = this.len - 1;
      for (let r = this.len - 1; r >= 0; r--) {
        const x = b[(this.head + r) & m]!;
        if (removed < limit && x === v) removed++;
        else {
          if (w !== r) b[(this.head + w) & m] = x;
          w--;
        }
      }
      for (let j = 0; j <= w; j++) b[(this.head + j) & m] = undefined;
      this.head = (this.head + removed) & m;
    }
    this.len -= removed;
    this.maybeShrink();
    return removed;
  }

  /** Drops `fromHead` elements at the head and `fromTail` at the tail. */
  trim(fromHead: number, fromTail: number): void {
    if (fromHead + fromTail >= this.len) {
      this.clear();
      return;
    }
    for (let j = 0; j < fromHead; j++) this.buf[(this.head + j) & this.mask] = undefined;
    this.head = (this.head + fromHead) & this.mask;
    this.len -= fromHead;
    for (let j = this.len - fromTail; j < this.len; j++) this.buf[(this.head + j) & this.mask] = undefined;
    this.len -= fromTail;
    this.maybeShrink();
  }

  clear(): void {
    this.buf = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.len = 0;
  }

  /** Releases memory once a large list has mostly drained, without thrashing near the edge. */
  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap > 64 && this.len < cap >>> 2) this.resize(cap >>> 1);
  }

  private resize(cap: number): void {
    const next = new Array<string | undefined>(cap).fill(undefined);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = cap - 1;
    this.head = 0;
  }
}
