// The set type: unique latin1 strings.
//
// Encoding follows Redis 7.0 (which has no listpack sets): a set is an "intset" while every
// member is a canonical 64-bit integer and there are at most set-max-intset-entries of them,
// then a "hashtable" for good (only SPOP's bulk path rebuilds a set, and can therefore go back,
// as in Redis). Intsets are kept as a numerically sorted array of the canonical strings, so they
// iterate in ascending order exactly like Redis's intset, and stay compact. Hashtable sets are an
// OrderedTable (insertion order, as a JS Set; cheaper lookups), plus a ScanIndex for SSCAN cursors and random sampling once they hold
// more than SCAN_INDEX_MIN_SIZE members.
import { OrderedTable } from '../ordered-table.js';
import type { EncodingThresholds, RObject } from './object.js';
import { SCAN_INDEX_MIN_SIZE, ScanIndex } from './scan-index.js';

const INT64_MAX = '9223372036854775807';
const INT64_MIN_ABS = '9223372036854775808';

/** True when s is a 64-bit integer in the one spelling Redis's string2ll accepts. */
export function isCanonicalInt64(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > 20) return false;
  if (s === '0') return true;
  const neg = s.charCodeAt(0) === 45; /* - */
  const start = neg ? 1 : 0;
  const digits = len - start;
  if (digits === 0 || digits > 19) return false;
  const first = s.charCodeAt(start);
  if (first < 49 || first > 57) return false;
  for (let i = start + 1; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (digits < 19) return true;
  const body = neg ? s.slice(1) : s;
  return body <= (neg ? INT64_MIN_ABS : INT64_MAX);
}

/** Numeric order of two canonical integer strings. */
export function compareCanonicalInts(a: string, b: string): number {
  if (a === b) return 0;
  const an = a.charCodeAt(0) === 45;
  const bn = b.charCodeAt(0) === 45;
  if (an !== bn) return an ? -1 : 1;
  if (a.length !== b.length) return a.length < b.length !== an ? -1 : 1;
  return a < b !== an ? -1 : 1;
}

function maxIntsetEntries(t: EncodingThresholds): number {
  return Math.min(t.setMaxIntsetEntries, 1 << 30);
}

export class SetValue implements RObject {
  readonly type = 'set' as const;
  chargedBytes = -1;
  /** Intset encoding: sorted canonical integers. Null once hashtable-encoded. */
  private ints: string[] | null = [];
  /** Hashtable encoding: members as keys of an insertion-ordered table (see ordered-table.ts). */
  private members: OrderedTable<true> | null = null;
  private index: ScanIndex | null = null;

  size(): number {
    return this.ints !== null ? this.ints.length : this.members!.size;
  }

  get isIntset(): boolean {
    return this.ints !== null;
  }

  encoding(_cfg?: EncodingThresholds): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  /** Index of m in the intset, or -(insertion point + 1). */
  private static search(ints: string[], m: string): number {
    let lo = 0;
    let hi = ints.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareCanonicalInts(ints[mid]!, m);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -(lo + 1);
  }

  has(m: string): boolean {
    if (this.ints !== null) return isCanonicalInt64(m) && SetValue.search(this.ints, m) >= 0;
    return this.members!.has(m);
  }

  /** Adds a member; true when it was not there. Converts to hashtable as Redis would. */
  add(m: string, t: EncodingThresholds): boolean {
    const ints = this.ints;
    if (ints !== null) {
      if (isCanonicalInt64(m)) {
        const at = SetValue.search(ints, m);
        if (at >= 0) return false;
        // Exact-size copy (like an intset's realloc) rather than splice, which over-allocates.
        const pos = -at - 1;
        const grown = new Array<string>(ints.length + 1);
        for (let k = 0; k < pos; k++) grown[k] = ints[k]!;
        grown[pos] = m;
        for (let k = pos; k < ints.length; k++) grown[k + 1] = ints[k]!;
        this.ints = grown;
        if (grown.length > maxIntsetEntries(t)) this.toHashtable();
        return true;
      }
      this.toHashtable();
    }
    const set = this.members!;
    const before = set.size;
    set.set(m, true);
    if (set.size === before) return false;
    if (this.index !== null) this.index.added(m);
    else this.indexIfLarge();
    return true;
  }

  remove(m: string): boolean {
    const ints = this.ints;
    if (ints !== null) {
      if (!isCanonicalInt64(m)) return false;
      const at = SetValue.search(ints, m);
      if (at < 0) return false;
      ints.splice(at, 1);
      return true;
    }
    const set = this.members!;
    if (!set.delete(m)) return false;
    this.index?.removed(() => set.keys(), set.size);
    return true;
  }

  private static tableOf(members: Iterable<string>): OrderedTable<true> {
    const t = new OrderedTable<true>();
    for (const m of members) t.set(m, true);
    return t;
  }

  private toHashtable(): void {
    this.members = SetValue.tableOf(this.ints!);
    this.ints = null;
    this.indexIfLarge();
  }

  private indexIfLarge(): void {
    if (this.members!.size > SCAN_INDEX_MIN_SIZE) this.index = new ScanIndex(this.members!.keys());
  }

  /**
   * After SPOP removed most members, Redis stores the remainder in a freshly built set, which
   * is an intset again when it can be. Mirrors that so OBJECT ENCODING agrees.
   */
  reencodeAfterBulkPop(t: EncodingThresholds): void {
    const set = this.members;
    if (set === null || set.size > maxIntsetEntries(t)) return;
    for (const m of set.keys()) if (!isCanonicalInt64(m)) return;
    this.ints = [...set.keys()].sort(compareCanonicalInts);
    this.members = null;
    this.index = null;
  }

  /** Members in Redis's iteration order for this encoding (intsets ascending). */
  values(): Iterable<string> {
    return this.ints !== null ? this.ints : this.members!.keys();
  }

  randomMember(): string {
    const ints = this.ints;
    if (ints !== null) return ints[Math.floor(Math.random() * ints.length)]!;
    const idx = this.index;
    const set = this.members!;
    if (idx === null) {
      let i = Math.floor(Math.random() * set.size);
      for (const m of set.keys()) if (i-- === 0) return m;
      throw new Error('randomMember on an empty set');
    }
    // Members re-added since the last compaction have two slots: a small transient bias.
    for (;;) {
      const m = idx.memberAt(Math.floor(Math.random() * idx.slots));
      if (set.has(m)) return m;
    }
  }

  /** One SSCAN step: intsets and small hashtables return everything with cursor 0, large ones page. */
  scan(cursor: number, count: number, out: string[]): number {
    const idx = this.index;
    if (idx === null) {
      for (const m of this.values()) out.push(m);
      return 0;
    }
    const set = this.members!;
    return idx.scan(cursor, count, (m) => set.has(m), out);
  }

  clone(): SetValue {
    const c = new SetValue();
    if (this.ints !== null) c.ints = this.ints.slice();
    else {
      c.ints = null;
      c.members = SetValue.tableOf(this.members!.keys());
      c.indexIfLarge();
    }
    return c;
  }
}
