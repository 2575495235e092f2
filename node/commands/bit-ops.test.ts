import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bitAt, findBit, fitField, getSigned, getUnsigned, popcount, setField } from './bit-ops.js';

const bytes = fc.uint8Array({ minLength: 0, maxLength: 24 });
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('bit-ops', () => {
  it('a field written reads back as written, and other bits are untouched', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 1, max: 64 }), fc.nat(100), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), (b, bits, off, v) => {
        const buf = new Uint8Array(Math.ceil((off + bits) / 8) + b.length);
        buf.set(b);
        const before = latin1(buf);
        setField(buf, off, bits, v);
        expect(getUnsigned(buf, off, bits)).toBe(BigInt.asUintN(bits, v));
        expect(getSigned(buf, off, bits)).toBe(BigInt.asIntN(bits, v));
        const after = latin1(buf);
        for (let i = 0; i < buf.length * 8; i++) if (i < off || i >= off + bits) expect(bitAt(after, i)).toBe(bitAt(before, i));
      }),
    );
  });

  it('findBit and popcount agree with a bit-by-bit scan', () => {
    fc.assert(
      fc.property(bytes, fc.nat(200), fc.nat(200), fc.constantFrom<0 | 1>(0, 1), (b, x, y, bit) => {
        const s = latin1(b);
        const [from, to] = [Math.min(x, y, s.length * 8), Math.min(Math.max(x, y), s.length * 8 - 1)];
        let want = -1;
        for (let i = from; i <= to; i++)
          if (bitAt(s, i) === bit) {
            want = i;
            break;
          }
        expect(findBit(s, bit, from, to)).toBe(want);
        let ones = 0;
        for (let i = 0; i < s.length * 8; i++) ones += bitAt(s, i);
        expect(popcount(s, 0, s.length - 1)).toBe(ones);
      }),
    );
  });

  it('fitField keeps in-range sums, saturates, wraps or refuses the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.boolean(), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), (bits, signed, sum) => {
        if (!signed && bits === 64) return;
        const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
        const min = signed ? -max - 1n : 0n;
        const inRange = sum >= min && sum <= max;
        expect(fitField(sum, 0n, bits, signed, 'FAIL')).toBe(inRange ? sum : null);
        const sat = fitField(sum, 0n, bits, signed, 'SAT')!;
        expect(sat).toBe(sum > max ? max : sum < min ? min : sum);
        const wrap = fitField(sum, 0n, bits, signed, 'WRAP')!;
        expect((wrap - sum) % 2n ** BigInt(bits)).toBe(0n);
        expect(wrap >= min && wrap <= max).toBe(true);
      }),
    );
  });
});
