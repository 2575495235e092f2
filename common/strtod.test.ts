import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseStrictDouble, strtod } from './strtod.js';
import { formatDouble } from './resp/encode.js';

describe('strtod', () => {
  it('parses like glibc strtod', () => {
    const cases: [string, number, number][] = [
      ['1.5', 1.5, 3],
      ['  -2e3x', -2000, 6],
      ['.5', 0.5, 2],
      ['5.', 5, 2],
      ['1e', 1, 1],
      ['1e+', 1, 1],
      ['inf', Infinity, 3],
      ['-Infinity', -Infinity, 9],
      ['infinit', Infinity, 3],
      ['0x1p4', 16, 5],
      ['0x.8', 0.5, 4],
      ['0x', 0, 1],
      ['abc', 0, 0],
      ['', 0, 0],
      ['+', 0, 0],
      ['1e400', Infinity, 5],
    ];
    for (const [s, v, end] of cases) {
      const r = strtod(s);
      expect([s, r.value, r.end]).toEqual([s, v, end]);
    }
    expect(Number.isNaN(strtod('nan(123)').value)).toBe(true);
    expect(strtod('nan(123)').end).toBe(8);
    expect(strtod('1e400').erange).toBe(true);
    expect(strtod('1e-400').erange).toBe(true);
    expect(strtod('0e-400').erange).toBe(false);
  });

  it('string2d rejects what Redis rejects', () => {
    for (const bad of ['', ' 1', '1 ', 'nan', '1e400', '-1e400', '1e-400', 'x', '1.2.3', '1\0']) expect(parseStrictDouble(bad)).toBeNull();
    expect(parseStrictDouble('1e-310')).toBe(1e-310);
    expect(parseStrictDouble('-inf')).toBe(-Infinity);
    expect(parseStrictDouble('0x10')).toBe(16);
  });

  it('string2d of plain integers (its fast path) agrees with strtod', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[+-]?[0-9]{0,18}$/), (s) => {
        const r = strtod(s);
        const expected = s.length > 0 && r.end === s.length && !r.erange ? r.value : null;
        expect(Object.is(parseStrictDouble(s), expected)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(Object.is(parseStrictDouble('-0'), -0)).toBe(true);
    expect(parseStrictDouble('+')).toBeNull();
    expect(parseStrictDouble('-')).toBeNull();
  });

  it('round-trips every finite double through formatDouble (%.17g)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (d) => {
        const s = formatDouble(d);
        const back = parseStrictDouble(s);
        expect(Object.is(back, d)).toBe(true);
        // %.17g shape: at most 17 significant digits, exponent with sign and two digits at least.
        expect(s).toMatch(/^-?(inf|\d+(\.\d+)?(e[+-]\d{2,3})?)$/);
        expect(s.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(17);
      }),
      { numRuns: 2000 },
    );
  });

  it('formats like glibc printf("%.17g"), ties to even', () => {
    const cases: [number, string][] = [
      [1.1, '1.1000000000000001'],
      [1e-5, '1.0000000000000001e-05'],
      [0.0001, '0.0001'],
      [1e17, '1e+17'],
      [1e16 + 2, '10000000000000002'],
      [1 / 3, '0.33333333333333331'],
      [2251799813685247.25, '2251799813685247.2'],
      [2251799813685247.75, '2251799813685247.8'],
      [5e-324, '4.9406564584124654e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [12345678901234567890, '1.2345678901234567e+19'],
      [-0, '-0'],
      [96884095292179456, '96884095292179456'],
      [-39592066004744632, '-39592066004744632'],
      [9.999999999999999e-5, '9.9999999999999991e-05'],
    ];
    for (const [d, s] of cases) expect([d, formatDouble(d)]).toEqual([d, s]);
  });
});
