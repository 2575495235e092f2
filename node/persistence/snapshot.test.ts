import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pino from 'pino';
import { Config } from '../config/config.js';
import { Server } from '../server/server.js';
import { startSnapshot } from './snapshot.js';
import { RdbLoader } from './rdb-loader.js';
import { DEFAULT_THRESHOLDS } from '../migration/dump-payload.js';

function contents(srv: Server): Map<string, string> {
  const out = new Map<string, string>();
  for (const db of srv.dbs) for (const [k, v] of db.entries()) out.set(`${db.index}/${k}`, v as string);
  return out;
}

describe('snapshot', () => {
  it('is the dataset as it was at its start, whatever is written between slices', () => {
    // Keys in one big slot (hash tag: written across slices) and keys spread over small slots.
    const key = fc.oneof(fc.nat({ max: 1500 }).map((i) => `{big}${i}`), fc.nat({ max: 400 }).map((i) => `k${i}`));
    const op = fc.record({ key, del: fc.boolean(), db: fc.nat({ max: 1 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.nat({ max: 20 }), (ops, perSlice) => {
        const srv = new Server(new Config(), pino({ level: 'silent' }));
        for (let i = 0; i < 1500; i += 2) srv.dbs[0]!.set(`{big}${i}`, `v${i}`);
        for (let i = 0; i < 400; i += 3) srv.dbs[1]!.set(`k${i}`, `w${i}`);
        const before = contents(srv);
        const snap = startSnapshot(srv);
        const parts: Buffer[] = [];
        let at = 0;
        for (let c = snap.read(0); c !== null; c = snap.read(0)) {
          parts.push(c);
          // Writes between slices notify the snapshot first, as the command path does.
          for (const o of ops.slice(at, at + perSlice + 1)) {
            const db = srv.dbs[o.db]!;
            for (const s of srv.snapshots) s.beforeWrite(db, o.key);
            if (o.del) db.delete(o.key);
            else db.set(o.key, `new-${o.key}`);
          }
          at += perSlice + 1;
        }
        const loaded = new Map<string, string>();
        const l = new RdbLoader((db, k, v) => loaded.set(`${db}/${k}`, v as string), DEFAULT_THRESHOLDS);
        l.feed(Buffer.concat(parts));
        l.end();
        expect(loaded).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });
});
