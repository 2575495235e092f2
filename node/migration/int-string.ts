// Redis's string2ll: the only strings Redis stores as integers (in listpacks, intsets, RDB int
// encodings) are canonical decimals of a signed 64-bit value: no sign '+', no leading zeros,
// no "-0", at most 20 characters.

const MIN = -9223372036854775808n;
const MAX = 9223372036854775807n;

export function canonicalInt(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1) {
    const c = s.charCodeAt(0);
    return c >= 48 && c <= 57 ? BigInt(c - 48) : null;
  }
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return null;
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  // Short values fit a double exactly; only long ones need BigInt range checks.
  if (n < 16) return BigInt(s);
  const v = BigInt(s);
  return v < MIN || v > MAX ? null : v;
}

/** As canonicalInt, but only when the value fits in the given signed width (<= 32 bits). */
export function canonicalSmallInt(s: string): number | null {
  if (s.length === 0 || s.length > 11) return null;
  const v = canonicalInt(s);
  if (v === null || v < -2147483648n || v > 2147483647n) return null;
  return Number(v);
}
