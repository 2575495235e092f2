import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startNode, startRedis, type ServerProcess } from '../helpers/processes.js';

// Debian's redis-server 7.0 as a replica of our node: sorted sets arrive in the full sync (RDB)
// and through the command stream, where pops served by ZMPOP and the blocking pops are
// replicated as ZPOPMIN / ZPOPMAX, as Redis does.
const HOST = '127.0.0.74';

describe('sorted sets replicate to redis-server 7.0', () => {
  let master: ServerProcess;
  let replica: ServerProcess;
  let m: Redis;
  let r: Redis;
  beforeAll(async () => {
    master = await startNode({ host: HOST, args: ['--save', ''] });
    m = new Redis({ port: master.port, host: HOST, maxRetriesPerRequest: 1 });
    const big: (string | number)[] = [];
    for (let i = 0; i < 500; i++) big.push(i % 17, `m${i}`);
    await m.zadd('before:big', ...big);
    await m.zadd('before:small', 1.1, 'a', -0, 'b', '+inf', 'c');
    replica = await startRedis({ host: HOST, args: ['--replicaof', HOST, String(master.port)] });
    r = new Redis({ port: replica.port, host: HOST, maxRetriesPerRequest: 1 });
    const end = Date.now() + 15_000;
    while (!/master_link_status:up/.test(await r.info('replication'))) {
      if (Date.now() > end) throw new Error('replica link did not come up');
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  afterAll(async () => {
    m.disconnect();
    r.disconnect();
    await Promise.all([master.stop(), replica.stop()]);
  });

  it('ends with the same sorted sets on both sides', async () => {
    const blocker = new Redis({ port: master.port, host: HOST, maxRetriesPerRequest: 1 });
    try {
      await m.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
      await m.zadd('z', 'INCR', 0.1, 'a');
      await m.zincrby('z', 2.5, 'b');
      await m.zunionstore('u', 2, 'z', 'before:small', 'WEIGHTS', 2, 3);
      await m.zrangestore('rs', 'z', 1, 3);
      await m.zpopmin('z');
      await m.zmpop(2, 'nosuch', 'z', 'MAX', 'COUNT', 2);
      await m.bzpopmin('nosuch', 'rs', 0);
      const waiting = blocker.bzpopmax('late', 0);
      await new Promise((res) => setTimeout(res, 50));
      await m.zadd('late', 1, 'x', 2, 'y');
      await waiting;
      const waiting2 = blocker.bzmpop(0, 1, 'late2', 'MIN', 'COUNT', 5);
      await new Promise((res) => setTimeout(res, 50));
      await m.zadd('late2', 1, 'x', 2, 'y', 3, 'z');
      await waiting2;
      await m.zremrangebyscore('before:big', '(3', 10);
      await m.zrandmember('before:big', 5);
      expect(await m.wait(1, 5000)).toBe(1);
      const keys = (await m.keys('*')).sort();
      expect((await r.keys('*')).sort()).toEqual(keys);
      for (const k of keys) expect(await r.zrange(k, 0, '-1', 'WITHSCORES'), k).toEqual(await m.zrange(k, 0, '-1', 'WITHSCORES'));
      expect(await r.exists('late')).toBe(1);
      expect(await r.zrange('late', 0, '-1')).toEqual(['x']);
      expect(await r.exists('late2')).toBe(0);
    } finally {
      blocker.disconnect();
    }
  });
});
