// Between stored values (bare latin1 strings and the RObject classes of each type) and the
// codec's neutral shapes. The only module that knows both sides.
import type { EncodingThresholds, StoredValue } from '../store/values/object.js';
import type { DumpSink, DumpValue, ValueSource } from './dump-payload.js';
import { HashValue } from '../store/values/hash.js';
import { SetValue } from '../store/values/set.js';
import { AddResult, ZSet } from '../store/values/zset.js';
import { ListValue } from '../store/values/list.js';

/** The encoder's view of a stored value, or null for a type this node cannot serialize. */
export function sourceOfStored(v: StoredValue): ValueSource | null {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (v instanceof HashValue) return { type: 'hash', size: v.size(), entries: v.entries(), compact: v.isListpack };
  if (v instanceof SetValue) return { type: 'set', size: v.size(), members: v.values(), compact: v.isIntset };
  if (v instanceof ZSet) return { type: 'zset', size: v.size(), entries: v.entries(), compact: v.listpack };
  if (v instanceof ListValue) return { type: 'list', size: v.size(), items: v.values() };
  return null;
}

/**
 * Builds stored values straight from a payload being decoded (null for a type this node does
 * not hold). Values are re-encoded by this node's own thresholds, as Redis does on RESTORE.
 */
export function storedValueSink(th: EncodingThresholds): DumpSink<StoredValue | null> {
  return {
    string: (value) => value,
    hash: () => {
      const h = new HashValue();
      return { add: (f, v) => h.set(f, v, th), done: () => h };
    },
    set: () => {
      const s = new SetValue();
      return { add: (m) => s.add(m, th), done: () => s };
    },
    list: () => {
      const l = new ListValue();
      return { push: (i) => l.pushTail(i), done: () => l };
    },
    zset: () => {
      const z = new ZSet(true);
      return { add: (m, score) => z.add(score, m, 0, th) === AddResult.Added, done: () => z };
    },
  };
}

/** A stored value from an already decoded one (RDB file loading), or null for a type not held. */
export function storedOfDump(v: DumpValue, th: EncodingThresholds): StoredValue | null {
  const sink = storedValueSink(th);
  switch (v.type) {
    case 'string':
      return sink.string(v.value);
    case 'list': {
      const b = sink.list();
      for (const i of v.items) b.push(i);
      return b.done();
    }
    case 'set': {
      const b = sink.set();
      for (const m of v.members) b.add(m);
      return b.done();
    }
    case 'zset': {
      const b = sink.zset();
      for (const [m, sc] of v.entries) b.add(m, sc);
      return b.done();
    }
    case 'hash': {
      const b = sink.hash();
      for (const [f, val] of v.entries) b.add(f, val);
      return b.done();
    }
  }
}
