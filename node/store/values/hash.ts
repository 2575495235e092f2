// The hash type: field -> value, both latin1 strings.
//
// Encoding follows Redis 7.0: a new hash is a "listpack" (small, insertion ordered) until it gets
// more than hash-max-listpack-entries fields or a field/value longer than hash-max-listpack-value
// bytes; from then on it is a "hashtable" for good, as Redis never converts back. The thresholds
// are applied when writing, so mutators take them. A JS Map keeps insertion order and updates
// values in place, exactly like a listpack, so small hashes reply in the same order Redis does.
// Hashtable-encoded hashes also carry a ScanIndex for HSCAN cursors and random sampling.
import type { EncodingThresholds, RObject } from './object.js';
import { ScanIndex } from './scan-index.js';

export class HashValue implements RObject {
  readonly type = 'hash' as const;
  private readonly map = new Map<string, string>();
  /** Present exactly when the hash is hashtable-encoded. */
  private index: ScanIndex | null = null;

  size(): number {
    return this.map.size;
  }

  get isListpack(): boolean {
    return this.index === null;
  }

  encoding(_cfg?: EncodingThresholds): string {
    return this.index === null ? 'listpack' : 'hashtable';
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /** Sets a field; true when the field is new. Converts to hashtable as Redis would. */
  set(field: string, value: string, t: EncodingThresholds): boolean {
    if (this.index === null && (field.length > t.hashMaxListpackValue || value.length > t.hashMaxListpackValue)) this.toHashtable();
    const before = this.map.size;
    this.map.set(field, value);
    if (this.map.size === before) return false;
    if (this.index !== null) this.index.added(field);
    else if (this.map.size > t.hashMaxListpackEntries) this.toHashtable();
    return true;
  }

  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    if (this.index !== null) this.index.removed(() => this.map.keys(), this.map.size);
    return true;
  }

  private toHashtable(): void {
    this.index = new ScanIndex(this.map.keys());
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  values(): IterableIterator<string> {
    return this.map.values();
  }

  /** A uniformly random field (hashtable: O(1) expected; listpack: O(n) with n small). */
  randomField(): string {
    const idx = this.index;
    if (idx !== null) {
      // Slots of members re-added since the last compaction are counted twice: a small,
      // transient bias, comparable to Redis's own approximately fair sampling.
      for (;;) {
        const f = idx.memberAt(Math.floor(Math.random() * idx.slots));
        if (this.map.has(f)) return f;
      }
    }
    let i = Math.floor(Math.random() * this.map.size);
    for (const f of this.map.keys()) if (i-- === 0) return f;
    throw new Error('randomField on an empty hash');
  }

  /**
   * One HSCAN step. Listpack hashes return everything with cursor 0 (as Redis does for small
   * encodings); hashtable ones page through the ScanIndex. Pushes field, value pairs.
   */
  scan(cursor: number, count: number, out: string[]): number {
    if (this.index === null) {
      for (const [f, v] of this.map) out.push(f, v);
      return 0;
    }
    const fields: string[] = [];
    const next = this.index.scan(cursor, count, (f) => this.map.has(f), fields);
    for (const f of fields) out.push(f, this.map.get(f)!);
    return next;
  }

  clone(): HashValue {
    const c = new HashValue();
    for (const [f, v] of this.map) c.map.set(f, v);
    if (this.index !== null) c.toHashtable();
    return c;
  }
}
