import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startNode, startRedis, type ServerProcess } from '../helpers/processes.js';

const started: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rdb-'));
  dirs.push(d);
  return d;
}
async function track(p: Promise<ServerProcess>): Promise<ServerProcess> {
  const s = await p;
  started.push(s);
  return s;
}
async function waitSaved(c: Redis, before: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (Number(await c.lastsave()) !== before || i > 5) {
      const info = await c.info('persistence');
      if (!/rdb_bgsave_in_progress:1/.test(info) && Number(await c.lastsave()) >= before) return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function fill(c: Redis): Promise<void> {
  await c.set('s', 'plain');
  await c.set('n', '12345');
  await c.set('long', 'x'.repeat(5000));
  await c.set('ttl', 'v', 'EX', 5000);
  await c.hset('h', { a: '1', b: '2' });
  await c.hset('hbig', Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`])));
  await c.sadd('si', '1', '2', '3');
  await c.sadd('ss', 'a', 'b');
}

async function check(c: Redis): Promise<void> {
  expect(await c.get('s')).toBe('plain');
  expect(await c.get('n')).toBe('12345');
  expect(await c.get('long')).toBe('x'.repeat(5000));
  expect(await c.ttl('ttl')).toBeGreaterThan(4900);
  expect(await c.hgetall('h')).toEqual({ a: '1', b: '2' });
  expect(await c.hlen('hbig')).toBe(600);
  expect(await c.hget('hbig', 'f599')).toBe('v599');
  expect((await c.smembers('si')).sort()).toEqual(['1', '2', '3']);
  expect((await c.smembers('ss')).sort()).toEqual(['a', 'b']);
}

describe('RDB snapshots', () => {
  it('our SAVE loads into redis-server, and redis-server SAVE loads into our node', async () => {
    const d1 = tmp();
    const ours = await track(startNode({ dir: d1 }));
    const c = new Redis({ port: ours.port });
    await fill(c);
    expect(await c.save()).toBe('OK');
    c.disconnect();
    const d2 = tmp();
    copyFileSync(join(d1, 'dump.rdb'), join(d2, 'dump.rdb'));
    const redis = await track(startRedis({ dir: d2, args: ['--dbfilename', 'dump.rdb'] }));
    const r = new Redis({ port: redis.port });
    await check(r);
    await r.set('from-redis', 'yes');
    await r.save();
    r.disconnect();
    const d3 = tmp();
    copyFileSync(join(d2, 'dump.rdb'), join(d3, 'dump.rdb'));
    const back = await track(startNode({ dir: d3 }));
    const b = new Redis({ port: back.port });
    await check(b);
    expect(await b.get('from-redis')).toBe('yes');
    b.disconnect();
  });

  it('BGSAVE captures the dataset as it was when it started, whatever is written meanwhile', async () => {
    const d = tmp();
    const ours = await track(startNode({ dir: d, args: ['--save', ''] }));
    const c = new Redis({ port: ours.port });
    const N = 60_000;
    for (let i = 0; i < N; i += 1000) {
      const p = c.pipeline();
      for (let j = i; j < i + 1000; j++) p.set(`k${j}`, 'before');
      await p.exec();
    }
    await c.hset('hk', 'f', 'before');
    const before = Number(await c.lastsave());
    // BGSAVE and the writes go in one pipeline: the writes run while the snapshot is in progress.
    const p = c.pipeline();
    p.bgsave();
    for (let j = 0; j < N; j += 7) p.set(`k${j}`, 'after');
    for (let j = 3; j < N; j += 11) p.del(`k${j}`);
    for (let j = 0; j < 500; j++) p.set(`new${j}`, 'after');
    const res = await p.exec();
    expect(res![0]![1]).toBe('Background saving started');
    // A second round lands while the snapshot is part-way through the keyspace.
    await new Promise((r) => setTimeout(r, 5));
    const q = c.pipeline();
    for (let j = 1; j < N; j += 5) q.set(`k${j}`, 'later');
    q.hset('hk', 'f', 'after', 'g', 'after');
    q.flushall();
    await q.exec();
    await waitSaved(c, before);
    c.disconnect();
    await ours.stop();
    const again = await track(startNode({ dir: d, args: ['--save', ''] }));
    const c2 = new Redis({ port: again.port });
    expect(await c2.dbsize()).toBe(N + 1);
    expect(await c2.get('k0')).toBe('before');
    expect(await c2.get('k3')).toBe('before');
    expect(await c2.get(`k${N - 1}`)).toBe('before');
    expect(await c2.exists('new0')).toBe(0);
    expect(await c2.hgetall('hk')).toEqual({ f: 'before' });
    c2.disconnect();
  });

  it('BGREWRITEAOF under writes keeps every write across a restart', async () => {
    const d = tmp();
    const ours = await track(startNode({ dir: d, args: ['--appendonly', 'yes', '--save', ''] }));
    const c = new Redis({ port: ours.port });
    for (let i = 0; i < 20_000; i += 1000) {
      const p = c.pipeline();
      for (let j = i; j < i + 1000; j++) p.set(`k${j}`, `v${j}`);
      await p.exec();
    }
    const p = c.pipeline();
    p.bgrewriteaof();
    for (let j = 0; j < 20_000; j += 3) p.incr(`c${j % 50}`);
    p.hset('h', 'x', '1');
    await p.exec();
    for (let i = 0; i < 200; i++) {
      if (!/aof_rewrite_in_progress:1/.test(await c.info('persistence'))) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 300));
    c.disconnect();
    await ours.stop('SIGKILL');
    started.splice(started.indexOf(ours), 1);
    const files = readdirSync(join(d, 'appendonlydir'));
    expect(files.some((f) => f.endsWith('.base.rdb'))).toBe(true);
    expect(existsSync(join(d, 'appendonlydir', 'appendonly.aof.1.incr.aof'))).toBe(false);
    const again = await track(startNode({ dir: d, args: ['--appendonly', 'yes', '--save', ''] }));
    const c2 = new Redis({ port: again.port });
    expect(await c2.dbsize()).toBe(20_000 + 50 + 1);
    expect(await c2.get('k19999')).toBe('v19999');
    const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => c2.get(`c${i}`)));
    expect(counts.reduce((a, x) => a + Number(x), 0)).toBe(Math.ceil(20_000 / 3));
    c2.disconnect();
  });
});
