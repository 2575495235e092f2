// redshard masters vote in a redis-server replica's failover election: two redshard masters and a
// redis-server master (with a redis-server replica) own the slots; the redis master is killed, the
// redshard masters mark it FAIL and grant FAILOVER_AUTH_ACK, and the replica takes over its slots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, converged, nodesView, slotSignature, startClusterNode, waitUntil } from './cluster-helpers.js';

let ours: ServerProcess[] = [];
let master: ServerProcess;
let replica: ServerProcess;

describe('failover election with redshard voters', () => {
  beforeAll(async () => {
    ours = [await startClusterNode('redshard'), await startClusterNode('redshard')];
    master = await startClusterNode('redis');
    replica = await startClusterNode('redis');
    [...ours, master].forEach((m, i) => cli(m, 'cluster', 'set-config-epoch', String(i + 1)));
    cli(ours[0]!, 'cluster', 'addslotsrange', '0', '5460');
    cli(ours[1]!, 'cluster', 'addslotsrange', '5461', '10922');
    cli(master, 'cluster', 'addslotsrange', '10923', '16383');
    for (const p of [ours[1]!, master, replica]) cli(p, 'cluster', 'meet', '127.0.0.1', String(ours[0]!.port));
    await waitUntil('four nodes converge', () => converged([...ours, master, replica]), 20_000);
    expect(cli(replica, 'cluster', 'replicate', cli(master, 'cluster', 'myid'))).toBe('OK');
    await waitUntil('replica in sync', () => /master_link_status:up/.test(cli(replica, 'info', 'replication')), 20_000);
    await waitUntil('everyone sees the replica', () => ours.every((o) => nodesView(o).some((l) => l.flags.includes('slave'))), 20_000);
    await waitUntil('cluster ok', () => ours.every((o) => cli(o, 'cluster', 'info').includes('cluster_state:ok')), 20_000);
  });

  afterAll(async () => {
    const all = [...ours, master, replica].filter((p) => p !== undefined);
    await Promise.all(all.map((p) => p.stop('SIGKILL')));
    for (const p of all) rmSync(p.dir, { recursive: true, force: true });
  });

  it('the replica wins with our votes and everyone agrees on the new owner', async () => {
    const replicaId = cli(replica, 'cluster', 'myid');
    await master.stop('SIGKILL');
    await waitUntil('replica promoted', () => cli(replica, 'role').startsWith('master'), 30_000);
    await waitUntil('our masters see the new owner of 10923-16383', () =>
      ours.every((o) => nodesView(o).find((l) => l.id === replicaId)!.slots.some((r) => r.start === 10923 && r.end === 16383)),
    );
    await waitUntil('identical slot maps', () => new Set([...ours, replica].map(slotSignature)).size === 1);
    await waitUntil('cluster ok again', () => [...ours, replica].every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')), 20_000);
    await waitUntil('vote logged', () => ours.some((o) => /Failover auth granted/.test(o.output())), 5000);
  });
});
