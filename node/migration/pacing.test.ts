import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BURST_S, LATE_MS, MIN_PACE_SHARE, Pacer } from './pacing.js';

describe('export pacer', () => {
  it('lets the configured rate through while timers are on time', () => {
    const p = new Pacer(10_000, 0);
    let sent = 0;
    for (let t = 0; t <= 1000; t += 2) {
      const n = Math.floor(p.available(t));
      p.spend(n);
      sent += n;
      p.observeTimer(1, 1.2);
    }
    expect(sent).toBeGreaterThan(9_900);
    // The rate plus the bucket it starts with.
    expect(sent).toBeLessThanOrEqual(10_000 + 10_000 * BURST_S + 100);
  });

  it('slows down on late timers, never below its floor, and climbs back to the rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { maxLength: 200 }), (rate, lateness) => {
        const p = new Pacer(rate, 0);
        for (const late of lateness) {
          const before = p.pace;
          p.observeTimer(1, 1 + late);
          if (late > LATE_MS) expect(p.pace).toBeLessThanOrEqual(before);
          else expect(p.pace).toBeGreaterThanOrEqual(before);
          expect(p.pace).toBeGreaterThanOrEqual(rate * MIN_PACE_SHARE);
          expect(p.pace).toBeLessThanOrEqual(rate);
        }
        for (let i = 0; i < 32; i++) p.observeTimer(1, 1);
        expect(p.pace).toBe(rate);
      }),
    );
  });

  it('waits until a key is allowed, and never when unpaced', () => {
    const p = new Pacer(1000, 0);
    p.spend(p.available(0));
    expect(p.waitMs()).toBe(1);
    p.spend(5);
    expect(p.waitMs()).toBe(6);
    const u = new Pacer(0, 0);
    expect(u.available(0)).toBe(Infinity);
    u.observeTimer(1, 100);
    expect(u.waitMs()).toBe(0);
  });
});
