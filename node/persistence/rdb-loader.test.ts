import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pino from 'pino';
import { Config } from '../config/config.js';
import { Server } from '../server/server.js';
import { startSnapshot } from './snapshot.js';
import { RdbLoader } from './rdb-loader.js';
import { RdbError } from './rdb.js';
import { DEFAULT_THRESHOLDS, encodeDumpPayload } from '../migration/dump-payload.js';
import { sourceOfStored } from '../migration/value-convert.js';
import { ListValue } from '../store/values/list.js';
import type { StoredValue } from '../store/values/object.js';

function image(srv: Server): Buffer {
  const snap = startSnapshot(srv);
  const parts: Buffer[] = [];
  for (let c = snap.read(Infinity); c !== null; c = snap.read(Infinity)) parts.push(c);
  return Buffer.concat(parts);
}

function canon(v: StoredValue): string {
  return typeof v === 'string' ? `s:${v}` : encodeDumpPayload(sourceOfStored(v)!).toString('hex');
}

type Row = [number, string, string, number | undefined];

function loadInPieces(img: Buffer, cuts: number[]): Row[] {
  const rows: Row[] = [];
  const l = new RdbLoader((db, key, value, exp) => rows.push([db, key, canon(value), exp]), DEFAULT_THRESHOLDS);
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    l.feed(img.subarray(at, Math.max(at, c)));
    at = Math.max(at, c);
  }
  l.feed(img.subarray(at));
  expect(l.end()).toBe(rows.length);
  return rows;
}

const entry = fc.record({
  db: fc.nat({ max: 2 }),
  key: fc.string({ minLength: 1, maxLength: 30 }),
  value: fc.oneof(fc.string({ maxLength: 100 }), fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 40 })),
  ttl: fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: undefined }),
});

describe('RdbLoader', () => {
  it('decodes an image fed in arbitrary pieces exactly as in one piece', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 12 }), (entries, rawCuts) => {
        const srv = new Server(new Config(), pino({ level: 'silent' }));
        for (const e of entries) {
          const key = Buffer.from(e.key, 'utf8').toString('latin1');
          const v = typeof e.value === 'string' ? e.value : ListValue.of(e.value);
          srv.dbs[e.db]!.set(key, v);
          if (e.ttl !== undefined) srv.dbs[e.db]!.setExpire(key, Date.now() + e.ttl);
        }
        const img = image(srv);
        const whole = loadInPieces(img, []);
        const pieces = loadInPieces(img, rawCuts.map((c) => c % (img.length + 1)));
        expect(pieces).toEqual(whole);
        const expected = srv.dbs.reduce((n, d) => n + d.size, 0);
        expect(whole.length).toBe(expected);
        for (const [db, key, v, exp] of whole) {
          expect(canon(srv.dbs[db]!.peek(key, 0)!)).toBe(v);
          expect(exp).toBe(srv.dbs[db]!.getExpire(key));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a truncated image, a wrong checksum and a bad signature', () => {
    const srv = new Server(new Config(), pino({ level: 'silent' }));
    for (let i = 0; i < 500; i++) srv.dbs[0]!.set(`k${i}`, `value-${i}`);
    const img = image(srv);
    const truncated = new RdbLoader(() => {}, DEFAULT_THRESHOLDS);
    truncated.feed(img.subarray(0, img.length - 100));
    expect(() => truncated.end()).toThrow(RdbError);
    const flipped = Buffer.from(img);
    flipped[img.length - 1]! ^= 1;
    const wrongCrc = new RdbLoader(() => {}, DEFAULT_THRESHOLDS);
    expect(() => {
      wrongCrc.feed(flipped);
      wrongCrc.end();
    }).toThrow('Wrong RDB checksum');
    const sig = new RdbLoader(() => {}, DEFAULT_THRESHOLDS);
    expect(() => {
      sig.feed(Buffer.from('REDXS0010aaaaaaaa'));
      sig.end();
    }).toThrow('Wrong signature trying to load DB from file');
  });
});
