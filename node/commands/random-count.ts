// The count argument of HRANDFIELD / SRANDMEMBER (a long in [-LONG_MAX, LONG_MAX]) and the
// choice of distinct random elements they share.
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';

const LONG_MAX = 9223372036854775807n;

/** The count as a bigint, with Redis's errors for non-integers and for LONG_MIN. */
export function parseRandomCount(s: string): bigint {
  const n = parseInt64(s);
  if (n === null) fail(E.notInteger);
  if (n < -LONG_MAX) fail(E.outOfRangeBetween(String(-LONG_MAX), String(LONG_MAX)));
  return n;
}

/**
 * `count` distinct elements out of `size` (count < size). When count is close to size, shuffles
 * a copy of all elements (`all()` is O(size)); otherwise samples `pick()` until enough distinct
 * ones are found, which stays O(count) expected.
 */
export function distinctRandom(count: number, size: number, all: () => string[], pick: () => string): string[] {
  if (count * 3 > size) {
    const arr = all();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (arr.length - i));
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
    arr.length = count;
    return arr;
  }
  const seen = new Set<string>();
  while (seen.size < count) seen.add(pick());
  return [...seen];
}
