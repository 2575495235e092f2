import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { type ServerProcess } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { useServerPair } from '../helpers/differential.js';

// BZPOPMIN / BZPOPMAX / BZMPOP with clients that really block: the same scenarios run against
// redis-server 7.0 and our node, and the replies of every client must match.
// A loopback address of its own keeps this file's servers clear of other suites' ports.
const HOST = '127.0.0.72';

describe('blocking sorted set pops', () => {
  const { ours, redis } = useServerPair({ host: HOST });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Runs a scenario on one server and returns the replies it observed, in order. */
  async function scenario(srv: ServerProcess, resp: 2 | 3, run: (a: RawClient, b: RawClient, c: RawClient) => Promise<string[]>): Promise<string[]> {
    const [a, b, c] = await Promise.all([RawClient.connect(srv.port, srv.host), RawClient.connect(srv.port, srv.host), RawClient.connect(srv.port, srv.host)]);
    try {
      await a.call('FLUSHALL');
      if (resp === 3) for (const cl of [a, b, c]) await cl.call('HELLO', '3');
      return await run(a, b, c);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  }

  async function same(run: (a: RawClient, b: RawClient, c: RawClient) => Promise<string[]>): Promise<void> {
    for (const resp of [2, 3] as const) {
      const theirs = await scenario(redis, resp, run);
      const mine = await scenario(ours, resp, run);
      expect(mine, `RESP${resp}`).toEqual(theirs);
    }
  }

  it('wakes a client blocked on several keys when one of them gets members', async () => {
    await same(async (a, b) => {
      const waiting = a.call('BZPOPMIN', '{k}1', '{k}2', '0');
      await sleep(50);
      const added = await b.call('ZADD', '{k}2', '3', 'x', '1', 'y');
      return [added, await waiting, await b.call('ZRANGE', '{k}2', '0', '-1', 'WITHSCORES')];
    });
  });

  it('times out with a null reply', async () => {
    await same(async (a) => {
      const t0 = Date.now();
      const r = await a.call('BZPOPMAX', '{k}1', '0.2');
      const elapsed = Date.now() - t0;
      return [r, elapsed >= 150 && elapsed < 2000 ? 'timely' : `took ${elapsed}ms`];
    });
    await same(async (a) => [await a.call('BZMPOP', '0.1', '2', '{k}1', '{k}2', 'MIN', 'COUNT', '3')]);
  });

  it('serves waiters first come first served, one element each', async () => {
    await same(async (a, b, c) => {
      const first = a.call('BZPOPMAX', '{k}1', '0');
      await sleep(30);
      const second = b.call('BZMPOP', '0', '1', '{k}1', 'MAX', 'COUNT', '5');
      await sleep(30);
      await c.call('ZADD', '{k}1', '1', 'a', '2', 'b', '3', 'c');
      return [await first, await second, await c.call('EXISTS', '{k}1')];
    });
  });

  it('keeps waiting while the key holds another type, then pops once it is a sorted set', async () => {
    await same(async (a, b) => {
      const waiting = a.call('BZPOPMIN', '{k}1', '0');
      await sleep(30);
      const set = await b.call('SET', '{k}1', 'str');
      await sleep(30);
      const del = await b.call('DEL', '{k}1');
      const add = await b.call('ZADD', '{k}1', '5', 'm');
      return [set, del, add, await waiting];
    });
  });

  it('serves a store command result to a waiter', async () => {
    await same(async (a, b) => {
      await b.call('ZADD', '{k}src', '1', 'a', '2', 'b');
      const waiting = a.call('BZMPOP', '0', '1', '{k}dst', 'MIN', 'COUNT', '10');
      await sleep(30);
      const stored = await b.call('ZUNIONSTORE', '{k}dst', '1', '{k}src', 'WEIGHTS', '2');
      return [stored, await waiting];
    });
  });

  it('works with ioredis as the blocked client', async () => {
    const blocked = new Redis({ port: ours.port, host: ours.host, lazyConnect: true });
    const writer = new Redis({ port: ours.port, host: ours.host, lazyConnect: true });
    await blocked.connect();
    await writer.connect();
    try {
      const waiting = blocked.bzpopmin('ioredis:z', 5);
      await sleep(50);
      await writer.zadd('ioredis:z', 1.5, 'member');
      expect(await waiting).toEqual(['ioredis:z', 'member', '1.5']);
      expect(await blocked.bzmpop(0.05, 1, 'ioredis:z', 'MIN')).toBeNull();
      const info = await writer.info('clients');
      expect(info).toMatch(/blocked_clients:0/);
    } finally {
      blocked.disconnect();
      writer.disconnect();
    }
  });
});
