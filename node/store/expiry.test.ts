import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Config } from '../config/config.js';
import { Server } from '../server/server.js';
import { runActiveExpireCycle } from './expiry.js';

function serverWith(keys: number, ttlMs: number, now: number): Server {
  const srv = new Server(new Config(), pino({ level: 'silent' }));
  const db = srv.dbs[0]!;
  for (let i = 0; i < keys; i++) {
    db.set(`k:${i}`, 'v');
    db.setExpire(`k:${i}`, now + ttlMs);
  }
  return srv;
}

describe('active expiry cycle', () => {
  it('reaps expired keys without any access', () => {
    const now = Date.now();
    const srv = serverWith(1000, -1, now);
    for (let i = 0; i < 20 && srv.dbs[0]!.size > 0; i++) runActiveExpireCycle(srv, now);
    expect(srv.dbs[0]!.size).toBe(0);
    expect(srv.dbs[0]!.expires.size).toBe(0);
    expect(srv.stats.expiredKeys).toBe(1000);
  });

  it('leaves keys that are not due', () => {
    const now = Date.now();
    const srv = serverWith(500, 60_000, now);
    runActiveExpireCycle(srv, now);
    expect(srv.dbs[0]!.size).toBe(500);
  });

  it('bounds the time spent in one tick (25% of the tick at effort 1)', () => {
    const now = Date.now();
    const srv = serverWith(20_000, -1, now);
    // A fake clock that advances 1 ms per reading: hz 10 -> 100 ms ticks -> a 25 ms budget, so
    // the cycle stops after about 25 sampling loops of 20 keys however many keys are due.
    let t = 0;
    runActiveExpireCycle(srv, now, () => t++);
    const expired = 20_000 - srv.dbs[0]!.size;
    expect(expired).toBeGreaterThanOrEqual(20 * 20);
    expect(expired).toBeLessThanOrEqual(20 * 30);
  });
});
