// The hash type: field -> value, both latin1 strings.
//
// Encoding follows Redis 7.0: a new hash is a "listpack" until it gets more than
// hash-max-listpack-entries fields or a field/value longer than hash-max-listpack-value bytes;
// from then on it is a "hashtable" for good, as Redis never converts back. The thresholds are
// applied when writing, so mutators take them.
// - listpack: fields and values interleaved in one array, insertion ordered, values updated in
//   place, lookups by linear scan over at most hash-max-listpack-entries fields, exactly like a
//   real listpack (and in the same order, so small hashes reply as Redis does). One flat array is
//   a fraction of the memory of a Map, which matters for the many small hashes Redis users keep.
// - hashtable: an OrderedTable (insertion ordered, as a Map; cheaper lookups), plus a ScanIndex for HSCAN cursors and random
//   sampling once it holds more than SCAN_INDEX_MIN_SIZE fields.
import { OrderedTable } from '../ordered-table.js';
import type { EncodingThresholds, RObject } from './object.js';
import { SCAN_INDEX_MIN_SIZE, ScanIndex } from './scan-index.js';

export class HashValue implements RObject {
  readonly type = 'hash' as const;
  chargedBytes = -1;
  /** Listpack encoding: field, value, field, value... Null once hashtable-encoded. */
  private pairs: string[] | null = [];
  /** Hashtable encoding: an insertion-ordered open-addressing table (see ordered-table.ts). */
  private map: OrderedTable<string> | null = null;
  private index: ScanIndex | null = null;

  size(): number {
    return this.pairs !== null ? this.pairs.length >>> 1 : this.map!.size;
  }

  get isListpack(): boolean {
    return this.pairs !== null;
  }

  encoding(_cfg?: EncodingThresholds): string {
    return this.pairs !== null ? 'listpack' : 'hashtable';
  }

  /** Position of field in the listpack array, or -1. */
  private find(pairs: string[], field: string): number {
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === field) return i;
    return -1;
  }

  get(field: string): string | undefined {
    const p = this.pairs;
    if (p === null) return this.map!.get(field);
    const i = this.find(p, field);
    return i < 0 ? undefined : p[i + 1];
  }

  has(field: string): boolean {
    const p = this.pairs;
    return p === null ? this.map!.has(field) : this.find(p, field) >= 0;
  }

  /** Sets a field; true when the field is new. Converts to hashtable as Redis would. */
  set(field: string, value: string, t: EncodingThresholds): boolean {
    const p = this.pairs;
    if (p !== null) {
      if (field.length <= t.hashMaxListpackValue && value.length <= t.hashMaxListpackValue) {
        const i = this.find(p, field);
        if (i >= 0) {
          p[i + 1] = value;
          return false;
        }
        // Exact-size copy rather than push: push over-allocates, doubling a small hash's size.
        const n = p.length;
        const grown = new Array<string>(n + 2);
        for (let k = 0; k < n; k++) grown[k] = p[k]!;
        grown[n] = field;
        grown[n + 1] = value;
        this.pairs = grown;
        if (n / 2 + 1 > t.hashMaxListpackEntries) this.toHashtable();
        return true;
      }
      this.toHashtable();
    }
    const map = this.map!;
    const before = map.size;
    map.set(field, value);
    if (map.size === before) return false;
    if (this.index !== null) this.index.added(field);
    else this.indexIfLarge();
    return true;
  }

  delete(field: string): boolean {
    const p = this.pairs;
    if (p !== null) {
      const i = this.find(p, field);
      if (i < 0) return false;
      p.splice(i, 2);
      return true;
    }
    const map = this.map!;
    if (!map.delete(field)) return false;
    this.index?.removed(() => map.keys(), map.size);
    return true;
  }

  private toHashtable(): void {
    const p = this.pairs!;
    const map = new OrderedTable<string>();
    for (let i = 0; i < p.length; i += 2) map.set(p[i]!, p[i + 1]!);
    this.map = map;
    this.pairs = null;
    this.indexIfLarge();
  }

  private indexIfLarge(): void {
    if (this.map!.size > SCAN_INDEX_MIN_SIZE) this.index = new ScanIndex(this.map!.keys());
  }

  /** Calls fn for every field in Redis's iteration order for this encoding. */
  forEach(fn: (field: string, value: string) => void): void {
    const p = this.pairs;
    if (p === null) {
      for (const [f, v] of this.map!) fn(f, v);
      return;
    }
    for (let i = 0; i < p.length; i += 2) fn(p[i]!, p[i + 1]!);
  }

  /** Field, value pairs in iteration order (for codecs; commands use forEach). */
  *entries(): IterableIterator<[string, string]> {
    const p = this.pairs;
    if (p === null) {
      yield* this.map!;
      return;
    }
    for (let i = 0; i < p.length; i += 2) yield [p[i]!, p[i + 1]!];
  }

  *keys(): IterableIterator<string> {
    const p = this.pairs;
    if (p === null) {
      yield* this.map!.keys();
      return;
    }
    for (let i = 0; i < p.length; i += 2) yield p[i]!;
  }

  *values(): IterableIterator<string> {
    const p = this.pairs;
    if (p === null) {
      yield* this.map!.values();
      return;
    }
    for (let i = 1; i < p.length; i += 2) yield p[i]!;
  }

  /** The fields, in iteration order (a fresh array). */
  fields(): string[] {
    const p = this.pairs;
    if (p === null) return [...this.map!.keys()];
    const out = new Array<string>(p.length >>> 1);
    for (let i = 0; i < p.length; i += 2) out[i >>> 1] = p[i]!;
    return out;
  }

  /** A uniformly random field (O(1), or O(n) for small unindexed hashtables). */
  randomField(): string {
    const p = this.pairs;
    if (p !== null) return p[2 * Math.floor(Math.random() * (p.length >>> 1))]!;
    const map = this.map!;
    const idx = this.index;
    if (idx !== null) {
      // Slots of fields re-added since the last compaction are counted twice: a small,
      // transient bias, comparable to Redis's own approximately fair sampling.
      for (;;) {
        const f = idx.memberAt(Math.floor(Math.random() * idx.slots));
        if (map.has(f)) return f;
      }
    }
    let i = Math.floor(Math.random() * map.size);
    for (const f of map.keys()) if (i-- === 0) return f;
    throw new Error('randomField on an empty hash');
  }

  /**
   * One HSCAN step. Listpack hashes (as Redis does for small encodings) and small hashtables
   * return everything with cursor 0; large ones page through the ScanIndex. Pushes field, value
   * pairs.
   */
  scan(cursor: number, count: number, out: string[]): number {
    const idx = this.index;
    if (idx === null) {
      this.forEach((f, v) => out.push(f, v));
      return 0;
    }
    const map = this.map!;
    const fields: string[] = [];
    const next = idx.scan(cursor, count, (f) => map.has(f), fields);
    for (const f of fields) out.push(f, map.get(f)!);
    return next;
  }

  clone(): HashValue {
    const c = new HashValue();
    if (this.pairs !== null) c.pairs = this.pairs.slice();
    else {
      c.pairs = null;
      c.map = new OrderedTable(this.map!);
      c.indexIfLarge();
    }
    return c;
  }
}
