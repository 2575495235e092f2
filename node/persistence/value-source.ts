// Conversions between stored values and the codec's neutral forms (DUMP payloads, RDB files).
import type { DumpValue, ValueSource } from '../migration/dump-payload.js';
import type { StoredValue, EncodingThresholds } from '../store/values/object.js';
import { HashValue } from '../store/values/hash.js';
import { SetValue } from '../store/values/set.js';

export { encodingThresholds as thresholdsOf } from '../commands/thresholds.js';

/** A streaming view of a stored value for the encoder. */
export function sourceOfStored(v: StoredValue): ValueSource {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (v instanceof HashValue) return { type: 'hash', size: v.size(), entries: v.entries() };
  if (v instanceof SetValue) return { type: 'set', size: v.size(), members: v.values() };
  throw new Error(`no encoder for values of type ${v.type}`);
}

/** Builds the stored value for a decoded one. */
export function storedOfDump(v: DumpValue, t: EncodingThresholds): StoredValue {
  switch (v.type) {
    case 'string':
      return v.value;
    case 'hash': {
      const h = new HashValue();
      for (const [f, val] of v.entries) h.set(f, val, t);
      return h;
    }
    case 'set': {
      const s = new SetValue();
      for (const m of v.members) s.add(m, t);
      return s;
    }
    default:
      throw new Error(`no decoder for values of type ${v.type}`);
  }
}
