import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScanCursor, parseScanOptions } from './scan-args.js';
import { CommandError } from './args.js';

function err(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CommandError) return e.reply;
    throw e;
  }
  return 'no error';
}

describe('SCAN cursor parsing', () => {
  it('accepts what strtoul accepts', () => {
    expect(parseScanCursor('0')).toBe(0);
    expect(parseScanCursor('')).toBe(0);
    expect(parseScanCursor('+7')).toBe(7);
    expect(parseScanCursor('007')).toBe(7);
    expect(parseScanCursor('18446744073709551615')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseScanCursor('-18446744073709551615')).toBe(1);
    for (const s of [' 1', '1 ', 'x', '-', '+', '1.5', '18446744073709551616', '0x10']) expect(err(() => parseScanCursor(s)), s).toBe('ERR invalid cursor');
  });

  it('maps every unsigned decimal to itself when safe (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseScanCursor(String(n))).toBe(n);
      }),
    );
  });
});

describe('SCAN options', () => {
  it('parses COUNT and MATCH with Redis errors', () => {
    expect(parseScanOptions(['x', 'k', '0'], 3)).toEqual({ count: 10, pattern: null });
    expect(parseScanOptions(['x', 'k', '0', 'count', '5', 'MATCH', 'a*'], 3)).toEqual({ count: 5, pattern: 'a*' });
    expect(parseScanOptions(['x', 'k', '0', 'MATCH', '*'], 3).pattern).toBeNull();
    expect(err(() => parseScanOptions(['x', 'k', '0', 'COUNT', '0'], 3))).toBe('ERR syntax error');
    expect(err(() => parseScanOptions(['x', 'k', '0', 'COUNT', 'x'], 3))).toBe('ERR value is not an integer or out of range');
    expect(err(() => parseScanOptions(['x', 'k', '0', 'TYPE', 'set'], 3))).toBe('ERR syntax error');
    expect(err(() => parseScanOptions(['x', 'k', '0', 'MATCH'], 3))).toBe('ERR syntax error');
  });
});
