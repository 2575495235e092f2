// MEMORY USAGE estimates. Strings are sized as Redis 7.0 sizes a freshly stored string under
// jemalloc (int / embstr / raw object, sds header, size classes), so common cases answer the same
// bytes; collections are estimated from a sample of their elements.
import type { StoredValue } from './values/object.js';
import { ELEMENT_COST } from './memory.js';

/** jemalloc's size class for an allocation of n bytes. */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const k = Math.floor(Math.log2(n - 1));
  const step = 2 ** (k - 2);
  return Math.ceil(n / step) * step;
}

function sdsHeader(len: number): number {
  if (len < 32) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  return len < 2 ** 32 ? 9 : 17;
}

/** An sds string of len bytes as sdsnewlen allocates it (keys, raw string values). */
function sdsAlloc(len: number): number {
  return jemallocSize(sdsHeader(len) + len + 1);
}

const ROBJ = 16;
const DICT_ENTRY = 24;
const EMBSTR_MAX = 44;
const INT_RE = /^(0|-?[1-9][0-9]{0,18})$/;

function stringSize(v: string): number {
  if (v.length <= 20 && INT_RE.test(v)) {
    const n = BigInt(v);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return ROBJ;
  }
  if (v.length <= EMBSTR_MAX) return jemallocSize(ROBJ + 3 + v.length + 1);
  return ROBJ + sdsAlloc(v.length);
}

/** Average element cost seen over the first `samples` elements (0: all). */
function collectionSize(size: number, elements: Iterable<string>, samples: number): number {
  let seen = 0;
  let bytes = 0;
  for (const e of elements) {
    bytes += e.length + ELEMENT_COST;
    if (++seen === samples) break;
  }
  if (seen === 0) return ROBJ;
  return ROBJ + Math.round((bytes / seen) * size);
}

/** Bytes MEMORY USAGE reports for key holding v; `elements` lists a collection's members. */
export function memoryUsage(key: string, v: StoredValue, samples: number, elements: () => Iterable<string>, clusterMode: boolean): number {
  const value = typeof v === 'string' ? stringSize(v) : collectionSize(v.size(), elements(), samples);
  // In cluster mode each key's dict entry carries slot-to-keys links (two pointers).
  return value + sdsAlloc(key.length) + DICT_ENTRY + (clusterMode ? 16 : 0);
}
