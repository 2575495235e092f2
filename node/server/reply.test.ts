import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Reply } from './reply.js';

describe('Reply.int', () => {
  it('encodes any integer as :n CRLF, small ones from the shared table alike', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), (n) => {
        const r = new Reply();
        r.int(n);
        expect(r.take()).toBe(`:${n}\r\n`);
      }),
    );
  });
});
