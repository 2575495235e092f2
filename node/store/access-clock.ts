// Approximate per-key access clock for LRU/LFU eviction and OBJECT IDLETIME/FREQ, kept in a
// hashed side table instead of on the values: strings stay bare JS strings, and the cost is a few
// bytes per key. Keys that share a table cell share a clock (like Redis's approximate LRU, this
// only makes the idle time of the less recently used key look smaller).
import { tableHash } from './key-table.js';

/** Clock units: 10 ms, so LRU tells apart keys used within the same second; wraps after ~497 days. */
const UNIT_MS = 10;
const MIN_BITS = 12;

/**
 * A key's clock cell comes from its key-table hash (tableHash), which the keyspace has just
 * computed for the lookup that counts as the access: no second hash of the key per command.
 * Bit 0 of that hash is always set, so cells are chosen from the bits above it.
 */
function cellBits(h: number): number {
  return h >>> 1;
}

export class AccessClock {
  private times: Uint32Array = new Uint32Array(1 << MIN_BITS);
  /** LFU counters (logarithmic, as Redis's), allocated when an LFU policy is in use. */
  private freqs: Uint8Array | null = null;
  private mask = (1 << MIN_BITS) - 1;

  static units(nowMs: number): number {
    // 0 marks a cell never written; clocks skip it.
    return Math.floor(nowMs / UNIT_MS) >>> 0 || 1;
  }

  get capacity(): number {
    return this.times.length;
  }

  /** Doubles the table; each key keeps its value because its new cell aliases its old one. */
  grow(): void {
    const old = this.times;
    const next = new Uint32Array(old.length * 2);
    next.set(old, 0);
    next.set(old, old.length);
    this.times = next;
    if (this.freqs !== null) {
      const f = new Uint8Array(next.length);
      f.set(this.freqs, 0);
      f.set(this.freqs, this.freqs.length);
      this.freqs = f;
    }
    this.mask = next.length - 1;
  }

  reset(): void {
    this.times = new Uint32Array(1 << MIN_BITS);
    if (this.freqs !== null) this.freqs = new Uint8Array(this.times.length).fill(LFU_INIT_VAL);
    this.mask = (1 << MIN_BITS) - 1;
  }

  touch(key: string, nowMs: number): void {
    this.touchHashed(tableHash(key), nowMs);
  }

  /** touch() of the key whose tableHash is `h`. */
  touchHashed(h: number, nowMs: number): void {
    const i = cellBits(h) & this.mask;
    if (this.freqs !== null) this.freqs[i] = lfuIncrement(this.decayed(i, nowMs), this.lfuLogFactor);
    this.times[i] = AccessClock.units(nowMs);
  }

  /** A key just created: fresh clock and, under LFU, the initial counter. */
  created(key: string, nowMs: number): void {
    this.createdHashed(tableHash(key), nowMs);
  }

  /** created() of the key whose tableHash is `h`. */
  createdHashed(h: number, nowMs: number): void {
    const i = cellBits(h) & this.mask;
    this.times[i] = AccessClock.units(nowMs);
    if (this.freqs !== null) this.freqs[i] = LFU_INIT_VAL;
  }

  /** Whole seconds of the clock since the last use, as Redis's 1-second LRU clock counts them. */
  idleSeconds(key: string, nowMs: number): number {
    const t = this.times[cellBits(tableHash(key)) & this.mask]!;
    if (t === 0) return 0;
    const perSecond = 1000 / UNIT_MS;
    return Math.max(0, Math.floor(AccessClock.units(nowMs) / perSecond) - Math.floor(t / perSecond));
  }

  /** Milliseconds since the key was last used (approximate). */
  idleMs(key: string, nowMs: number): number {
    const t = this.times[cellBits(tableHash(key)) & this.mask]!;
    if (t === 0) return 0;
    return ((AccessClock.units(nowMs) - t) >>> 0) * UNIT_MS;
  }

  // ---- LFU ---------------------------------------------------------------------------------
  lfuLogFactor = 10;
  lfuDecayMinutes = 1;

  enableLfu(on: boolean): void {
    // Keys that predate the switch start from 0, as in Redis where their LRU bits decay to 0.
    if (on && this.freqs === null) this.freqs = new Uint8Array(this.times.length);
    if (!on) this.freqs = null;
  }

  /** The LFU counter after decay, as OBJECT FREQ reports it. */
  frequency(key: string, nowMs: number): number {
    if (this.freqs === null) return 0;
    return this.decayed(cellBits(tableHash(key)) & this.mask, nowMs);
  }

  private decayed(i: number, nowMs: number): number {
    const c = this.freqs![i]!;
    const t = this.times[i]!;
    if (t === 0 || this.lfuDecayMinutes <= 0) return c;
    const minutes = Math.floor((((AccessClock.units(nowMs) - t) >>> 0) * UNIT_MS) / 60000);
    const periods = Math.floor(minutes / this.lfuDecayMinutes);
    return periods >= c ? 0 : c - periods;
  }
}

export const LFU_INIT_VAL = 5;

/** Logarithmic increment: the higher the counter, the less likely it grows. */
export function lfuIncrement(counter: number, logFactor: number, rnd: number = Math.random()): number {
  if (counter >= 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  const p = 1 / (base * logFactor + 1);
  return rnd < p ? counter + 1 : counter;
}
