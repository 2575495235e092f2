// Active expiry: each cron tick samples keys with a TTL and deletes the expired ones, within a
// time budget, repeating while a sample shows many expired keys (as Redis's activeExpireCycle).
import type { Server } from '../server/server.js';

const SAMPLE = 20;
const cursors = new WeakMap<object, Iterator<[string, number]>>();

/** `elapsed` reads a monotonic clock in ms (tests pass a fake one to check the budget). */
export function runActiveExpireCycle(server: Server, now: number, elapsed: () => number = () => performance.now()): void {
  const effort = Math.min(10, Math.max(1, server.config.int('active-expire-effort')));
  const hz = Math.max(1, server.config.int('hz'));
  // Redis spends up to 25% of each tick's time here at effort 1.
  const budgetMs = ((1000 / hz) * (25 + 2 * (effort - 1))) / 100;
  const keysPerLoop = SAMPLE + Math.floor((SAMPLE / 4) * (effort - 1));
  const start = elapsed();
  for (const db of server.dbs) {
    if (db.expires.size === 0) continue;
    for (;;) {
      let it = cursors.get(db);
      if (!it) cursors.set(db, (it = db.expires.entries()));
      let sampled = 0;
      let expired = 0;
      while (sampled < keysPerLoop) {
        const r = it.next();
        if (r.done) {
          cursors.delete(db);
          break;
        }
        sampled++;
        if (r.value[1] <= now && db.expireIfDue(r.value[0], now)) expired++;
      }
      if (sampled === 0 || expired * 100 < sampled * (10 - effort + 1)) break;
      if (elapsed() - start > budgetMs) return;
    }
  }
}
