import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLexRange, parseScanCursor, parseScore, parseScoreRange, parseTimeoutMs } from './zset-args.js';
import { formatDouble } from '../../common/resp/encode.js';

describe('sorted set argument grammar', () => {
  it('reads score ranges as zslParseRange does', () => {
    expect(parseScoreRange('(1', '+inf')).toEqual({ min: 1, max: Infinity, minex: true, maxex: false });
    expect(parseScoreRange('', '(')).toEqual({ min: 0, max: 0, minex: false, maxex: true });
    expect(parseScoreRange(' 2', '0x10')).toEqual({ min: 2, max: 16, minex: false, maxex: false });
    expect(parseScoreRange('1\0junk', '2')).toEqual({ min: 1, max: 2, minex: false, maxex: false });
    for (const bad of ['nan', 'x', '1 ', '((1', '1e']) expect(parseScoreRange(bad, '1')).toBeNull();
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.boolean(), (d, ex) => {
        const r = parseScoreRange(`${ex ? '(' : ''}${formatDouble(d)}`, formatDouble(d));
        expect(r).not.toBeNull();
        expect(Object.is(r!.min, d) && r!.minex === ex).toBe(true);
      }),
    );
  });

  it('reads lex range items', () => {
    expect(parseLexRange('-', '+')).toEqual({ min: { inf: -1, s: '', ex: true }, max: { inf: 1, s: '', ex: true } });
    for (const bad of ['', 'a', '+a', '-a']) expect(parseLexRange(bad, '+')).toBeNull();
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(parseLexRange(`[${a}`, `(${b}`)).toEqual({ min: { inf: 0, s: a, ex: false }, max: { inf: 0, s: b, ex: true } });
      }),
    );
  });

  it('reads scores strictly', () => {
    expect(parseScore('1.5')).toBe(1.5);
    expect(parseScore('-inf')).toBe(-Infinity);
    for (const bad of ['', ' 1', 'nan', '1e999']) expect(parseScore(bad)).toBeNull();
  });

  it('reads timeouts as Redis does', () => {
    expect(parseTimeoutMs('0')).toBe(0);
    expect(parseTimeoutMs('0.0011')).toBe(2);
    expect(parseTimeoutMs('-0.0001')).toBe(0);
    expect(parseTimeoutMs('-1')).toBe('negative');
    expect(parseTimeoutMs('inf')).toBe('negative');
    expect(parseTimeoutMs('1e400')).toBe('negative');
    expect(parseTimeoutMs('1e20')).toBe('negative');
    expect(parseTimeoutMs('9223372036854775')).toBe(9223372036854775000);
    expect(parseTimeoutMs('1e-400')).toBe(1);
    for (const bad of ['', ' 1', 'x', 'nan', '1s']) expect(parseTimeoutMs(bad)).toBe('float');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (ms) => {
        expect(parseTimeoutMs(String(ms / 1000))).toBe(Math.ceil((ms / 1000) * 1000));
      }),
    );
  });

  it('reads scan cursors as strtoul does', () => {
    expect(parseScanCursor('')).toBe(0);
    expect(parseScanCursor('+7')).toBe(7);
    expect(parseScanCursor('-1')).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [' 1', 'x', '1x', '+', '99999999999999999999999']) expect(parseScanCursor(bad)).toBeNull();
    fc.assert(
      fc.property(fc.nat(), (n) => {
        expect(parseScanCursor(String(n))).toBe(n);
      }),
    );
  });
});
