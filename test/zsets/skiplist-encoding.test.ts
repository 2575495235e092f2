import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { type ServerProcess } from '../helpers/processes.js';
import { expectSameReplies, useServerPair, type Step } from '../helpers/differential.js';
import { RawClient } from '../helpers/raw-client.js';

// With tiny listpack thresholds every set of more than 4 members (or with a member longer than
// 8 bytes) uses the skiplist encoding, whose visible differences (signed zero, ZSCAN paging,
// lex ranges over mixed scores, ZRANDMEMBER order) must match redis-server 7.0.
const ARGS = ['--zset-max-listpack-entries', '4', '--zset-max-listpack-value', '8'];

// A loopback address of its own keeps this file's servers clear of other suites' ports.
const HOST = '127.0.0.73';

describe('sorted sets in skiplist encoding behave like redis-server 7.0', () => {
  const { ours, redis } = useServerPair({ host: HOST, args: ARGS });

  const script: Step[] = [
    ['ZADD', '{a}k', '-0', 'x', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
    ['ZSCORE', '{a}k', 'x'],
    ['ZADD', '{a}small', '-0', 'x'],
    ['ZSCORE', '{a}small', 'x'],
    ['ZADD', '{a}long', '-0', 'averyverylongmember'],
    ['ZSCORE', '{a}long', 'averyverylongmember'],
    ['ZINCRBY', '{a}small', '-0', 'x'],
    ['ZADD', '{a}small', '1', 'y', '2', 'z', '3', 'w', '4', 'v'],
    ['ZSCORE', '{a}small', 'x'],
    ['ZADD', '{a}small', '-0', 'x'],
    ['ZSCORE', '{a}small', 'x'],
    ['ZRANGE', '{a}k', '0', '-1', 'WITHSCORES'],
    ['ZINTERSTORE', '{a}d', '2', '{a}k', '{a}small', 'AGGREGATE', 'MIN', 'WEIGHTS', '1', '0'],
    ['ZRANGE', '{a}d', '0', '-1', 'WITHSCORES'],
    ['ZUNIONSTORE', '{a}d', '1', '{a}k', 'WEIGHTS', '-1'],
    ['ZRANGE', '{a}d', '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', '{a}d', '{a}k', '0', '1'],
    ['ZRANGE', '{a}d', '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', '{a}d', '{a}k', '-inf', '+inf', 'BYSCORE'],
    ['ZRANGE', '{a}d', '0', '-1', 'WITHSCORES'],
    ['ZRANDMEMBER', '{a}k', '100', 'WITHSCORES'],
    ['ZRANDMEMBER', '{a}k', '6'],
    ['ZRANK', '{a}k', 'c'],
    ['ZREVRANK', '{a}k', 'c'],
    ['ZCOUNT', '{a}k', '(1', '4'],
    ['ZRANGE', '{a}k', '(1', '4', 'BYSCORE', 'REV', 'LIMIT', '1', '2', 'WITHSCORES'],
    ['ZREMRANGEBYRANK', '{a}k', '1', '2'],
    ['ZRANGE', '{a}k', '0', '-1', 'WITHSCORES'],
    ['ZPOPMAX', '{a}k', '2'],
    ['ZPOPMIN', '{a}k'],
    ['ZRANGE', '{a}k', '0', '-1', 'WITHSCORES'],
    // Lex ranges assume equal scores. With mixed scores a listpack answers by a linear walk
    // (deterministic, compared here); a skiplist's answer depends on its random node levels.
    ['ZADD', '{a}mixsmall', '5', 'a', '1', 'b', '3', 'c', '0', 'd'],
    ['ZRANGEBYLEX', '{a}mixsmall', '[b', '[d'],
    ['ZREVRANGEBYLEX', '{a}mixsmall', '[d', '[b'],
    ['ZLEXCOUNT', '{a}mixsmall', '[b', '[d'],
    ['ZLEXCOUNT', '{a}mixsmall', '-', '(c'],
    // Many members, inf scores, ties broken by member bytes.
    ['ZADD', '{a}big', '1', 'm1', '1', 'm10', '1', 'm2', '+inf', 'top', '-inf', 'bottom', '1.5', 'x', '1e300', 'huge', '-1e-300', 'tiny'],
    ['ZRANGE', '{a}big', '0', '-1', 'WITHSCORES'],
    ['ZRANGEBYSCORE', '{a}big', '(1', '+inf', 'WITHSCORES'],
    ['ZREVRANGEBYSCORE', '{a}big', '+inf', '-inf', 'LIMIT', '2', '3'],
    ['ZUNION', '2', '{a}big', '{a}k', 'WITHSCORES'],
    ['ZINTER', '2', '{a}big', '{a}big', 'WEIGHTS', '2', '3', 'WITHSCORES'],
    ['ZDIFF', '2', '{a}big', '{a}small', 'WITHSCORES'],
    ['ZMPOP', '1', '{a}big', 'MAX', 'COUNT', '3'],
  ];

  it('RESP2', async () => {
    await expectSameReplies(ours, redis, script);
  });
  it('RESP3', async () => {
    await expectSameReplies(ours, redis, script, 3);
  });

  it('ZSCAN of a skiplist with a large COUNT returns every pair in one call', async () => {
    const pairs = async (srv: ServerProcess, args: string[]) => {
      const c = await RawClient.connect(srv.port, srv.host);
      try {
        await c.call('DEL', 'zs');
        await c.call('ZADD', 'zs', '-0', 'x', '1', 'a', '2.5', 'b', '3', 'c', '1e-7', 'd', '-inf', 'e');
        const raw = await c.call('ZSCAN', 'zs', '0', ...args);
        const lines = raw.split('\r\n');
        const items: string[] = [];
        for (let i = 5; i < lines.length - 1; i += 2) items.push(lines[i]!);
        const out: string[] = [];
        for (let i = 0; i < items.length; i += 2) out.push(`${items[i]}=${items[i + 1]}`);
        return [lines[2], lines[3], ...out.sort()];
      } finally {
        c.close();
      }
    };
    for (const args of [['COUNT', '1000'], ['COUNT', '1000', 'MATCH', '[a-c]']]) expect(await pairs(ours, args)).toEqual(await pairs(redis, args));
  });

  it('ZRANDMEMBER picks distinct members for a positive count, any members for a negative one', async () => {
    for (const srv of [ours, redis]) {
      const c = new Redis({ port: srv.port, host: srv.host, lazyConnect: true });
      await c.connect();
      try {
        await c.del('rs', 'rb');
        await c.zadd('rs', 1, 'a', 2, 'b', 3, 'c');
        const big: (string | number)[] = [];
        for (let i = 0; i < 200; i++) big.push(i / 4, `m${i}`);
        await c.zadd('rb', ...big);
        for (const [key, card] of [['rs', 3], ['rb', 200]] as const) {
          const scores = new Map<string, string>();
          const all = (await c.zrange(key, 0, '-1', 'WITHSCORES')) as string[];
          for (let i = 0; i < all.length; i += 2) scores.set(all[i]!, all[i + 1]!);
          for (const count of [1, 2, 10, 150, 199, 200, 500]) {
            const got = (await c.zrandmember(key, count)) as string[];
            expect(got.length, `${srv.kind} ${key} ${count}`).toBe(Math.min(count, card));
            expect(new Set(got).size).toBe(got.length);
            for (const m of got) expect(scores.has(m)).toBe(true);
          }
          const neg = (await c.zrandmember(key, -300)) as string[];
          expect(neg.length).toBe(300);
          for (const m of neg) expect(scores.has(m)).toBe(true);
          const ws = (await c.zrandmember(key, -7, 'WITHSCORES')) as string[];
          expect(ws.length).toBe(14);
          for (let i = 0; i < ws.length; i += 2) expect(ws[i + 1]).toBe(scores.get(ws[i]!));
          const dws = (await c.zrandmember(key, 2, 'WITHSCORES')) as string[];
          for (let i = 0; i < dws.length; i += 2) expect(dws[i + 1]).toBe(scores.get(dws[i]!));
        }
      } finally {
        c.disconnect();
      }
    }
  });

  it('ZSCAN returns every member present for the whole scan while the set changes', async () => {
    for (const srv of [ours, redis]) {
      const c = new Redis({ port: srv.port, host: srv.host, lazyConnect: true });
      await c.connect();
      try {
        await c.del('scan');
        const members: (string | number)[] = [];
        for (let i = 0; i < 2000; i++) members.push(i % 13, `m${i}`);
        await c.zadd('scan', ...members);
        const seen = new Map<string, string>();
        let cursor = '0';
        let calls = 0;
        let added = 0;
        do {
          const [next, items] = await c.zscan('scan', cursor, 'COUNT', '25');
          for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
          cursor = next;
          calls++;
          // Churn: new members, removed members (never the stable half), changed scores.
          await c.zadd('scan', calls, `new${added++}`, 100 + calls, `m${calls * 2}`);
          await c.zrem('scan', `m${calls * 2 + 1}`);
        } while (cursor !== '0' && calls < 5000);
        expect(cursor).toBe('0');
        expect(calls).toBeGreaterThan(10);
        for (let i = 0; i < 2000; i += 2) expect(seen.has(`m${i}`), `${srv.kind} m${i}`).toBe(true);
        for (let i = 2 * calls + 3; i < 2000; i += 2) expect(seen.has(`m${i}`), `${srv.kind} m${i}`).toBe(true);
      } finally {
        c.disconnect();
      }
    }
  });
});
