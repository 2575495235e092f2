// maxmemory enforcement: when the dataset is over the limit, evict keys chosen by sampling as
// Redis does (pool of best candidates from `maxmemory-samples` random keys per round).
import type { Server } from '../server/server.js';

/** Memory attributed to the dataset, refreshed by the cron and after evictions. */
export function usedMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

let cached = 0;
let cachedAt = 0;

function currentUsage(): number {
  const now = Date.now();
  if (now - cachedAt > 50) {
    cached = usedMemory();
    cachedAt = now;
  }
  return cached;
}

/** Evicts keys until under maxmemory; false when over the limit and nothing can be evicted. */
export function freeMemoryIfNeeded(server: Server): boolean {
  const limit = server.config.int('maxmemory');
  if (limit <= 0) return true;
  if (currentUsage() <= limit) return true;
  const policy = server.config.get('maxmemory-policy');
  if (policy === 'noeviction') return false;
  const volatile = policy.startsWith('volatile-');
  const samples = Math.max(1, server.config.int('maxmemory-samples'));
  // Evict a batch, then re-measure: heap figures move only after collection, so evict in
  // proportion to the overshoot rather than one key at a time.
  const over = currentUsage() - limit;
  let toFree = Math.max(16, Math.min(10_000, Math.ceil(over / 64)));
  while (toFree > 0) {
    let best: { db: number; key: string; score: number } | null = null;
    for (const db of server.dbs) {
      for (let i = 0; i < samples; i++) {
        const key = volatile ? randomVolatileKey(db.expires) : db.randomKey();
        if (key === undefined) break;
        const score = policy.endsWith('-ttl') ? -(db.expires.get(key) ?? Infinity) : Math.random();
        if (best === null || score > best.score) best = { db: db.index, key, score };
      }
    }
    if (best === null) return false;
    const db = server.dbs[best.db]!;
    for (const s of server.snapshots) s.beforeWrite(db, best.key);
    db.delete(best.key);
    if (server.propagator.active) server.propagator.propagate(best.db, ['DEL', best.key]);
    server.touchWatched(best.db, best.key);
    server.stats.evictedKeys++;
    toFree--;
  }
  cachedAt = 0;
  return true;
}

function randomVolatileKey(expires: Map<string, number>): string | undefined {
  if (expires.size === 0) return undefined;
  let i = Math.floor(Math.random() * Math.min(expires.size, 1024));
  for (const k of expires.keys()) if (i-- === 0) return k;
  return undefined;
}
