import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplyReader, isErrorReply } from './reply-reader.js';

describe('ReplyReader', () => {
  it('reads pipelined replies split at any byte', () => {
    const wire = Buffer.from('+OK\r\n-BUSYKEY Target key name already exists.\r\n:42\r\n$3\r\n\xff\x00a\r\n*2\r\n$-1\r\n+x\r\n', 'latin1');
    fc.assert(
      fc.property(fc.array(fc.nat(wire.length), { maxLength: 5 }), (cuts) => {
        const r = new ReplyReader();
        const points = [...new Set([0, ...cuts, wire.length])].sort((a, b) => a - b);
        for (let i = 1; i < points.length; i++) r.feed(wire.subarray(points[i - 1], points[i]));
        expect([r.shift(), r.shift(), r.shift(), r.shift(), r.shift()]).toEqual(['OK', { error: 'BUSYKEY Target key name already exists.' }, 42, '\xff\x00a', [null, 'x']]);
        expect(r.fatal).toBeNull();
      }),
    );
  });
  it('reports garbage as fatal without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const r = new ReplyReader();
        r.feed(Buffer.from(b));
        while (r.available) expect(isErrorReply(r.shift()) || true).toBe(true);
      }),
    );
  });
});
