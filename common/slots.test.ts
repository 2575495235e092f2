import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc16, keySlot, slotRanges, formatSlotRanges, bitmapRanges } from './slots.js';

describe('slots', () => {
  it('matches the CRC-16/XMODEM check value', () => {
    expect(crc16('123456789')).toBe(0x31c3);
  });
  it.each([
    ['foo', 12182],
    ['{user1000}.following', 3443],
    ['foo{}{bar}', 8363],
    ['foo{{bar}}zap', 4015],
    ['foo{bar}{zap}', 5061],
    ['{}', 15257],
    ['a{b', 13340],
    ['}{x}', 16287],
    ['a', 15495],
    ['{d}anything', 11298],
    ['', 0],
  ])('keySlot(%s) = %d', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });
  it('keeps a hash tag together whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((t) => !t.includes('}')), fc.string(), (tag, rest) => {
        expect(keySlot(`{${tag}}${rest}`)).toBe(keySlot(`{${tag}}`));
      }),
    );
  });
  it('coalesces ranges', () => {
    const set = new Set([0, 1, 2, 5, 7, 8, 16383]);
    expect(formatSlotRanges(slotRanges((s) => set.has(s)))).toBe('0-2 5 7-8 16383');
  });
  it('bitmapRanges agrees with slotRanges on any bitmap', () => {
    const bitmap = fc.oneof(
      fc.uint8Array({ minLength: 2048, maxLength: 2048 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 16383 }), fc.integer({ min: 0, max: 600 })), { maxLength: 6 }).map((runs) => {
        const b = new Uint8Array(2048);
        for (const [a, n] of runs) for (let s = a; s < Math.min(16384, a + n); s++) b[s >> 3]! |= 1 << (s & 7);
        return b;
      }),
    );
    fc.assert(
      fc.property(bitmap, (b) => {
        expect(bitmapRanges(b)).toEqual(slotRanges((s) => (b[s >> 3]! & (1 << (s & 7))) !== 0));
      }),
    );
  });
});
