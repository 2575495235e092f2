// Redis's float increments (HINCRBYFLOAT, INCRBYFLOAT) compute in C `long double`, which on
// x86-64 is the 80-bit x87 format (64-bit significand), and print with "%.17Lf" minus trailing
// zeros. JS doubles give visibly different answers (0.1 + 0.2, or anything above 1e21, which
// Redis prints in full), so this module emulates the format exactly with BigInt arithmetic:
// strtold-style parsing with round-to-nearest-even, exact addition rounded once, and exact
// fixed-point printing. Values are small and operations rare, so clarity beats speed here.

/** A finite long double m * 2^e (m signed, |m| < 2^64), or an infinity. */
export type LongDouble = { kind: 'finite'; m: bigint; e: number } | { kind: 'inf'; neg: boolean };

const SIG_BITS = 64;
/** Exponent of the least significant bit of the smallest subnormal. */
const MIN_EXP = -16382 - 63;
/** Largest exponent e with m*2^e finite for a 64-bit m. */
const MAX_EXP = 16383 - 63;
/** Redis refuses longer inputs, and fails to print longer outputs (MAX_LONG_DOUBLE_CHARS). */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds num/den (num, den > 0) to a long double, half to even. */
function roundRatio(num: bigint, den: bigint, neg: boolean): LongDouble {
  // Choose e so that num / (den * 2^e) has SIG_BITS bits before rounding.
  let e = bitLength(num) - bitLength(den) - SIG_BITS;
  if (e < MIN_EXP) e = MIN_EXP;
  for (;;) {
    const n = e < 0 ? num << BigInt(-e) : num;
    const d = e > 0 ? den << BigInt(e) : den;
    let q = n / d;
    const r = n - q * d;
    if (bitLength(q) > SIG_BITS) {
      e++;
      continue;
    }
    if (bitLength(q) < SIG_BITS && e > MIN_EXP) {
      e--;
      continue;
    }
    const twice = 2n * r;
    if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
    if (bitLength(q) > SIG_BITS) {
      q >>= 1n;
      e++;
    }
    if (e > MAX_EXP) return { kind: 'inf', neg };
    return { kind: 'finite', m: neg ? -q : q, e };
  }
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(inf|infinity)$/i;

/**
 * Parses like Redis's string2ld: the whole string must be a number strtold accepts (decimal,
 * hex, or inf/infinity), without leading space; NaN, overflow to infinity and underflow to
 * zero are refused. Null when refused.
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const inf = INF_RE.exec(s);
  if (inf) return { kind: 'inf', neg: inf[1] === '-' };
  let neg: boolean;
  let mant: bigint;
  let num: bigint;
  let den = 1n;
  const dec = DEC_RE.exec(s);
  if (dec) {
    const [, sign, int = '', frac = '', exp] = dec;
    if (int.length === 0 && frac.length === 0) return null;
    neg = sign === '-';
    mant = BigInt(int + frac || '0');
    const e10 = (exp === undefined ? 0 : Number(exp)) - frac.length;
    // Exponents this large are certain overflow/underflow; avoid building huge powers.
    if (mant !== 0n && e10 + int.length + frac.length > 5000) return null;
    if (mant !== 0n && e10 + int.length + frac.length < -5000) return null;
    if (e10 >= 0) num = mant * pow10(e10);
    else {
      num = mant;
      den = pow10(-e10);
    }
  } else {
    const hex = HEX_RE.exec(s);
    if (!hex) return null;
    const [, sign, int = '', frac = '', exp] = hex;
    if (int.length === 0 && frac.length === 0) return null;
    neg = sign === '-';
    mant = BigInt('0x' + (int + frac || '0'));
    const e2 = (exp === undefined ? 0 : Number(exp)) - 4 * frac.length;
    if (mant !== 0n && Math.abs(e2) > 40000) return null;
    if (e2 >= 0) num = mant << BigInt(e2);
    else {
      num = mant;
      den = 1n << BigInt(-e2);
    }
  }
  if (num === 0n) return { kind: 'finite', m: 0n, e: 0 };
  const r = roundRatio(num, den, neg);
  if (r.kind === 'inf' || r.m === 0n) return null;
  return r;
}

export function isFiniteLongDouble(x: LongDouble): x is { kind: 'finite'; m: bigint; e: number } {
  return x.kind === 'finite';
}

/** a + b rounded once; an infinity (or NaN as null) when the sum is not finite. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.neg !== b.neg) return null;
    return a.kind === 'inf' ? a : b;
  }
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  if (sum === 0n) return { kind: 'finite', m: 0n, e: 0 };
  const neg = sum < 0n;
  const abs = neg ? -sum : sum;
  return e >= 0 ? roundRatio(abs << BigInt(e), 1n, neg) : roundRatio(abs, 1n << BigInt(-e), neg);
}

/**
 * "%.17Lf" with trailing zeros (and a trailing dot) removed and "-0" printed as "0", as Redis's
 * ld2string(LD_STR_HUMAN) does; "" when the text would not fit Redis's buffer.
 */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (x.kind === 'inf') return x.neg ? '-inf' : 'inf';
  const neg = x.m < 0n;
  const abs = neg ? -x.m : x.m;
  let scaled: bigint;
  if (x.e >= 0) scaled = (abs << BigInt(x.e)) * pow10(17);
  else {
    const den = 1n << BigInt(-x.e);
    const n = abs * pow10(17);
    scaled = n / den;
    const twice = 2n * (n - scaled * den);
    if (twice > den || (twice === den && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(18, '0');
  const intPart = digits.slice(0, -17);
  const frac = digits.slice(-17).replace(/0+$/, '');
  const full = (neg ? '-' : '') + intPart + '.' + digits.slice(-17);
  if (full.length + 1 > MAX_LONG_DOUBLE_CHARS) return '';
  const text = (neg ? '-' : '') + intPart + (frac.length > 0 ? '.' + frac : '');
  return text === '-0' ? '0' : text;
}
