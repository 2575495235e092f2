// Values other than strings. Strings are stored as bare latin1 JS strings (the common case,
// kept small); every other type is an object carrying its type name.

export type TypeName = 'string' | 'list' | 'hash' | 'set' | 'zset';

export interface RObject {
  readonly type: Exclude<TypeName, 'string'>;
  /**
   * What memory.ts last charged for this value, -1 before its first charge. A field rather than
   * a side WeakMap: every write to a collection re-estimates it, and two WeakMap lookups per
   * write showed in profiles.
   */
  chargedBytes: number;
  /** Number of elements; a collection that reaches zero is deleted from the keyspace. */
  size(): number;
  /** Deep copy (COPY, and snapshots). */
  clone(): RObject;
  /** OBJECT ENCODING name under the given thresholds. */
  encoding(cfg: EncodingThresholds): string;
}

export interface EncodingThresholds {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  listMaxListpackSize: number;
}

export type StoredValue = string | RObject;

export function typeOf(v: StoredValue): TypeName {
  return typeof v === 'string' ? 'string' : v.type;
}
