// HSCAN/SSCAN on big collections while other clients modify them, and the random-element
// commands (whose replies cannot be compared with Redis byte for byte), through ioredis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startNode, type ServerProcess } from '../helpers/processes.js';

describe('collection scans and random members', () => {
  let node: ServerProcess;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    node = await startNode();
    a = new Redis({ port: node.port, host: node.host, lazyConnect: true });
    b = new Redis({ port: node.port, host: node.host, lazyConnect: true });
    await Promise.all([a.connect(), b.connect()]);
  });
  afterAll(async () => {
    a.disconnect();
    b.disconnect();
    await node.stop();
  });

  async function fillHash(key: string, n: number, prefix: string): Promise<void> {
    for (let i = 0; i < n; i += 5000) {
      const args: string[] = [];
      for (let j = i; j < Math.min(n, i + 5000); j++) args.push(`${prefix}${j}`, `v${j}`);
      await a.hset(key, ...args);
    }
  }

  it('HSCAN returns every field present for the whole iteration of a 200k-field hash under concurrent writes', async () => {
    const N = 200_000;
    await fillHash('big', N, 'f');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    let slowest = 0;
    let round = 0;
    do {
      const t0 = performance.now();
      const [next, flat] = await a.hscan('big', cursor, 'COUNT', 500);
      slowest = Math.max(slowest, performance.now() - t0);
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
      cursor = next;
      calls++;
      // Another client churns the hash between calls: deletes fields from the "volatile" range
      // (multiples of 7), re-adds some of them, adds new fields and updates stable ones.
      const r = round++;
      const churn = b.pipeline();
      const dels: string[] = [];
      for (let k = 0; k < 200; k++) dels.push(`f${((r * 200 + k) % Math.floor(N / 7)) * 7}`);
      churn.hdel('big', ...dels);
      churn.hset('big', `f${((r * 13) % Math.floor(N / 7)) * 7}`, 'back', `new${r}`, 'x', `f${r * 7 + 1}`, 'updated');
      await churn.exec();
    } while (cursor !== '0');
    const missing: string[] = [];
    for (let i = 0; i < N; i++) if (i % 7 !== 0 && !seen.has(`f${i}`)) missing.push(`f${i}`);
    expect(missing).toEqual([]);
    // Paged (COUNT 500) rather than returned whole.
    expect(calls).toBeGreaterThan(100);
    // A call's cost does not grow with the hash (no O(n) work per call); generous for CI noise.
    expect(slowest).toBeLessThan(250);
    await a.del('big');
  });

  it('SSCAN returns every member present for the whole iteration, with MATCH', async () => {
    const N = 50_000;
    for (let i = 0; i < N; i += 5000) {
      const m: string[] = [];
      for (let j = i; j < Math.min(N, i + 5000); j++) m.push(`m${j}`);
      await a.sadd('bigset', ...m);
    }
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, members] = await a.sscan('bigset', cursor, 'MATCH', 'm*1', 'COUNT', 300);
      for (const m of members) {
        expect(m.endsWith('1')).toBe(true);
        seen.add(m);
      }
      cursor = next;
      const r = round++;
      await b.srem('bigset', ...Array.from({ length: 100 }, (_, k) => `m${((r * 100 + k) % (N / 2)) * 2}`));
      await b.sadd('bigset', `added${r}1`);
    } while (cursor !== '0');
    for (let i = 1; i < N; i += 10) expect(seen.has(`m${i}`), `m${i}`).toBe(true);
    await a.del('bigset');
  });

  it('small encodings come back whole with cursor 0', async () => {
    await a.hset('small', 'a', '1', 'b', '2');
    expect(await a.hscan('small', '999', 'COUNT', '1')).toEqual(['0', ['a', '1', 'b', '2']]);
    await a.sadd('ints', '3', '1', '2');
    expect(await a.sscan('ints', '5')).toEqual(['0', ['1', '2', '3']]);
  });

  it('HRANDFIELD honours counts, uniqueness and WITHVALUES on listpack and hashtable hashes', async () => {
    await fillHash('r1', 1000, 'k');
    await a.hset('r2', 'a', '1', 'b', '2', 'c', '3');
    for (const key of ['r1', 'r2']) {
      const size = await a.hlen(key);
      for (const count of [1, 2, 3, 10, 400, 900, 999, 1000, 5000]) {
        const fields = (await a.hrandfield(key, count)) as string[];
        expect(fields.length).toBe(Math.min(count, size));
        expect(new Set(fields).size).toBe(fields.length);
        for (const f of fields) expect(await a.hexists(key, f)).toBe(1);
      }
      const neg = (await a.hrandfield(key, -50)) as string[];
      expect(neg.length).toBe(50);
      const pairs = (await a.hrandfield(key, -20, 'WITHVALUES')) as string[];
      expect(pairs.length).toBe(40);
      for (let i = 0; i < pairs.length; i += 2) expect(await a.hget(key, pairs[i]!)).toBe(pairs[i + 1]);
      expect(await a.hexists(key, (await a.hrandfield(key)) as string)).toBe(1);
    }
    // Every field is eventually picked (the sampling is not stuck on a subset).
    const picked = new Set<string>();
    for (let i = 0; i < 20; i++) for (const f of (await a.hrandfield('r2', -10)) as string[]) picked.add(f);
    expect([...picked].sort()).toEqual(['a', 'b', 'c']);
    await a.del('r1', 'r2');
  });

  it('SRANDMEMBER and SPOP honour counts on intsets and hashtables', async () => {
    for (const [key, members] of [
      ['ints', Array.from({ length: 300 }, (_, i) => String(i))],
      ['strs', Array.from({ length: 1000 }, (_, i) => `s${i}`)],
    ] as const) {
      await a.del(key);
      await a.sadd(key, ...members);
      const size = members.length;
      for (const count of [1, 5, 100, size - 1, size, size + 10]) {
        const got = await a.srandmember(key, count);
        expect(got.length).toBe(Math.min(count, size));
        expect(new Set(got).size).toBe(got.length);
      }
      expect((await a.srandmember(key, -size * 2)).length).toBe(size * 2);
      // SPOP through both strategies: few popped (remove one by one) and most popped (keep few).
      const before = new Set(await a.smembers(key));
      const popped = [...(await a.spop(key, 10)), ...(await a.spop(key, size - 20))];
      expect(new Set(popped).size).toBe(size - 10);
      for (const m of popped) expect(before.has(m)).toBe(true);
      const left = await a.smembers(key);
      expect(left.length).toBe(10);
      for (const m of left) expect(popped.includes(m)).toBe(false);
      expect((await a.spop(key, 100)).length).toBe(10);
      expect(await a.exists(key)).toBe(0);
    }
  });
});
