import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startNode, type ServerProcess } from '../helpers/processes.js';

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  if (!m) throw new Error(`no ${name} in INFO`);
  return Number(m[1]);
}

const VALUE = 'x'.repeat(1000);

describe('maxmemory, eviction policies and active expiry', () => {
  let node: ServerProcess;
  let c: Redis;
  beforeAll(async () => {
    node = await startNode();
    c = new Redis({ port: node.port, host: node.host });
  });
  afterAll(async () => {
    c.disconnect();
    await node.stop();
  });
  beforeEach(async () => {
    await c.config('SET', 'maxmemory', '0');
    await c.config('SET', 'maxmemory-policy', 'noeviction');
    await c.flushall();
  });

  /** Sets maxmemory to what is used now plus headroom, so the test does not depend on V8's baseline. */
  async function limitToUsedPlus(headroom: number): Promise<void> {
    const used = infoField(await c.info('memory'), 'used_memory');
    await c.config('SET', 'maxmemory', String(used + headroom));
  }

  async function fill(prefix: string, n: number, extra: (string | number)[] = []): Promise<void> {
    for (let i = 0; i < n; i += 500) {
      const p = c.pipeline();
      for (let j = i; j < Math.min(n, i + 500); j++) p.set(`${prefix}:${j}`, VALUE, ...(extra as []));
      await p.exec();
    }
  }

  it('noeviction refuses writes with the exact OOM error but serves reads and deletes', async () => {
    await c.set('k', 'v');
    await c.config('SET', 'maxmemory', '1');
    await expect(c.set('k2', 'v')).rejects.toThrow("OOM command not allowed when used memory > 'maxmemory'.");
    expect(await c.get('k')).toBe('v');
    expect(await c.del('k')).toBe(1);
    const info = await c.info('errorstats');
    expect(info).toMatch(/errorstat_OOM:count=1/);
    // A transaction with a write queued while over the limit is aborted.
    const r = await c.multi().set('k3', 'v').exec().catch((e: Error) => e.message);
    expect(String(r)).toContain('EXECABORT');
  });

  it('allkeys-lru keeps recently used keys and evicts idle ones', async () => {
    await fill('hot', 1000);
    await limitToUsedPlus(6 * 1024 * 1024);
    await c.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await c.config('SET', 'maxmemory-samples', '10');
    for (let round = 0; round < 30; round++) {
      const p = c.pipeline();
      for (let j = 0; j < 1000; j++) p.get(`hot:${j}`);
      await p.exec();
      await new Promise((r) => setTimeout(r, 15));
      await fill(`cold${round}`, 600);
    }
    const info = await c.info();
    expect(infoField(info, 'evicted_keys')).toBeGreaterThan(1000);
    const hot = (await c.exists(...Array.from({ length: 1000 }, (_, j) => `hot:${j}`))) as number;
    expect(hot).toBeGreaterThan(900);
    expect(await c.dbsize()).toBeLessThan(1000 + 30 * 600);
  });

  it('volatile-ttl evicts the keys closest to expiry and never keys without TTL', async () => {
    await fill('none', 300);
    await fill('short', 300, ['EX', 1000]);
    await fill('long', 300, ['EX', 100000]);
    await limitToUsedPlus(2 * 1024 * 1024);
    await c.config('SET', 'maxmemory-policy', 'volatile-ttl');
    await fill('fill', 4000, ['EX', 50000]);
    const count = async (prefix: string) => (await c.exists(...Array.from({ length: 300 }, (_, j) => `${prefix}:${j}`))) as number;
    expect(await count('none')).toBe(300);
    expect(await count('short')).toBeLessThan(50);
    expect(await count('long')).toBeGreaterThan(await count('short'));
  });

  it('volatile-lru with no volatile keys behaves as noeviction', async () => {
    await fill('plain', 200);
    await c.config('SET', 'maxmemory-policy', 'volatile-lru');
    await c.config('SET', 'maxmemory', '1');
    await expect(c.set('more', 'v')).rejects.toThrow(/^OOM command not allowed/);
    expect(await c.dbsize()).toBe(200);
  });

  it('allkeys-random evicts to stay near the limit', async () => {
    await limitToUsedPlus(3 * 1024 * 1024);
    await c.config('SET', 'maxmemory-policy', 'allkeys-random');
    await fill('r', 10000);
    const n = await c.dbsize();
    expect(n).toBeLessThan(10000);
    expect(n).toBeGreaterThan(200);
  });

  it('expires keys actively without access', async () => {
    const before = infoField(await c.info('stats'), 'expired_keys');
    await fill('ttl', 2000, ['PX', 100]);
    await c.set('keep', '1');
    await new Promise((r) => setTimeout(r, 1200));
    const info = await c.info();
    expect(infoField(info, 'expired_keys') - before).toBe(2000);
    expect(info).toMatch(/^db0:keys=1,expires=0,avg_ttl=0/m);
  });
});
