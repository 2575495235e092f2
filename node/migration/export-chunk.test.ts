import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkWriter, SHORT_STRING, readShortString, writeDel, writeRestore, writeRestoreString } from './export-chunk.js';
import { ExportStreamReader } from './export-stream-reader.js';
import { decodeDumpPayload } from './dump-payload.js';
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

  it('writes short string values as RESTOREs whose payload is a valid DUMP of the value', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(latin1, fc.nat({ max: SHORT_STRING }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })), fc.oneof(fc.constant(0), fc.nat(), fc.constant(1_764_000_000_000))), { maxLength: 20 }), (cmds) => {
        const w = new ChunkWriter(4);
        for (const [key, value, at] of cmds) writeRestoreString(w, key, at, Buffer.from(value).toString('latin1'));
        const r = new ExportStreamReader();
        r.feed(Buffer.from(w.take()));
        for (const [key, value, at] of cmds) {
          const f = r.next();
          expect(f).toMatchObject({ kind: 'restore', key, at });
          if (f?.kind !== 'restore') return;
          expect(decodeDumpPayload(f.payload)).toEqual({ ok: true, value: { type: 'string', value: Buffer.from(value).toString('latin1') } });
          expect(readShortString(f.payload)).toBe(Buffer.from(value).toString('latin1'));
          // The same bytes in place inside a bigger buffer (as the target reads them).
          const around = Buffer.concat([Buffer.from('xy'), f.payload, Buffer.from('z')]);
          expect(readShortString(around, 2, 2 + f.payload.length)).toBe(Buffer.from(value).toString('latin1'));
          // A damaged payload is left to the general decoder (which reports it).
          const bad = Buffer.from(f.payload);
          bad[bad.length - 1] ^= 1;
          expect(readShortString(bad)).toBe(null);
        }
        expect(r.next()).toBe(undefined);
        expect(r.fatal).toBe(null);
      }),
    );
  });

  it('carves chunks out of the shared slab without touching the ones taken before', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(latin1, fc.uint8Array({ maxLength: 70_000 })), { minLength: 1, maxLength: 40 }), (cmds) => {
        const taken: [Buffer, string][] = [];
        for (const [key, payload] of cmds) {
          const w = new ChunkWriter(16 << 10, true);
          writeRestore(w, key, 0, payload);
          taken.push([w.take(), encodeCommand(['RESTORE', key, '0', Buffer.from(payload).toString('latin1'), 'ABSTTL', 'REPLACE'])]);
        }
        for (const [chunk, expected] of taken) expect(chunk.equals(Buffer.from(expected, 'latin1'))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('writes decimals as String() does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat()), (v) => {
        const w = new ChunkWriter(1);
        w.decimal(v);
        expect(w.take().toString('latin1')).toBe(String(v));
      }),
    );
  });

  it('leaves payloads of any other shape to the general decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const v = readShortString(Buffer.from(b));
        if (v !== null) expect(decodeDumpPayload(Buffer.from(b))).toEqual({ ok: true, value: { type: 'string', value: v } });
      }),
    );
  });
});
