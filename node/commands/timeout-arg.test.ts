import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLongDouble, timeoutArg } from './timeout-arg.js';
import { CommandError } from './args.js';

function errorOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof CommandError) return e.reply;
    throw e;
  }
}

describe('blocking timeout argument', () => {
  it('reads every finite double from its shortest text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(parseLongDouble(String(d))).toBe(Number(String(d)));
        expect(parseLongDouble(d.toExponential()) === d).toBe(true);
      }),
    );
  });

  it('accepts what strtold accepts and string2ld keeps', () => {
    expect(parseLongDouble('0x10')).toBe(16);
    expect(parseLongDouble('0x0.01p0')).toBe(1 / 256);
    expect(parseLongDouble('-0x1.8p1')).toBe(-3);
    expect(parseLongDouble('.5')).toBe(0.5);
    expect(parseLongDouble('+1.')).toBe(1);
    expect(parseLongDouble('1E+2')).toBe(100);
    expect(parseLongDouble('inf')).toBe(Infinity);
    expect(parseLongDouble('-Infinity')).toBe(-Infinity);
    expect(parseLongDouble('1e400')).toBe(Infinity); // a long double, beyond a double
    expect(parseLongDouble('1e-400')).toBeGreaterThan(0);
    for (const bad of ['', ' 1', '1 ', 'abc', 'nan', '1e', '.', 'e5', '0x', '1e5000', '1e-5000', '--1', '1.2.3', 'infinit'])
      expect(parseLongDouble(bad), bad).toBeNull();
  });

  it('turns seconds into a deadline with Redis 7.0 rounding and errors', () => {
    const now = 1_000_000;
    expect(timeoutArg('0', now)).toBe(0);
    expect(timeoutArg('-0', now)).toBe(0);
    expect(timeoutArg('-0.0001', now)).toBe(0);
    expect(timeoutArg('0.0001', now)).toBe(now + 1);
    expect(timeoutArg('1.5', now)).toBe(now + 1500);
    expect(timeoutArg('9223372036854', now)).toBeGreaterThan(now);
    expect(errorOf(() => timeoutArg('-1', now))).toBe('ERR timeout is negative');
    expect(errorOf(() => timeoutArg('inf', now))).toBe('ERR timeout is negative');
    expect(errorOf(() => timeoutArg('1e20', now))).toBe('ERR timeout is negative');
    expect(errorOf(() => timeoutArg('abc', now))).toBe('ERR timeout is not a float or out of range');
    expect(errorOf(() => timeoutArg('nan', now))).toBe('ERR timeout is not a float or out of range');
  });
});
