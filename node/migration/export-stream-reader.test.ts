import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExportStreamReader, type ExportFrame } from './export-stream-reader.js';
import { ChunkWriter, writeDel, writeRestore } from './export-chunk.js';
import { command as encodeCommand } from '../../common/resp/encode.js';

const latin1 = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'));

type Frame = Exclude<ExportFrame, { kind: 'restore' }> | { kind: 'restore'; key: string; at: number; payload: Buffer };

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ kind: fc.constant('restore' as const), key: latin1, at: fc.nat(), payload: fc.uint8Array({ maxLength: 1500 }).map((b) => Buffer.from(b)) }),
  fc.record({ kind: fc.constant('del' as const), key: latin1 }),
  fc.record({ kind: fc.constant('sync' as const), seq: fc.nat().map(String) }),
  fc.record({ kind: fc.constant('paused' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('simple' as const), text: fc.constantFrom('OK', 'PONG') }),
  fc.record({ kind: fc.constant('error' as const), message: fc.constantFrom('ERR no', "ERR I'm not the owner of hash slot 3") }),
);

function encode(f: Frame, w: ChunkWriter): void {
  if (f.kind === 'restore') writeRestore(w, f.key, f.at, f.payload);
  else if (f.kind === 'del') writeDel(w, f.key);
  else if (f.kind === 'sync') w.latin1(encodeCommand(['EXPORT-SYNC', f.seq]));
  else if (f.kind === 'paused') w.latin1(encodeCommand(['EXPORT-PAUSED', String(f.at)]));
  else if (f.kind === 'simple') w.latin1(`+${f.text}\r\n`);
  else w.latin1(`-${f.message}\r\n`);
}

function readAll(bytes: Buffer, cuts: number[]): { frames: Frame[]; fatal: string | null } {
  const r = new ExportStreamReader();
  const frames: Frame[] = [];
  let at = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
    r.feed(bytes.subarray(at, c));
    at = c;
    // The RESTORE frame object is reused by the next call: copied here.
    for (let f = r.next(); f !== undefined; f = r.next()) frames.push(f.kind === 'restore' ? { kind: 'restore', key: f.key, at: f.at, payload: Buffer.from(f.payload) } : f);
  }
  return { frames, fatal: r.fatal };
}

describe('export stream reader', () => {
  it('reads back what the export writes, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 15 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const w = new ChunkWriter(16);
        for (const f of frames) encode(f, w);
        const got = readAll(Buffer.from(w.take()), cuts);
        expect(got.fatal).toBe(null);
        expect(got.frames).toEqual(frames);
      }),
    );
  });

  it('reports a protocol error on anything else, and never throws', () => {
    for (const bad of ['*1\r\n$3\r\nGET\r\n', '*2\r\n$3\r\nDEL\r\nx\r\n', ':1\r\n', '*x\r\n', '*7\r\n', '*2\r\n$-1\r\n']) expect(readAll(Buffer.from(bad, 'latin1'), []).fatal).not.toBe(null);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 5 }), (b, cuts) => {
        readAll(Buffer.from(b), cuts);
      }),
    );
  });
});
