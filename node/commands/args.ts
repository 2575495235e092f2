// Parsing of numeric and option arguments with Redis's rules and error texts.
import { E } from './errors.js';

export class CommandError extends Error {
  constructor(readonly reply: string) {
    super(reply);
  }
}

export function fail(reply: string): never {
  throw new CommandError(reply);
}

// string2ll's spelling: no sign on zero ("-0" is not an integer), no leading zeros or '+'.
const INT_RE = /^(0|-?[1-9][0-9]*)$/;

/** A 64-bit signed integer exactly as string2ll accepts it, or null. */
export function parseInt64(s: string): bigint | null {
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return null;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return n;
}

/** A safe JS integer argument; values outside 2^53 are rejected like out-of-range ones. */
export function parseIntStrict(s: string): number | null {
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

export function intArg(s: string, err: string = E.notInteger): number {
  const n = parseIntStrict(s);
  if (n === null) {
    // Values that are valid 64-bit integers but beyond 2^53 are clamped (they only matter for
    // ranges and counts, where any such value means "everything").
    const big = parseInt64(s);
    if (big !== null) return big > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
    fail(err);
  }
  return n;
}

export function int64Arg(s: string, err: string = E.notInteger): bigint {
  const n = parseInt64(s);
  if (n === null) fail(err);
  return n;
}

/** strtold-like float parsing as Redis does for scores and INCRBYFLOAT. */
export function parseFloatArg(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const t = s.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (/^\s|\s$/.test(s)) return null;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  if (Number.isNaN(n)) return null;
  return n;
}

export function floatArg(s: string, err: string = E.notFloat): number {
  const n = parseFloatArg(s);
  if (n === null) fail(err);
  return n;
}

export function upper(s: string): string {
  return s.toUpperCase();
}
