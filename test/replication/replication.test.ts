import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startNode, startRedis } from '../helpers/processes.js';
import { loggedCount, useTracked } from '../helpers/tracked.js';
import { until } from '../helpers/until.js';

const { track, client } = useTracked('each');
async function linkUp(c: Redis): Promise<boolean> {
  return /master_link_status:up/.test(await c.info('replication'));
}
async function load(c: Redis, n: number, prefix = 'k'): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const p = c.pipeline();
    for (let j = i; j < Math.min(n, i + 1000); j++) p.set(`${prefix}${j}`, `v${j}`);
    await p.exec();
  }
}

describe('replication', () => {
  it('a replica of our master syncs, follows the stream, refuses writes and resumes partially', async () => {
    const master = await track(startNode({ args: ['--save', ''] }));
    const m = client(master);
    await load(m, 20_000);
    await m.hset('h', 'f', '1');
    await m.sadd('s', 'a', 'b');
    const replica = await track(startNode({ args: ['--save', '', '--replicaof', master.host, String(master.port)] }));
    const r = client(replica);
    await until('link up', () => linkUp(r));
    await load(m, 1000, 'after');
    await m.set('ttl', 'x', 'EX', 1000);
    expect(await m.wait(1, 5000)).toBe(1);
    expect(await r.dbsize()).toBe(await m.dbsize());
    expect(await r.get('k19999')).toBe('v19999');
    expect(await r.get('after999')).toBe('v999');
    expect(await r.hget('h', 'f')).toBe('1');
    expect(await r.ttl('ttl')).toBeGreaterThan(990);
    await expect(r.set('nope', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
    expect((await r.role())[0]).toBe('slave');
    expect((await m.role())[0]).toBe('master');

    // Drop the link: the replica comes back with PSYNC and continues from its offset.
    await m.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await m.set('during-outage', 'yes');
    await until('link up again', () => linkUp(r));
    await until('write after outage', async () => (await r.get('during-outage')) === 'yes');
    expect(await loggedCount(master, /partial resynchronization accepted/)).toBe(1);
    const stats = await m.info('stats');
    expect(stats).toMatch(/\r\nsync_full:1\r\nsync_partial_ok:1\r\nsync_partial_err:0\r\n/);
    expect(stats).toMatch(/\r\ninstantaneous_ops_per_sec:\d+\r\n/);

    // Promotion.
    expect(await r.replicaof('NO', 'ONE')).toBe('OK');
    expect(await r.set('now-master', '1')).toBe('OK');
  });

  it('a Debian redis-server replica follows our master', async () => {
    const master = await track(startNode({ args: ['--save', ''] }));
    const m = client(master);
    await load(m, 5000);
    await m.hset('h', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 'x'.repeat(i % 70)])));
    const replica = await track(startRedis({ args: ['--replicaof', master.host, String(master.port)] }));
    const r = client(replica);
    await until('redis replica link up', () => linkUp(r));
    await m.set('streamed', 'yes');
    await until('streamed write', async () => (await r.get('streamed')) === 'yes');
    expect(await r.dbsize()).toBe(await m.dbsize());
    expect(await r.hlen('h')).toBe(300);
    expect(await m.wait(1, 5000)).toBe(1);
  });

  it('our replica follows a Debian redis-server master', async () => {
    const master = await track(startRedis({ args: ['--repl-diskless-sync-delay', '0'] }));
    const m = client(master);
    await load(m, 5000);
    await m.sadd('s', '1', '2', '3');
    const replica = await track(startNode({ args: ['--save', '', '--replicaof', master.host, String(master.port)] }));
    const r = client(replica);
    await until('link up', () => linkUp(r));
    await m.set('streamed', 'yes');
    await until('streamed write', async () => (await r.get('streamed')) === 'yes');
    expect(await r.dbsize()).toBe(await m.dbsize());
    expect((await r.smembers('s')).sort()).toEqual(['1', '2', '3']);
  });
});
