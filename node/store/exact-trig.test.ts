import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asinCR, cosCR, sinCR } from './exact-trig.js';

/** Distance in units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  return Number(i[0]! > i[1]! ? i[0]! - i[1]! : i[1]! - i[0]!);
}

describe('correctly rounded sin, cos, asin', () => {
  it('known values (correct rounding checked with 300-bit arithmetic)', () => {
    // glibc's asin answers 0.009468403272929048 here, one unit below the correct rounding.
    expect(asinCR(0.009468261798795268)).toBe(0.00946840327292905);
    expect(sinCR(0.5)).toBe(0.479425538604203);
    expect(cosCR(1)).toBe(0.5403023058681398);
    expect(sinCR(0)).toBe(0);
    expect(asinCR(1)).toBe(Math.PI / 2);
  });

  it('stay within one unit in the last place of the platform functions', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 3.14, noNaN: true }), (x) => {
        expect(ulps(sinCR(x), Math.sin(x))).toBeLessThanOrEqual(1);
        if (x <= 1.57) expect(ulps(cosCR(x), Math.cos(x))).toBeLessThanOrEqual(1);
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1, noNaN: true }), (s) => {
        expect(ulps(asinCR(s), Math.asin(s))).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('sin^2 + cos^2 = 1 and asin inverts sin closely', () => {
    fc.assert(
      fc.property(fc.double({ min: -1.5, max: 1.5, noNaN: true }), (x) => {
        expect(Math.abs(sinCR(x) ** 2 + cosCR(x) ** 2 - 1)).toBeLessThan(4e-16);
        if (x > 1e-300) expect(Math.abs(asinCR(sinCR(x)) - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-15);
      }),
    );
  });
});
