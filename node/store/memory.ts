// Used-memory accounting. V8 reports heap use only as garbage is collected, which makes the heap
// figure swing by tens of megabytes with no change to the data; eviction needs a figure that
// drops as soon as a key is deleted. So used memory is the process's footprint at startup plus
// an estimate of the dataset, kept up to date by the keyspace on every store and delete (strings
// exactly by length, collections by element count, re-estimated when a command modifies them).
import type { StoredValue, RObject } from './values/object.js';

/** Rough per-key overhead: map entry, string headers, expiry entry. */
export const KEY_OVERHEAD = 64;
/** Rough cost of one element of a collection. */
export const ELEMENT_COST = 48;

function objectBytes(o: RObject): number {
  return o.size() * ELEMENT_COST;
}

/** Bytes a key and its value are charged now (recording the charge of a collection). */
export function chargeFor(key: string, v: StoredValue): number {
  if (typeof v === 'string') return KEY_OVERHEAD + key.length + v.length;
  const b = objectBytes(v);
  v.chargedBytes = b;
  return KEY_OVERHEAD + key.length + b;
}

/** Bytes a key and its value were charged when stored or last re-estimated. */
export function chargedFor(key: string, v: StoredValue): number {
  if (typeof v === 'string') return KEY_OVERHEAD + key.length + v.length;
  return KEY_OVERHEAD + key.length + (v.chargedBytes < 0 ? objectBytes(v) : v.chargedBytes);
}

/** Change in charge of a collection modified in place since its last estimate. */
export function rechargeObject(o: RObject): number {
  const before = o.chargedBytes < 0 ? 0 : o.chargedBytes;
  const now = objectBytes(o);
  o.chargedBytes = now;
  return now - before;
}

export class MemoryMeter {
  /** Heap in use when the server started: the fixed cost of the process. */
  private baseline = 0;
  peak = 0;

  start(): void {
    const m = process.memoryUsage();
    this.baseline = m.heapUsed + m.external;
  }

  /** Baseline plus the dataset estimate of every database. */
  used(datasetBytes: number): number {
    const v = this.baseline + datasetBytes;
    if (v > this.peak) this.peak = v;
    return v;
  }
}
