// C strtod as glibc implements it, for the places where Redis parses doubles with strtod and
// then applies its own checks (scores, score ranges, weights, timeouts). Inputs are latin1
// strings; a NUL byte ends the C string.

export interface StrtodResult {
  value: number;
  /** Index just past the parsed text; equals `start` when nothing was converted. */
  end: number;
  /** errno == ERANGE: overflow to +-inf, or a non-zero literal that underflowed to zero. */
  erange: boolean;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const hexVal = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

function matchWord(s: string, i: number, word: string): boolean {
  if (i + word.length > s.length) return false;
  return s.slice(i, i + word.length).toLowerCase() === word;
}

export function strtod(s: string, start = 0): StrtodResult {
  let i = start;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const none: StrtodResult = { value: 0, end: start, erange: false };
  if (matchWord(s, i, 'inf')) {
    const end = matchWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { value: neg ? -Infinity : Infinity, end, erange: false };
  }
  if (matchWord(s, i, 'nan')) {
    let end = i + 3;
    if (s[end] === '(') {
      let j = end + 1;
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j]!)) j++;
      if (s[j] === ')') end = j + 1;
    }
    return { value: NaN, end, erange: false };
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    const hex = parseHex(s, i + 2, neg);
    if (hex !== null) return hex;
    // "0x" without hex digits: only the "0" is a number.
    return { value: neg ? -0 : 0, end: i + 1, erange: false };
  }
  const mStart = i;
  let digits = 0;
  let nonZero = false;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    if (s[i] !== '0') nonZero = true;
    i++;
    digits++;
  }
  if (s[i] === '.') {
    i++;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      if (s[i] !== '0') nonZero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return none;
  if (s[i] === 'e' || s[i] === 'E') {
    let j = i + 1;
    if (s[j] === '+' || s[j] === '-') j++;
    if (j < s.length && isDigit(s.charCodeAt(j))) {
      while (j < s.length && isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  // The accepted text is also valid JS number syntax ("1.", ".5", "1.e5"), correctly rounded.
  const magnitude = Number(s.slice(mStart, i));
  const value = neg ? -magnitude : magnitude;
  const erange = magnitude === Infinity || (magnitude === 0 && nonZero);
  return { value, end: i, erange };
}

function parseHex(s: string, i: number, neg: boolean): StrtodResult | null {
  let mant = 0n;
  let digits = 0;
  let exp = 0;
  let nonZero = false;
  while (i < s.length && hexVal(s.charCodeAt(i)) >= 0) {
    mant = mant * 16n + BigInt(hexVal(s.charCodeAt(i)));
    if (s[i] !== '0') nonZero = true;
    i++;
    digits++;
  }
  if (s[i] === '.') {
    let j = i + 1;
    let frac = 0;
    while (j < s.length && hexVal(s.charCodeAt(j)) >= 0) {
      mant = mant * 16n + BigInt(hexVal(s.charCodeAt(j)));
      if (s[j] !== '0') nonZero = true;
      j++;
      frac++;
    }
    if (digits + frac > 0) {
      i = j;
      exp -= 4 * frac;
      digits += frac;
    }
  }
  if (digits === 0) return null;
  if (s[i] === 'p' || s[i] === 'P') {
    let j = i + 1;
    let eneg = false;
    if (s[j] === '+' || s[j] === '-') {
      eneg = s[j] === '-';
      j++;
    }
    if (j < s.length && isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (j < s.length && isDigit(s.charCodeAt(j))) {
        e = Math.min(1e6, e * 10 + (s.charCodeAt(j) - 48));
        j++;
      }
      exp += eneg ? -e : e;
      i = j;
    }
  }
  // Keep the mantissa within double range before scaling; the dropped bits only matter for
  // rounding of absurdly long hex literals.
  while (mant >= 1n << 128n) {
    mant >>= 4n;
    exp += 4;
  }
  let magnitude = Number(mant);
  while (exp > 0 && magnitude !== Infinity) {
    const step = Math.min(exp, 1000);
    magnitude *= 2 ** step;
    exp -= step;
  }
  while (exp < 0 && magnitude !== 0) {
    const step = Math.min(-exp, 1000);
    magnitude /= 2 ** step;
    exp += step;
  }
  return { value: neg ? -magnitude : magnitude, end: i, erange: magnitude === Infinity || (magnitude === 0 && nonZero) };
}

/** The C-string end of `s` (a NUL byte terminates it). */
export function cEnd(s: string): number {
  const z = s.indexOf('\0');
  return z === -1 ? s.length : z;
}

/**
 * Redis's string2d: the whole string must be a double, no leading space, no overflow or
 * underflow to zero, not NaN. Used for scores, increments and weights.
 */
export function parseStrictDouble(s: string): number | null {
  const int = plainInteger(s);
  if (int === int) return int;
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length || r.erange || Number.isNaN(r.value)) return null;
  return r.value;
}

/**
 * An optional sign and 1 to 15 decimal digits (every such value is exact in a double, and strtod
 * would return it), else NaN: most scores are integers (ZADD key 12345 member), and strtod's
 * general path costs allocations (its result, the slices it converts and compares).
 */
function plainInteger(s: string): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */ || c0 === 43 /* + */) {
    neg = c0 === 45;
    i = 1;
  }
  if (n - i === 0 || n - i > 15) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}
