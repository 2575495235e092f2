// Argument grammar of the sorted set commands: scores, score and lex intervals, block timeouts
// and scan cursors, each accepted exactly as Redis 7.0 accepts it.
import { cEnd, parseStrictDouble, strtod } from '../../common/strtod.js';
import type { LexBound, LexRange, ScoreRange } from '../store/values/zset-range.js';

/**
 * One end of a score interval as zslParseRange reads it: optional "(" for exclusive, then
 * strtod up to the C string end (so leading spaces, "" and hex floats pass, as in Redis).
 */
function parseScoreBound(s: string): { v: number; ex: boolean } | null {
  const ex = s[0] === '(';
  const r = strtod(s, ex ? 1 : 0);
  if (r.end !== cEnd(s) || Number.isNaN(r.value)) return null;
  return { v: r.value, ex };
}

export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = parseScoreBound(min);
  const b = parseScoreBound(max);
  if (a === null || b === null) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex };
}

function parseLexBound(s: string): LexBound | null {
  switch (s[0]) {
    case '+':
      return s.length === 1 || s[1] === '\0' ? { inf: 1, s: '', ex: true } : null;
    case '-':
      return s.length === 1 || s[1] === '\0' ? { inf: -1, s: '', ex: true } : null;
    case '(':
      return { inf: 0, s: s.slice(1), ex: true };
    case '[':
      return { inf: 0, s: s.slice(1), ex: false };
    default:
      return null;
  }
}

export function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexBound(min);
  const b = parseLexBound(max);
  return a === null || b === null ? null : { min: a, max: b };
}

/** Scores, increments and weights (string2d). */
export function parseScore(s: string): number | null {
  return parseStrictDouble(s);
}

/**
 * A blocking timeout in seconds as Redis reads it (strtold, then ceil of the milliseconds cast to
 * a 64-bit integer); returns milliseconds, or 'float' / 'negative' for the two error replies.
 */
export function parseTimeoutMs(s: string): number | 'float' | 'negative' {
  if (s.length === 0 || s.length >= 5120 || /^[\t-\r ]/.test(s)) return 'float';
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return 'float';
  // Beyond the range of a double but not of a long double: still out of range once in ms.
  if (!Number.isFinite(r.value)) return 'negative';
  // Below the range of a double but not of a long double: a positive value rounds up to 1 ms.
  if (r.erange) return s.replace(/^[+-]/, '') === s || s[0] === '+' ? 1 : 0;
  const ms = Math.ceil(r.value * 1000);
  if (ms >= 2 ** 62) return exactHugeMs(s) ?? 'negative';
  // The (long long) cast of an out-of-range value yields LLONG_MIN on x86-64: "negative".
  if (!(ms < 9223372036854775807) || ms < 0) return 'negative';
  return ms === 0 ? 0 : ms;
}

/**
 * Near 2^63 ms a double is too coarse where Redis's long double is not: decide decimal inputs
 * exactly. Returns null when the milliseconds do not fit a signed 64-bit integer.
 */
function exactHugeMs(s: string): number | null {
  const m = /^\+?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (m === null) return null;
  const frac = m[2] ?? '';
  const digits = BigInt(`${m[1] ?? ''}${frac}` || '0');
  const exp10 = Number(m[3] ?? '0') - frac.length + 3;
  if (exp10 > 40) return null;
  let ms: bigint;
  if (exp10 >= 0) ms = digits * 10n ** BigInt(exp10);
  else {
    const div = 10n ** BigInt(-exp10);
    ms = digits / div + (digits % div === 0n ? 0n : 1n);
  }
  return ms > 9223372036854775807n ? null : Number(ms);
}

/** A SCAN cursor as strtoul reads it; null for "invalid cursor". Huge values saturate. */
export function parseScanCursor(s: string): number | null {
  if (s.length > 0 && /^[\t-\r ]/.test(s)) return null;
  const end = cEnd(s);
  const t = s.slice(0, end);
  const m = /^([+-]?)(\d*)$/.exec(t);
  if (m === null) return null;
  if (m[2] === '') return m[1] === '' ? 0 : null;
  const n = BigInt(m[2]!);
  if (n > 18446744073709551615n) return null;
  if (m[1] === '-' && n !== 0n) return Number.MAX_SAFE_INTEGER;
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}
