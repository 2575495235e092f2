// Chained replication: a replica of a replica is fed its upstream's stream verbatim, so the whole
// chain shares one replication ID and offset space (as Redis's PSYNC2); sub-replicas continue
// partially through the middle node after a short disconnect and after its promotion. A Debian
// redis-server sub-replica of our replica follows too.
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { hasRedisServer, startNode, startRedis } from '../helpers/processes.js';
import { loggedCount, useTracked } from '../helpers/tracked.js';
import { until } from '../helpers/until.js';

const { track, client } = useTracked('all');
async function info(c: Redis): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const l of (await c.info('replication')).split('\r\n')) {
    const i = l.indexOf(':');
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1);
  }
  return out;
}

describe('chained replication', () => {
  it('master -> replica -> sub-replicas: same ID and offsets, partial resyncs through the middle', async () => {
    const master = await track(startNode({ args: ['--save', ''] }));
    const m = client(master);
    const p = m.pipeline();
    for (let i = 0; i < 5000; i++) p.set(`k${i}`, `v${i}`);
    await p.exec();
    const mid = await track(startNode({ args: ['--save', '', '--replicaof', master.host, String(master.port)] }));
    const r1 = client(mid);
    await until('middle link up', async () => (await info(r1)).master_link_status === 'up');
    const sub = await track(startNode({ args: ['--save', '', '--replicaof', mid.host, String(mid.port)] }));
    const r2 = client(sub);
    const withRedis = hasRedisServer();
    const theirSub = withRedis ? await track(startRedis({ args: ['--replicaof', mid.host, String(mid.port)] })) : null;
    const r3 = theirSub ? client(theirSub) : null;
    await until('sub-replicas link up', async () => (await info(r2)).master_link_status === 'up' && (r3 === null || (await info(r3)).master_link_status === 'up'));

    await m.set('streamed', 'yes');
    await m.incr('counter');
    const all = [m, r1, r2, ...(r3 ? [r3] : [])];
    const inSync = async (): Promise<boolean> => {
      const infos = await Promise.all(all.map(info));
      return infos.every((i) => i.master_replid === infos[0]!.master_replid && i.master_repl_offset === infos[0]!.master_repl_offset);
    };
    await until('one replication ID and offset along the chain', inSync);
    for (const c of all.slice(1)) {
      expect(await c.get('streamed')).toBe('yes');
      expect(await c.dbsize()).toBe(5002);
    }
    const mi = await info(r1);
    expect(mi.role).toBe('slave');
    expect(mi.connected_slaves).toBe(withRedis ? '2' : '1');
    const subLines = [mi.slave0, mi.slave1].filter((l) => l !== undefined).sort();
    const line = (port: number): RegExp => new RegExp(`^ip=127\\.0\\.0\\.1,port=${port},state=online,offset=\\d+,lag=\\d+$`);
    expect(subLines.some((l) => line(sub.port).test(l))).toBe(true);
    if (theirSub) expect(subLines.some((l) => line(theirSub.port).test(l))).toBe(true);
    const si = await info(r2);
    expect([si.master_host, si.master_port]).toEqual([mid.host, String(mid.port)]);
    expect(si.slave_repl_offset).toBe(si.master_repl_offset);
    // The master sees only its direct replica.
    expect((await info(m)).connected_slaves).toBe('1');
    expect(await m.wait(1, 5000)).toBe(1);

    // Sub-replicas lose their link to the middle node: they continue from its backlog.
    await r1.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await m.set('after-sub-drop', '1');
    await until('sub-replicas back', async () => (await r2.get('after-sub-drop')) === '1' && (r3 === null || (await r3.get('after-sub-drop')) === '1'));
    expect(await loggedCount(mid, /starting full resynchronization/, withRedis ? 2 : 1)).toBe(withRedis ? 2 : 1);
    expect(await loggedCount(mid, /partial resynchronization accepted/, withRedis ? 2 : 1)).toBe(withRedis ? 2 : 1);

    // The middle node loses its master: it continues partially and its sub-replicas stay attached.
    await m.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await m.set('after-mid-drop', '1');
    await until('chain caught up', async () => (await r2.get('after-mid-drop')) === '1' && (r3 === null || (await r3.get('after-mid-drop')) === '1'));
    expect(await loggedCount(master, /partial resynchronization accepted/, 1)).toBe(1);
    expect(await loggedCount(mid, /starting full resynchronization/, withRedis ? 2 : 1)).toBe(withRedis ? 2 : 1);
    await until('one offset again', inSync);

    // The middle node is promoted: its sub-replicas continue under its new ID.
    const oldId = (await info(r1)).master_replid;
    expect(await r1.replicaof('NO', 'ONE')).toBe('OK');
    await r1.set('written-on-mid', '1');
    await until('sub-replicas follow the promoted node', async () => (await r2.get('written-on-mid')) === '1' && (r3 === null || (await r3.get('written-on-mid')) === '1'));
    const promoted = await info(r1);
    expect(promoted.master_replid).not.toBe(oldId);
    expect(promoted.master_replid2).toBe(oldId);
    await until('sub-replicas share the new ID', async () => {
      const subs = await Promise.all([r2, ...(r3 ? [r3] : [])].map(info));
      return subs.every((s) => s.master_replid === promoted.master_replid && s.master_replid2 === oldId);
    });
    expect(await loggedCount(mid, /starting full resynchronization/, withRedis ? 2 : 1)).toBe(withRedis ? 2 : 1);
  }, 90_000);
});
