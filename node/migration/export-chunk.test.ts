import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkWriter, writeDel, writeRestore } from './export-chunk.js';
import { command as encodeCommand } from '../../common/resp/encode.js';

const latin1 = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'));

describe('export chunk writer', () => {
  it('writes the same bytes as the RESP command encoder, whatever the sizes (growing from a tiny buffer)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(latin1, fc.option(fc.uint8Array({ maxLength: 2000 })), fc.nat()), { maxLength: 20 }), (cmds) => {
        const w = new ChunkWriter(8);
        let expected = '';
        for (const [key, payload, at] of cmds) {
          if (payload === null) {
            writeDel(w, key);
            expected += encodeCommand(['DEL', key]);
          } else {
            writeRestore(w, key, at, payload);
            expected += encodeCommand(['RESTORE', key, String(at), Buffer.from(payload).toString('latin1'), 'ABSTTL', 'REPLACE']);
          }
        }
        expect(w.take().equals(Buffer.from(expected, 'latin1'))).toBe(true);
      }),
    );
  });
});
