import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { smallInt } from './strings.js';

/** Redis's integers (string2ll: no "-0", no leading zero) of up to 15 digits. */
const CANONICAL = /^(0|-?[1-9][0-9]{0,14})$/;

describe('smallInt', () => {
  it('accepts exactly the canonical integers of up to 15 digits, with their value', () => {
    const digitsy = fc.stringMatching(/^[-+ 0-9a.]{0,18}$/);
    const numbers = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, 999999999999999, -999999999999999, 1e15, -1e15)).map(String);
    fc.assert(
      fc.property(fc.oneof(digitsy, numbers, fc.string({ maxLength: 20 })), (s) => {
        const v = smallInt(s);
        if (CANONICAL.test(s)) expect(Object.is(v, Number(s))).toBe(true);
        else expect(v).toBeNaN();
      }),
      { numRuns: 3000 },
    );
    for (const s of ['', '-', '00', '-00', '01', '+1', ' 1', '1 ', '1e3', '0x1', '1000000000000000', '-1000000000000000']) expect(smallInt(s)).toBeNaN();
    // redis-server 7.0 answers INCR of "-0" with "value is not an integer" (test/node/differential-strings).
    expect(smallInt('-0')).toBeNaN();
    expect(smallInt('999999999999999')).toBe(999999999999999);
  });
});
