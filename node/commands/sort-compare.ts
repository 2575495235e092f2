// SORT's element scoring: numbers parsed as C's strtod parses them (leading blanks, hex, inf),
// and the ordering Redis applies (numeric ties broken by the elements' bytes).

const DEC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const HEX = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)(p[+-]?\d+)?$/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * The whole string as strtod reads it, or null where SORT reports a conversion error (trailing
 * characters, NaN, overflow or underflow). The empty string is 0, as strtod leaves it.
 */
export function sortScore(s: string): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (t === '') return s === '' ? 0 : null;
  const lower = t.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  let n: number;
  let nonzeroDigits: boolean;
  if (DEC.test(t)) {
    n = Number(t);
    nonzeroDigits = /[1-9]/.test(t.replace(/e.*$/i, ''));
  } else {
    const m = HEX.exec(t);
    if (m === null || (m[2] === '' && m[3] === '')) return null;
    const mant = parseInt(`${m[2]}${m[3]}` || '0', 16) / 16 ** m[3]!.length;
    n = mant * 2 ** (m[4] ? Number(m[4].slice(1)) : 0);
    if (m[1] === '-') n = -n;
    nonzeroDigits = /[1-9a-f]/i.test(`${m[2]}${m[3]}`);
  }
  if (!Number.isFinite(n)) return null;
  // glibc flags ERANGE for results that underflow to zero or to a subnormal.
  if (nonzeroDigits && Math.abs(n) < MIN_NORMAL) return null;
  return n;
}

/** Byte order of latin1 strings (memcmp, then length). */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
