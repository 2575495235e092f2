// Between stored values (bare latin1 strings and the RObject classes of each type) and the
// codec's neutral representation. The only module that knows both sides.
import type { EncodingThresholds, StoredValue } from '../store/values/object.js';
import type { DumpValue, ValueSource } from './dump-payload.js';
import { HashValue } from '../store/values/hash.js';
import { SetValue } from '../store/values/set.js';
import { ListValue } from '../store/values/list.js';
import { ZSet } from '../store/values/zset.js';

/** The encoder's view of a stored value, or null for a type this node cannot serialize. */
export function sourceOfStored(v: StoredValue): ValueSource | null {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (v instanceof HashValue) return { type: 'hash', size: v.size(), entries: v.entries(), compact: v.isListpack };
  if (v instanceof SetValue) return { type: 'set', size: v.size(), members: v.values(), compact: v.isIntset };
  if (v instanceof ListValue) return { type: 'list', size: v.size(), items: v.values() };
  if (v instanceof ZSet) return { type: 'zset', size: v.size(), entries: v.entries(), compact: v.listpack };
  return null;
}

/**
 * A stored value built from a decoded payload, or null for a type this node does not hold.
 * Values are re-encoded by this node's own thresholds, as Redis does on RESTORE.
 */
export function storedOfDump(v: DumpValue, th: EncodingThresholds): StoredValue | null {
  const g = storedOfDumpSteps(v, th);
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** Elements added between two yields. */
const BUILD_SLICE = 2048;

/** The same, yielding every BUILD_SLICE elements (big keys arriving by RESTORE). */
export function* storedOfDumpSteps(v: DumpValue, th: EncodingThresholds): Generator<void, StoredValue | null> {
  let step = 0;
  switch (v.type) {
    case 'string':
      return v.value;
    case 'hash': {
      const h = new HashValue();
      for (const [f, val] of v.entries) {
        h.set(f, val, th);
        if (++step === BUILD_SLICE) {
          step = 0;
          yield;
        }
      }
      return h;
    }
    case 'set': {
      const s = new SetValue();
      for (const m of v.members) {
        s.add(m, th);
        if (++step === BUILD_SLICE) {
          step = 0;
          yield;
        }
      }
      return s;
    }
    case 'list': {
      const l = new ListValue();
      for (const it of v.items) {
        l.pushTail(it);
        if (++step === BUILD_SLICE) {
          step = 0;
          yield;
        }
      }
      return l;
    }
    case 'zset': {
      // Built as a skiplist, then made a listpack when small enough (as Redis loads ZSET_2).
      const z = new ZSet(false);
      for (const [m, score] of v.entries) {
        if (!z.has(m)) z.insertNew(m, score);
        if (++step === BUILD_SLICE) {
          step = 0;
          yield;
        }
      }
      z.shrinkEncodingIfFits(th);
      return z;
    }
    default:
      return null;
  }
}
