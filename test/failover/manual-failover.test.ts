// Manual failover (CLUSTER FAILOVER on a replica: the master pauses writers until the replica has
// its offset) under a continuous ioredis Cluster writer loses no acknowledged write, even without
// WAIT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { cli, nodesView, waitUntil } from '../cluster/cluster-helpers.js';
import { clusterClient, ownsSlot, startSixNodeCluster, tagServedBy, Writer, type Layout } from './failover-harness.js';

let layout: Layout;
let client: Cluster;

describe('manual failover under load', () => {
  beforeAll(async () => {
    layout = await startSixNodeCluster('redshard', 1000);
    client = clusterClient(layout.nodes[0]!);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await Promise.all((layout?.nodes ?? []).map((p) => p.stop('SIGKILL')));
  });

  it('swaps master and replica without losing a write', async () => {
    const [master, replica] = [...layout.replicaOf.entries()][0]!;
    const { tag, slot } = tagServedBy(master);
    const writer = new Writer(client, tag, false);
    await waitUntil('writes flowing', () => writer.acked.length > 200);
    expect(cli(replica, 'cluster', 'failover')).toBe('OK');
    await waitUntil('replica promoted', () => ownsSlot(replica, slot), 20_000);
    const before = writer.acked.length;
    await waitUntil('writes flowing to the new master', () => writer.acked.length > before + 200, 20_000);
    await writer.stop();
    const rid = cli(replica, 'cluster', 'myid');
    await waitUntil('old master follows', () => nodesView(master).find((l) => l.flags.includes('myself'))!.masterId === rid, 20_000);
    const lost = writer.lost(replica);
    console.log(`manual failover: ${writer.acked.length} acked, ${writer.failures} failed attempts, ${lost.length} lost`);
    expect(lost).toEqual([]);
  }, 90_000);
});
