import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { slowlogArgs } from './monitors.js';
import { redactedArgs } from './redact.js';
import { jemallocSize } from '../store/memory-usage.js';

describe('slowlog entries', () => {
  it('keep at most 32 arguments of at most 128 bytes, saying how much was cut', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 300 }), { minLength: 1, maxLength: 60 }), (argv) => {
        const out = slowlogArgs(argv);
        expect(out.length).toBe(Math.min(argv.length, 32));
        if (argv.length > 32) expect(out[31]).toBe(`... (${argv.length - 31} more arguments)`);
        const kept = argv.length > 32 ? 31 : argv.length;
        for (let i = 0; i < kept; i++) {
          const a = argv[i]!;
          expect(out[i]).toBe(a.length > 128 ? `${a.slice(0, 128)}... (${a.length - 128} more bytes)` : a);
        }
      }),
    );
  });

  it('hide passwords', () => {
    expect(redactedArgs(['AUTH', 'u', 'p'])).toEqual(['AUTH', '(redacted)', '(redacted)']);
    expect(redactedArgs(['HELLO', '3', 'AUTH', 'u', 'p', 'SETNAME', 'x'])).toEqual(['HELLO', '3', 'AUTH', '(redacted)', '(redacted)', 'SETNAME', 'x']);
    expect(redactedArgs(['MIGRATE', 'h', '1', 'k', '0', '5', 'AUTH2', 'u', 'p'])).toEqual(['MIGRATE', 'h', '1', 'k', '0', '5', 'AUTH2', '(redacted)', '(redacted)']);
    expect(redactedArgs(['CONFIG', 'SET', 'maxmemory', '1', 'requirepass', 's'])).toEqual(['CONFIG', 'SET', 'maxmemory', '1', 'requirepass', '(redacted)']);
    expect(redactedArgs(['GET', 'auth'])).toEqual(['GET', 'auth']);
  });
});

describe('jemalloc size classes', () => {
  it('match the known classes and always fit the request', () => {
    const known: [number, number][] = [[1, 8], [9, 16], [17, 32], [33, 48], [49, 64], [65, 80], [128, 128], [129, 160], [257, 320], [306, 320], [1025, 1280], [4097, 5120]];
    for (const [n, c] of known) expect(jemallocSize(n)).toBe(c);
    fc.assert(fc.property(fc.integer({ min: 1, max: 1 << 30 }), (n) => jemallocSize(n) >= n));
  });
});
