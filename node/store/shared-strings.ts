// Short values repeat a lot (flags, small counters, "1", "OK", fixed payloads): stored values
// go through a small direct-mapped cache so that equal short strings share one heap string, as
// Redis shares its small integer objects. Strings are immutable, so sharing is invisible to
// clients; it saves a string header and body per stored copy and, since the request's own copy
// then dies young, the garbage collector's cost of promoting it.

/** Longest string shared; longer values are rarely identical and costlier to compare. */
export const SHARE_MAX_LENGTH = 16;
const SLOTS = 4096;
const cache: string[] = new Array<string>(SLOTS).fill('');

/** `v` itself or an equal string stored earlier. */
export function shareShort(v: string): string {
  const n = v.length;
  if (n === 0 || n > SHARE_MAX_LENGTH) return v;
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
  const slot = (h >>> 0) & (SLOTS - 1);
  const c = cache[slot]!;
  if (c === v) return c;
  cache[slot] = v;
  return v;
}
