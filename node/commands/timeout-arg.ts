// The timeout argument of blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...): seconds as a long
// double, parsed the way Redis 7.0 does (strtold: decimal, hex floats, inf; no spaces, no nan).
import { E } from './errors.js';
import { fail } from './args.js';

/** Redis's MAX_LONG_DOUBLE_CHARS: longer arguments are not numbers. */
const MAX_CHARS = 5 * 1024;
/** Decimal exponents beyond which an x87 long double overflows / underflows to zero (ERANGE). */
const LD_MAX_EXP10 = 4932;
const LD_MIN_EXP10 = -4951;
const TWO_63 = 2 ** 63;

const DEC = /^[+-]?(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/;
const INF = /^[+-]?(inf|infinity)$/i;

/** The value strtold gives for the whole string, or null where Redis's string2ld rejects it. */
export function parseLongDouble(s: string): number | null {
  if (s.length === 0 || s.length >= MAX_CHARS) return null;
  if (INF.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  const neg = s.startsWith('-');
  let m = DEC.exec(s);
  if (m !== null && /\d/.test(s) && !/^[+-]?\.?[eE]/.test(s) && !/^[+-]?\.$/.test(s)) {
    const digits = m[1]! + m[2]!;
    const first = digits.search(/[1-9]/);
    if (first === -1) return neg ? -0 : 0;
    // Position of the leading significant digit as a power of ten decides overflow/underflow.
    const mag = m[1]!.length - 1 - first + Number(m[3] ?? '0');
    if (mag > LD_MAX_EXP10 || mag < LD_MIN_EXP10) return null;
    const n = Number(s);
    // Below the double range but still a non-zero long double: keep it non-zero.
    if (n === 0) return neg ? -Number.MIN_VALUE : Number.MIN_VALUE;
    return n;
  }
  m = HEX.exec(s);
  if (m !== null && (m[2]!.length > 0 || m[3]!.length > 0)) {
    const mant = m[2]! + m[3]!;
    const first = mant.search(/[1-9a-fA-F]/);
    if (first === -1) return neg ? -0 : 0;
    const exp2 = Number(m[4] ?? '0') - 4 * m[3]!.length;
    const bits = (mant.length - first) * 4 + exp2;
    if (bits > 16384 || bits < -16445) return null;
    const n = Number.parseInt(mant.slice(first, first + 13), 16) * 2 ** (exp2 + 4 * Math.max(0, mant.length - first - 13));
    const v = n === 0 ? Number.MIN_VALUE : n;
    return neg ? -v : v;
  }
  return null;
}

/**
 * The absolute deadline (ms since the epoch) for a timeout in seconds, 0 for "block forever".
 * Fractions of a millisecond round up, so only a zero timeout waits forever; values that do not
 * fit a 64-bit count of milliseconds are reported as negative, as Redis's cast makes them.
 */
export function timeoutArg(s: string, now: number): number {
  const secs = parseLongDouble(s);
  if (secs === null) fail(E.timeoutNotFloat);
  const ms = Math.ceil(secs * 1000);
  if (!(ms < TWO_63) || ms < 0) fail(E.timeoutNegative);
  return ms === 0 ? 0 : now + ms;
}
