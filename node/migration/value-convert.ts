// Between stored values (bare latin1 strings and the RObject classes of each type) and the
// codec's neutral representation. The only module that knows both sides.
import type { EncodingThresholds, StoredValue } from '../store/values/object.js';
import type { DumpValue, ValueSource } from './dump-payload.js';

/** The encoder's view of a stored value, or null for a type this node cannot serialize. */
export function sourceOfStored(v: StoredValue): ValueSource | null {
  if (typeof v === 'string') return { type: 'string', value: v };
  return null;
}

/** A stored value built from a decoded payload, or null for a type this node does not hold. */
export function storedOfDump(v: DumpValue, _th: EncodingThresholds): StoredValue | null {
  if (v.type === 'string') return v.value;
  return null;
}
