// A master that loses a slot to a peer's newer claim deletes the slot's keys as writes, as Redis
// does: a DEL per key goes to the AOF (and so to replicas), watchers of those keys see their
// transaction fail, the keys count as unsaved changes, and keys of other slots stay.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, nodesView, startClusterNode, waitUntil } from './cluster-helpers.js';
import { aofText } from '../helpers/aof.js';

const nodes: ServerProcess[] = [];
let client: Redis | undefined;

const unsaved = async (c: Redis) => Number(/rdb_changes_since_last_save:(\d+)/.exec(await c.info('persistence'))![1]);

describe('keys of a slot taken by a newer claim', () => {
  beforeAll(async () => {
    nodes.push(await startClusterNode('redshard', { args: ['--appendonly', 'yes'] }));
    nodes.push(await startClusterNode('redshard'));
  }, 30_000);

  afterAll(async () => {
    client?.disconnect();
    await Promise.all(nodes.map((p) => p.stop()));
  });

  it('are deleted as writes: AOF DELs, WATCH fails, dirty counted, other slots kept', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const idA = cli(a, 'cluster', 'myid');
    const idB = cli(b, 'cluster', 'myid');
    cli(a, 'cluster', 'addslotsrange', '0', '16383');
    cli(a, 'cluster', 'meet', '127.0.0.1', String(b.port));
    await waitUntil('A and B know each other', () =>
      nodesView(a).some((l) => l.id === idB && !l.flags.includes('handshake')) && nodesView(b).some((l) => l.id === idA && !l.flags.includes('handshake')),
    );
    await waitUntil('B sees the slots', () => cli(b, 'cluster', 'info').includes('cluster_state:ok'));

    const slot = Number(cli(a, 'cluster', 'keyslot', '{lost}'));
    expect(Number(cli(a, 'cluster', 'keyslot', 'kept'))).not.toBe(slot);
    const c = (client = new Redis({ host: a.host, port: a.port }));
    await c.set('{lost}1', 'x');
    await c.set('{lost}2', 'y');
    await c.set('kept', 'z');
    await c.watch('{lost}1');
    const before = await unsaved(c);

    // B takes the slot the way `redis-cli --cluster fix` binds a slot: unbind, bind, newer epoch.
    cli(b, 'cluster', 'delslots', String(slot));
    cli(b, 'cluster', 'addslots', String(slot));
    cli(b, 'cluster', 'bumpepoch');
    await waitUntil('A gives the slot to B', () => nodesView(a).find((l) => l.id === idB)!.slots.some((r) => r.start <= slot && slot <= r.end), 20_000);

    expect(cli(a, 'cluster', 'countkeysinslot', String(slot))).toBe('0');
    expect(await c.multi().ping().exec()).toBeNull();
    expect((await unsaved(c)) - before).toBe(2);
    expect(await c.get('kept')).toBe('z');
    await waitUntil('the DELs in the AOF', () => ['{lost}1', '{lost}2'].every((k) => aofText(a.dir).includes(`*2\r\n$3\r\nDEL\r\n$${k.length}\r\n${k}\r\n`)));
  });
});
