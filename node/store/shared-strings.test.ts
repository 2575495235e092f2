import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shareShort, SHARE_MAX_LENGTH } from './shared-strings.js';

describe('shareShort', () => {
  it('always returns a string equal to its argument', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 24 }), { maxLength: 200 }), (vals) => {
        for (const v of vals) expect(shareShort(v)).toBe(v);
      }),
    );
  });
  it('gives back the stored copy for a repeated short value', () => {
    const a = Buffer.from('xyz-value', 'latin1').toString('latin1');
    const b = Buffer.from('xyz-value', 'latin1').toString('latin1');
    expect(shareShort(a)).toBe(a);
    // Same content, and the later copy is replaced by the first one (what saves memory).
    const got = shareShort(b);
    expect(got).toBe(b);
    expect(Object.is(got, a)).toBe(true);
    expect(shareShort('x'.repeat(SHARE_MAX_LENGTH + 1))).toBe('x'.repeat(SHARE_MAX_LENGTH + 1));
  });
});
