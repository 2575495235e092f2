// One logical database: the keys and values, a per-slot index of the keys (so that a slot's keys
// can be counted, listed and moved cheaply), an expires index, lazy expiry on access and WATCH
// bookkeeping.
import { keySlot, SLOT_COUNT } from '../../common/slots.js';
import type { StoredValue } from './values/object.js';
import { AccessClock } from './access-clock.js';
import { chargeFor, chargedFor, rechargeObject } from './memory.js';
import { KeyTable } from './key-table.js';

export interface KeyspaceEvents {
  /** A key was modified (WATCH, client-side caching and replication hooks). */
  modified(db: Db, key: string): void;
  /**
   * A key that did not exist was stored (Redis's dbAdd): clients blocked on it may be served,
   * whichever command created it (LPUSH, ZADD, RENAME, COPY, RESTORE, MOVE, ...).
   */
  added(db: Db, key: string): void;
  /** A key is about to be deleted because it expired (snapshots capture it first). */
  expiring(db: Db, key: string): void;
  /** A key expired lazily or actively; the deletion must be propagated. */
  expired(db: Db, key: string): void;
}

export type StringEncodingOverride = 'raw' | 'embstr';

/**
 * A zero-length slot array with the elements kind of a filled one (holey, objects), so that the
 * reads of `slots[slot]` see one array map whether a database has keys or not.
 */
function noSlots(): (Set<string> | undefined)[] {
  const a: (Set<string> | undefined)[] = new Array(1);
  a[0] = new Set<string>();
  a.length = 0;
  return a;
}

export class Db {
  /** Every key's value (see key-table.ts); the slot sets below order and group the keys. */
  private values = new KeyTable<StoredValue>();
  /**
   * The keys of each slot in insertion order (undefined when none); only created and deleted keys
   * touch it. Empty (length 0, every read undefined) until the first key: a 16384-cell array is
   * 128 KiB, and most of the 16 databases never hold a key.
   */
  private slots: (Set<string> | undefined)[] = noSlots();
  expires = new Map<string, number>();
  /** Last access (and LFU counter) per key, for eviction and OBJECT IDLETIME/FREQ. */
  clock = new AccessClock();
  /** Keys that can block (lists, zsets) got data: served by the blocking registry. */
  size = 0;
  /** Estimated bytes of the keys and values (see memory.ts). */
  bytes = 0;
  /** While false (a replica, or a script), reads do not delete expired keys; they just hide them. */
  activeExpireAllowed = true;
  /**
   * Strings whose Redis encoding is not the one their content implies: APPEND and SETRANGE
   * leave a raw string, INCRBYFLOAT an embstr even for "3". Empty in most workloads; any store
   * or delete of the key drops the entry.
   */
  private stringEncodings = new Map<string, StringEncodingOverride>();

  constructor(
    readonly index: number,
    private readonly events: KeyspaceEvents,
  ) {}

  /**
   * The keys of a slot in insertion order, undefined when it has none. Live: iterating it while
   * keys are added and deleted behaves as iterating a Set does (new keys come at the end).
   */
  slotKeys(slot: number): ReadonlySet<string> | undefined {
    return this.slots[slot];
  }

  /** The stored value whatever its expiry, without counting an access (snapshots, WATCH, routing). */
  rawGet(key: string): StoredValue | undefined {
    return this.values.get(key);
  }

  /** The value of a live key, expiring it first if its time has come; counts as an access. */
  get(key: string, now: number): StoredValue | undefined {
    const v = this.peek(key, now);
    // peek() found it with values.get(), which left the key's hash behind for the clock.
    if (v !== undefined) this.clock.touchHashed(this.values.lastHash, now);
    return v;
  }

  /** Like get() without recording an access (OBJECT, TYPE, TTL: Redis's LOOKUP_NOTOUCH). */
  peek(key: string, now: number): StoredValue | undefined {
    const v = this.values.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0) {
      const at = this.expires.get(key);
      if (at !== undefined && at <= now) {
        if (this.activeExpireAllowed) {
          this.deleteExpired(key);
        }
        return undefined;
      }
    }
    return v;
  }

  exists(key: string, now: number): boolean {
    return this.get(key, now) !== undefined;
  }

  /**
   * Stores a value. Unless keepTtl, any previous expiry is removed (as SET does). `now`: the
   * caller's clock for a new key's access time (bulk writers read it once per batch).
   */
  set(key: string, value: StoredValue, keepTtl = false, now?: number): void {
    const old = this.values.set(key, value);
    const h = this.values.lastHash;
    if (old !== undefined) this.bytes -= chargedFor(key, old);
    this.bytes += chargeFor(key, value);
    if (old === undefined) {
      const slot = keySlot(key);
      const keys = this.slots[slot];
      if (keys === undefined) {
        if (this.slots.length === 0) this.slots = new Array(SLOT_COUNT);
        this.slots[slot] = new Set<string>().add(key);
      } else keys.add(key);
      this.size++;
      this.events.added(this, key);
      if (this.size > this.clock.capacity) this.clock.grow();
      this.clock.createdHashed(h, now ?? Date.now());
    }
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    if (this.stringEncodings.size !== 0) this.stringEncodings.delete(key);
  }

  /**
   * Replaces the value of an existing key keeping its TTL (in-place updates of strings). `current`,
   * when the caller has just read it, saves looking the old value up again.
   */
  replace(key: string, value: StoredValue, current?: StoredValue): void {
    const old = current ?? this.values.get(key);
    if (old === undefined) return this.set(key, value, true);
    this.bytes += chargeFor(key, value) - chargedFor(key, old);
    this.values.set(key, value);
    if (this.stringEncodings.size !== 0) this.stringEncodings.delete(key);
  }

  /** Records the encoding Redis would report for the string just stored at key (see field). */
  setStringEncoding(key: string, enc: StringEncodingOverride): void {
    this.stringEncodings.set(key, enc);
  }

  /** The recorded encoding of the string at key, undefined when its content decides. */
  stringEncodingOf(key: string): StringEncodingOverride | undefined {
    return this.stringEncodings.size === 0 ? undefined : this.stringEncodings.get(key);
  }

  /** `slot`: the key's slot when the caller knows it (saves hashing the key again). */
  delete(key: string, slot?: number): boolean {
    const old = this.values.delete(key);
    if (old === undefined) return false;
    slot ??= keySlot(key);
    const keys = this.slots[slot]!;
    keys.delete(key);
    if (keys.size === 0) this.slots[slot] = undefined;
    this.bytes -= chargedFor(key, old);
    this.size--;
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.stringEncodings.size !== 0) this.stringEncodings.delete(key);
    return true;
  }

  private deleteExpired(key: string): void {
    this.events.expiring(this, key);
    this.delete(key);
    this.events.expired(this, key);
  }

  /** Deletes the key if expired; true when it did. Used by the active expiry cycle. */
  expireIfDue(key: string, now: number): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at > now) return false;
    this.deleteExpired(key);
    return true;
  }

  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, at: number): void {
    this.expires.set(key, at);
  }

  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  touch(key: string): void {
    this.events.modified(this, key);
  }

  countInSlot(slot: number): number {
    return this.slots[slot]?.size ?? 0;
  }

  keysInSlot(slot: number, count: number): string[] {
    const keys = this.slots[slot];
    if (keys === undefined) return [];
    const out: string[] = [];
    for (const k of keys) {
      if (out.length >= count) break;
      out.push(k);
    }
    return out;
  }

  /** Iterates every stored key (including not-yet-reaped expired ones). */
  *entries(): IterableIterator<[string, StoredValue]> {
    for (let s = 0; s < SLOT_COUNT; s++) {
      const keys = this.slots[s];
      if (keys === undefined) continue;
      for (const k of keys) yield [k, this.values.get(k)!];
    }
  }

  /** First slot >= from that holds keys, or -1. */
  nextNonEmptySlot(from: number): number {
    for (let s = from; s < SLOT_COUNT; s++) if (this.slots[s] !== undefined) return s;
    return -1;
  }

  flush(): void {
    this.values.clear();
    this.slots.fill(undefined);
    this.expires.clear();
    this.stringEncodings.clear();
    this.size = 0;
    this.bytes = 0;
    this.clock.reset();
  }

  /** A command changed the value at key in place: re-estimate a collection's size. */
  recharge(key: string): void {
    const v = this.values.getRecent(key);
    if (v !== undefined && typeof v !== 'string') this.bytes += rechargeObject(v);
  }

  /** SWAPDB: exchanges every key, expiry and clock with another database. */
  swapContents(other: Db): void {
    this.values.swap(other.values);
    [this.slots, other.slots] = [other.slots, this.slots];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.stringEncodings, other.stringEncodings] = [other.stringEncodings, this.stringEncodings];
    [this.size, other.size] = [other.size, this.size];
    [this.bytes, other.bytes] = [other.bytes, this.bytes];
    [this.clock, other.clock] = [other.clock, this.clock];
  }

  /** Removes every key of one slot (CLUSTER DELSLOTS aftermath, migration cleanup). */
  flushSlot(slot: number): number {
    const keys = this.slots[slot];
    if (keys === undefined) return 0;
    for (const k of keys) {
      this.bytes -= chargedFor(k, this.values.delete(k)!);
      if (this.expires.size !== 0) this.expires.delete(k);
      if (this.stringEncodings.size !== 0) this.stringEncodings.delete(k);
    }
    this.slots[slot] = undefined;
    this.size -= keys.size;
    return keys.size;
  }

  /** A uniformly random slot-weighted key, or undefined when empty. */
  randomKey(): string | undefined {
    if (this.size === 0) return undefined;
    for (let tries = 0; tries < 64; tries++) {
      const s = this.nextNonEmptySlot(Math.floor(Math.random() * SLOT_COUNT));
      const keys = s === -1 ? this.slots[this.nextNonEmptySlot(0)] : this.slots[s];
      if (keys === undefined) continue;
      let i = Math.floor(Math.random() * keys.size);
      for (const k of keys) if (i-- === 0) return k;
    }
    return undefined;
  }
}
