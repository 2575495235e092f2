import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Backlog } from './backlog.js';

describe('Backlog', () => {
  it('returns exactly the stream suffix it still holds', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40_000 }), { maxLength: 20 }), fc.nat(), (chunks, pick) => {
        const b = new Backlog(16 * 1024);
        const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        for (const c of chunks) b.append(Buffer.from(c));
        const held = Math.min(all.length, 16 * 1024);
        expect(b.firstOffset).toBe(all.length - held + 1);
        const from = b.firstOffset + (held === 0 ? 0 : pick % (held + 1));
        const got = b.readFrom(from)!;
        expect(Buffer.compare(got, all.subarray(from - 1))).toBe(0);
        if (b.firstOffset > 1) expect(b.readFrom(b.firstOffset - 1)).toBeNull();
        expect(b.readFrom(all.length + 2)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
