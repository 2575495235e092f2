import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from './long-double.js';

function ld(s: string): LongDouble {
  const v = parseLongDouble(s);
  if (v === null) throw new Error(`not a long double: ${s}`);
  return v;
}

function sum(a: string, b: string): string {
  const r = addLongDouble(ld(a), ld(b));
  return r === null ? 'nan' : formatLongDoubleHuman(r);
}

describe('long double emulation', () => {
  it('adds and prints as Redis does on x86-64 (values checked against redis-server 7.0)', () => {
    expect(sum('10.5', '0.1')).toBe('10.6');
    expect(sum('0.1', '0.2')).toBe('0.3');
    expect(sum('1.5', '-1.5')).toBe('0');
    expect(sum('-0.0000000000000000001', '0')).toBe('0');
    expect(sum('123456789.123456789', '987654321.987654321')).toBe('1111111111.11111110995989293');
    expect(sum('18446744073709551617', '0.5')).toBe('18446744073709551616');
    expect(sum('0x10', '0x1.8p1')).toBe('19');
    expect(sum('1e-20', '1e-18')).toBe('0');
    const big = formatLongDoubleHuman(ld('1.7e308'));
    expect(big.length).toBe(309);
    expect(big.startsWith('17000000000000000000313677802519759679527021388969413373304358576320245605120582099406')).toBe(true);
    expect(formatLongDoubleHuman(ld('1e4932')).startsWith('100000000000000000000601894938796389132383777425453311')).toBe(true);
  });

  it('refuses what string2ld refuses', () => {
    for (const s of ['', ' 1', '1 ', 'abc', '1e', '.', 'e5', 'nan', 'NaN', '0x', '0x1p', '1e5000', '-1e5000', '1e-5000', 'infin', '1.5.5']) {
      expect(parseLongDouble(s), s).toBeNull();
    }
    for (const s of ['inf', '-inf', '+Infinity', '1.', '.5', '+.5', '-5e-3', '5e-4951', '0x1.8p1', '1e4931']) {
      expect(parseLongDouble(s), s).not.toBeNull();
    }
  });

  it('overflows to infinity and refuses NaN', () => {
    expect(addLongDouble(ld('1e4932'), ld('1e4932'))?.kind).toBe('inf');
    expect(addLongDouble(ld('1e4931'), ld('1e4932'))?.kind).toBe('finite');
    expect(addLongDouble(ld('inf'), ld('-inf'))).toBeNull();
  });

  it('prints integers exactly (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n) + 1n, max: 2n ** 64n - 1n }), (n) => {
        expect(formatLongDoubleHuman(ld(n.toString()))).toBe(n.toString());
      }),
    );
  });

  it('round-trips doubles to 17 decimals and adds commutatively (property)', () => {
    const d = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 });
    fc.assert(
      fc.property(d, d, (a, b) => {
        const x = formatLongDoubleHuman(ld(String(a)));
        expect(Math.abs(Number(x) - a)).toBeLessThanOrEqual(Math.max(1e-17, Math.abs(a) * 1e-15));
        expect(sum(String(a), String(b))).toBe(sum(String(b), String(a)));
      }),
    );
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const v = parseLongDouble(s);
        if (v !== null) expect(typeof formatLongDoubleHuman(v)).toBe('string');
      }),
    );
  });
});
