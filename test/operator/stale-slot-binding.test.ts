// A slot that no master claims while each node's table still binds it to the other one (the state
// the kube big-hash e2e ended in: ADDSLOTSRANGE on the new master answered "Slot 5590 is already
// busy" on every pass until the test timed out). Made on a Ready 2-shard local cluster with one
// CLUSTER SETSLOT <slot> NODE <other master> on the slot's (empty) owner: the owner stops claiming
// it, the other master still binds it to the owner, and gossip never settles that. `redshard up`
// must reach Ready again with the slot served, instead of retrying ADDSLOTSRANGE forever.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';
import { keySlot } from '../../common/slots.js';
import { NODE_COMMAND, cli, type StatusJson } from './local-cluster.js';

const SLOT = 5590;

/** Node ID bound to the slot in one node's CLUSTER NODES (any line), and whether it is the node itself. */
function boundIn(nodes: string, slot: number): { id: string | null; self: boolean } {
  for (const line of nodes.split('\n')) {
    const f = line.trim().split(' ');
    if (f.length < 8) continue;
    const has = f.slice(8).some((t) => {
      if (t.startsWith('[')) return false;
      const [a, b] = t.split('-').map(Number);
      return slot >= a! && slot <= (b ?? a!);
    });
    if (has) return { id: f[0]!, self: f[2]!.includes('myself') };
  }
  return { id: null, self: false };
}

describe.skipIf(!hasRedisServer())('local mode: a slot bound to a master that does not claim it', () => {
  let dir: string;
  let port: number;
  let hostBase: number;
  const clients: Redis[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshard-stale-slot-'));
    port = await freePort();
    hostBase = 140 + (process.pid % 100);
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    if (existsSync(join(dir, '.redshard'))) await cli(dir, ['down', '--force']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('claims the slot on one master (no endless ADDSLOTSRANGE) and gets Ready', async () => {
    const up = await cli(dir, ['up', '--shards', '2', '--replicas', '0', '--node-command', NODE_COMMAND, '--port', String(port), '--host-base', String(hostBase), '--timeout', '90']);
    expect(up.code, up.stderr).toBe(0);
    const st = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    const addrs = st.status.shards.map((s) => s.master!.address!);
    const [a, b] = addrs.map((addr) => {
      const [host, p] = addr.split(':');
      const c = new Redis({ host: host!, port: Number(p), lazyConnect: false, maxRetriesPerRequest: 3 });
      clients.push(c);
      return c;
    }) as [Redis, Redis];
    const nodesOf = async (c: Redis) => String(await c.call('CLUSTER', 'NODES'));
    const idOf = async (c: Redis) => String(await c.call('CLUSTER', 'MYID'));
    const [owner, other] = boundIn(await nodesOf(a), SLOT).self ? [a, b] : [b, a];
    expect(await owner.call('CLUSTER', 'COUNTKEYSINSLOT', SLOT)).toBe(0);
    const ownerId = await idOf(owner);
    const otherId = await idOf(other);
    await owner.call('CLUSTER', 'SETSLOT', SLOT, 'NODE', otherId);
    // Settled: the owner binds the slot to the other master, which still binds it to the owner;
    // neither claims it (polled: the other master hears the owner's new claims by gossip).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [x, y] = [boundIn(await nodesOf(owner), SLOT), boundIn(await nodesOf(other), SLOT)];
      if (x.id === otherId && !x.self && y.id === ownerId && !y.self) break;
      if (Date.now() > deadline) throw new Error(`stale binding not in place: owner sees ${JSON.stringify(x)}, other sees ${JSON.stringify(y)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The failing ADDSLOTSRANGE the operator used to retry.
    await expect(other.call('CLUSTER', 'ADDSLOTSRANGE', SLOT, SLOT)).rejects.toThrow(`ERR Slot ${SLOT} is already busy`);

    const r = await cli(dir, ['up', '--timeout', '60']);
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    expect(after.status.phase).toBe('Ready');
    expect(after.status.slotsAssigned).toBe(16384);
    // Every node agrees on a claimed owner, and the slot takes writes.
    const [x, y] = [boundIn(await nodesOf(owner), SLOT), boundIn(await nodesOf(other), SLOT)];
    expect(x.id).toBe(y.id);
    expect(x.self || y.self).toBe(true);
    const server = x.self ? owner : other;
    let i = 0;
    while (keySlot(`k${i}`) !== SLOT) i++;
    const key = `k${i}`;
    // Ready is judged from the views; a node may update its cluster_state a moment later.
    const until = Date.now() + 20_000;
    for (;;) {
      const reply = await server.set(key, 'v').catch((e: unknown) => String(e));
      if (reply === 'OK') break;
      if (Date.now() > until || !/CLUSTERDOWN/.test(String(reply))) throw new Error(`SET in slot ${SLOT}: ${String(reply)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }, 200_000);
});
