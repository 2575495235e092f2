// A mixed cluster: our master with our replica, and two Debian redis-server masters that only
// vote. When our master dies, our replica needs both redis-server votes (2 of 3 masters) and wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, converged, nodesView, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';
import { clusterClient, ownsSlot, tagServedBy, Writer } from './failover-harness.js';

let ours: ServerProcess;
let replica: ServerProcess;
let theirs: ServerProcess[] = [];
let client: Cluster;

describe('failover in a mixed cluster', () => {
  beforeAll(async () => {
    ours = await startClusterNode('redshard');
    replica = await startClusterNode('redshard');
    theirs = [await startClusterNode('redis'), await startClusterNode('redis')];
    [ours, ...theirs].forEach((m, i) => cli(m, 'cluster', 'set-config-epoch', String(i + 1)));
    cli(ours, 'cluster', 'addslotsrange', '0', '5460');
    cli(theirs[0]!, 'cluster', 'addslotsrange', '5461', '10922');
    cli(theirs[1]!, 'cluster', 'addslotsrange', '10923', '16383');
    for (const p of [replica, ...theirs]) cli(p, 'cluster', 'meet', '127.0.0.1', String(ours.port));
    await waitUntil('converged', () => converged([ours, replica, ...theirs]));
    expect(cli(replica, 'cluster', 'replicate', cli(ours, 'cluster', 'myid'))).toBe('OK');
    await waitUntil('replica synced', () => /master_link_status:up/.test(cli(replica, 'info', 'replication')));
    const rid = cli(replica, 'cluster', 'myid');
    await waitUntil('everyone sees the replica', () => [ours, ...theirs].every((p) => nodesView(p).find((l) => l.id === rid)!.flags.includes('slave')));
    await waitUntil('cluster ok', () => [ours, replica, ...theirs].every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')));
    client = clusterClient(theirs[0]!);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await Promise.all([ours, replica, ...theirs].filter((p) => p !== undefined).map((p) => p.stop('SIGKILL')));
  });

  it('elects our replica with the votes of redis-server masters', async () => {
    const { tag, slot } = tagServedBy(ours);
    const writer = new Writer(client, tag, false);
    await waitUntil('writes flowing', () => writer.acked.length > 100);
    const t0 = performance.now();
    await ours.stop('SIGKILL');
    const resumed = writer.firstOkAfter(t0);
    await waitUntil('our replica promoted', () => ownsSlot(replica, slot), 30_000);
    const rid = cli(replica, 'cluster', 'myid');
    await waitUntil('redis-server masters agree', () => theirs.every((p) => nodesView(p).find((l) => l.id === rid)!.slots.some((r) => r.start === 0 && r.end === 5460)), 20_000);
    const ms = (await resumed) - t0;
    await writer.stop();
    console.log(`mixed cluster: writes resumed ${ms.toFixed(0)} ms after SIGKILL; ${writer.lost(replica).length} of ${writer.acked.length} acked writes lost without WAIT`);
    expect(theirs.every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok'))).toBe(true);
  }, 90_000);
});
