import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, startRedis, type ServerProcess } from '../helpers/processes.js';

// Sorted sets survive SAVE + restart, and the dump.rdb our node writes loads into redis-server
// 7.0 with the same members and scores.
const HOST = '127.0.0.75';

describe('sorted sets in RDB files', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function dump(srv: ServerProcess): Promise<Record<string, string[]>> {
    const c = new Redis({ port: srv.port, host: HOST, maxRetriesPerRequest: 1 });
    try {
      const out: Record<string, string[]> = {};
      for (const k of (await c.keys('*')).sort()) out[k] = await c.zrange(k, 0, '-1', 'WITHSCORES');
      return out;
    } finally {
      c.disconnect();
    }
  }

  it('SAVE, restart, and load into redis-server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zsets-rdb-'));
    const redisDir = mkdtempSync(join(tmpdir(), 'zsets-rdb-redis-'));
    dirs.push(dir, redisDir);
    const first = await startNode({ host: HOST, dir });
    let before: Record<string, string[]>;
    try {
      const c = new Redis({ port: first.port, host: HOST, maxRetriesPerRequest: 1 });
      const big: (string | number)[] = [];
      for (let i = 0; i < 1000; i++) big.push((i * 37) % 101 / 3, `member:${i}`);
      await c.zadd('big', ...big);
      await c.zadd('small', 1.1, 'a', '-inf', 'b', '+inf', 'c', 1e-7, 'd');
      await c.zadd('long', 1, 'x'.repeat(100));
      expect(await c.save()).toBe('OK');
      c.disconnect();
      before = await dump(first);
    } finally {
      await first.stop();
    }
    const second = await startNode({ host: HOST, dir });
    try {
      expect(await dump(second)).toEqual(before);
    } finally {
      await second.stop();
    }
    copyFileSync(join(dir, 'dump.rdb'), join(redisDir, 'dump.rdb'));
    const redis = await startRedis({ host: HOST, dir: redisDir, args: ['--dbfilename', 'dump.rdb'] });
    try {
      expect(await dump(redis)).toEqual(before);
    } finally {
      await redis.stop();
    }
  });
});
