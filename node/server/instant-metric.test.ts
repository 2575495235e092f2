import { describe, expect, test } from 'vitest';
import { InstantMetric } from './instant-metric.js';

describe('InstantMetric', () => {
  test('averages a steady rate once the window is full', () => {
    const m = new InstantMetric();
    for (let t = 0; t <= 1700; t += 100) m.track(t * 5, t); // 5 per ms = 5000/s
    expect(m.rate()).toBe(5000);
  });

  test('ignores samples closer than 100 ms and starts at zero', () => {
    const m = new InstantMetric();
    m.track(0, 0);
    m.track(1000, 50);
    expect(m.rate()).toBe(0);
    m.track(1000, 100);
    expect(m.rate()).toBe(10_000 / 16);
  });
});
