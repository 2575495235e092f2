import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AccessClock, lfuIncrement, LFU_INIT_VAL } from './access-clock.js';

describe('AccessClock', () => {
  it('reports idle time since the last touch', () => {
    const c = new AccessClock();
    c.created('a', 1_000_000);
    c.touch('b', 1_000_000);
    c.touch('a', 1_005_000);
    expect(c.idleMs('a', 1_010_000)).toBe(5000);
    expect(c.idleMs('b', 1_010_000)).toBe(10_000);
  });

  it('keeps every key clock across growth', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 3 }), (keys, doublings) => {
        const c = new AccessClock();
        keys.forEach((k, i) => c.touch(k, 1_000_000 + i * 1000));
        const before = keys.map((k) => c.idleMs(k, 5_000_000));
        for (let i = 0; i < doublings; i++) c.grow();
        expect(keys.map((k) => c.idleMs(k, 5_000_000))).toEqual(before);
      }),
    );
  });

  it('LFU counters start at 5, grow logarithmically and decay per minute', () => {
    const c = new AccessClock();
    c.enableLfu(true);
    expect(c.frequency('old', 0)).toBe(0);
    c.created('k', 0);
    expect(c.frequency('k', 0)).toBe(LFU_INIT_VAL);
    for (let i = 0; i < 1000; i++) c.touch('k', 1000);
    const f = c.frequency('k', 1000);
    expect(f).toBeGreaterThan(LFU_INIT_VAL);
    expect(f).toBeLessThan(40);
    expect(c.frequency('k', 1000 + 3 * 60_000)).toBe(f - 3);
    expect(lfuIncrement(255, 10, 0)).toBe(255);
    expect(lfuIncrement(5, 10, 0.99)).toBe(6);
  });
});
