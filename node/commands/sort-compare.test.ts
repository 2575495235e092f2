import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sortScore } from './sort-compare.js';

describe('sortScore (strtod as SORT uses it)', () => {
  it('reads back every normal double, with leading blanks and in exponent form', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        if (d !== 0 && Math.abs(d) < 2.2250738585072014e-308) return;
        expect(sortScore(String(d)) === d).toBe(true);
        expect(sortScore(` \t${d.toExponential()}`)).toBe(Number(d.toExponential()));
      }),
    );
  });

  it('rejects trailing characters, NaN and out-of-range values', () => {
    fc.assert(fc.property(fc.integer(), fc.constantFrom('x', ' ', 'e', '..', '1a'), (n, junk) => sortScore(`${n}${junk}`) === null));
    for (const s of ['nan', 'NaN', '1e999', '-1e999', '1e-400', 'abc', ' ']) expect(sortScore(s)).toBeNull();
  });

  it('accepts what strtod accepts beyond plain decimals', () => {
    expect(sortScore('')).toBe(0);
    expect(sortScore('0x10')).toBe(16);
    expect(sortScore('-0x1p3')).toBe(-8);
    expect(sortScore('inf')).toBe(Infinity);
    expect(sortScore('-Infinity')).toBe(-Infinity);
    expect(sortScore('+.5')).toBe(0.5);
    expect(sortScore('0e999')).toBe(0);
  });
});
