// maxmemory enforcement: when used memory is over the limit, evict keys chosen by sampling as
// Redis does: each round samples `maxmemory-samples` keys per database into a small pool of the
// best candidates (idlest for LRU, least used for LFU, soonest to expire for TTL), then evicts the
// best of the pool.
import type { Server } from '../server/server.js';
import type { Db } from './keyspace.js';

const POOL_SIZE = 16;
/** Keys evicted per call at most, so that one command never stalls the loop for long. */
const MAX_EVICTIONS_PER_CALL = 20_000;

interface Candidate {
  db: Db;
  key: string;
  score: number; // higher = evict first
}

export type Policy =
  | 'noeviction'
  | 'allkeys-lru'
  | 'volatile-lru'
  | 'allkeys-lfu'
  | 'volatile-lfu'
  | 'allkeys-random'
  | 'volatile-random'
  | 'volatile-ttl';

/** The eviction score of a key under a policy: the higher, the better a victim. */
export function evictionScore(policy: Policy, db: Db, key: string, now: number): number {
  if (policy.endsWith('-lru')) return db.clock.idleMs(key, now);
  if (policy.endsWith('-lfu')) return 255 - db.clock.frequency(key, now);
  if (policy === 'volatile-ttl') return -(db.expires.get(key) ?? Infinity);
  return Math.random();
}

function sampleKey(db: Db, volatile: boolean): string | undefined {
  return volatile ? randomVolatileKey(db.expires) : db.randomKey();
}

function randomVolatileKey(expires: Map<string, number>): string | undefined {
  if (expires.size === 0) return undefined;
  // Maps cannot be indexed: walk a bounded random distance from the start.
  let i = Math.floor(Math.random() * Math.min(expires.size, 1024));
  for (const k of expires.keys()) if (i-- === 0) return k;
  return undefined;
}

const pool: Candidate[] = [];

function refillPool(server: Server, policy: Policy, samples: number, now: number): void {
  const volatile = policy.startsWith('volatile-');
  for (const db of server.dbs) {
    if ((volatile ? db.expires.size : db.size) === 0) continue;
    for (let i = 0; i < samples; i++) {
      const key = sampleKey(db, volatile);
      if (key === undefined) break;
      if (pool.some((c) => c.db === db && c.key === key)) continue;
      const score = evictionScore(policy, db, key, now);
      if (pool.length < POOL_SIZE) pool.push({ db, key, score });
      else {
        let worst = 0;
        for (let j = 1; j < pool.length; j++) if (pool[j]!.score < pool[worst]!.score) worst = j;
        if (pool[worst]!.score < score) pool[worst] = { db, key, score };
      }
    }
  }
}

function takeBest(policy: Policy, now: number): Candidate | undefined {
  const volatile = policy.startsWith('volatile-');
  while (pool.length > 0) {
    let best = 0;
    for (let j = 1; j < pool.length; j++) if (pool[j]!.score > pool[best]!.score) best = j;
    const c = pool.splice(best, 1)[0]!;
    // The pool may hold keys that changed since sampling.
    if (c.db.peek(c.key, now) === undefined) continue;
    if (volatile && !c.db.expires.has(c.key)) continue;
    return c;
  }
  return undefined;
}

/** Evicts keys until under maxmemory; false when still over the limit and nothing can be evicted. */
export function freeMemoryIfNeeded(server: Server): boolean {
  const limit = server.config.int('maxmemory');
  if (limit <= 0) return true;
  if (server.usedMemory() <= limit) return true;
  const policy = server.config.get('maxmemory-policy') as Policy;
  if (policy === 'noeviction') return false;
  const samples = Math.max(1, server.config.int('maxmemory-samples'));
  const now = Date.now();
  for (let n = 0; n < MAX_EVICTIONS_PER_CALL && server.usedMemory() > limit; n++) {
    refillPool(server, policy, samples, now);
    const c = takeBest(policy, now);
    if (c === undefined) return false;
    for (const s of server.snapshots) s.beforeWrite(c.db, c.key);
    c.db.delete(c.key);
    if (server.propagator.active) server.propagator.propagate(c.db.index, ['DEL', c.key]);
    server.touchWatched(c.db.index, c.key);
    server.stats.evictedKeys++;
  }
  return server.usedMemory() <= limit;
}
