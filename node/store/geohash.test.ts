import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LAT_MAX, LAT_MIN, decodeScore, distance, distanceIfWithin, formatFixed, geohashString, scoreOf, searchRanges, type Shape } from './geohash.js';

const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: LAT_MIN, max: LAT_MAX, noNaN: true });

describe('geohash', () => {
  it('known scores and positions (values from redis-server 7.0)', () => {
    expect(scoreOf(13.361389, 38.115556)).toBe(3479099956230698);
    expect(scoreOf(180, LAT_MAX)).toBe(13510798882111488);
    expect(scoreOf(-180, LAT_MIN)).toBe(0);
    expect(decodeScore(3479099956230698).map((x) => formatFixed(x, 17))).toEqual(['13.36138933897018433', '38.11555639549629859']);
    expect(geohashString(...decodeScore(scoreOf(13.361389, 38.115556)))).toBe('sqc8b49rny0');
    expect(geohashString(...decodeScore(scoreOf(180, LAT_MAX)))).toBe('bp05b5048p0');
  });

  it('a decoded position encodes back to the same score and lies within one cell', () => {
    fc.assert(
      fc.property(lon, lat, (x, y) => {
        const s = scoreOf(x, y);
        const [dx, dy] = decodeScore(s);
        if (x < 180 && y < LAT_MAX) expect(scoreOf(dx, dy)).toBe(s);
        expect(Math.abs(dx - x)).toBeLessThanOrEqual(360 / 2 ** 26);
        expect(Math.abs(dy - y)).toBeLessThanOrEqual(171 / 2 ** 26);
      }),
    );
  });

  it('every point within a radius lies in one of the search ranges', () => {
    const radius = fc.double({ min: 0, max: 5_000_000, noNaN: true });
    fc.assert(
      fc.property(lon, fc.double({ min: -80, max: 80, noNaN: true }), radius, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), (x, y, r, f, angle) => {
        const shape: Shape = { kind: 'radius', lon: x, lat: y, radius: r, conversion: 1 };
        // A point at a fraction of the radius in some direction (small-distance approximation).
        const d = (r * f * 0.5) / 6372797.560856;
        const py = y + ((d * Math.cos(angle)) * 180) / Math.PI;
        const px = x + ((d * Math.sin(angle)) * 180) / Math.PI / Math.cos((y * Math.PI) / 180);
        fc.pre(px >= -180 && px <= 180 && py >= LAT_MIN && py <= LAT_MAX);
        const s = scoreOf(px, py);
        const [dx, dy] = decodeScore(s);
        fc.pre(distanceIfWithin(shape, dx, dy) >= 0);
        expect(searchRanges(shape).some((g) => s >= g.min && s < g.max)).toBe(true);
      }),
    );
  });

  it('distance is symmetric and zero at the same point', () => {
    fc.assert(
      fc.property(lon, lat, lon, lat, (a, b, c, d) => {
        expect(distance(a, b, a, b)).toBe(0);
        expect(Math.abs(distance(a, b, c, d) - distance(c, d, a, b))).toBeLessThan(1e-6);
      }),
    );
  });

  it('formatFixed prints like printf %.Nf (exact value, ties to even)', () => {
    expect(formatFixed(166274.15156960033, 4)).toBe('166274.1516');
    expect(formatFixed(1.03125, 4)).toBe('1.0312');
    expect(formatFixed(1.09375, 4)).toBe('1.0938');
    expect(formatFixed(200, 6)).toBe('200.000000');
    expect(formatFixed(-0.5, 0)).toBe('-0');
    expect(formatFixed(Infinity, 6)).toBe('inf');
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const s = formatFixed(x, 4);
        expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(0.00005 + 1e-9);
        expect(s).toMatch(/^-?\d+\.\d{4}$/);
      }),
    );
  });
});
