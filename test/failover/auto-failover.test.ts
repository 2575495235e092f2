// Automatic failover of a 3+3 cluster of our nodes under a continuous ioredis Cluster writer:
// SIGKILL a master, time until writes to its slots succeed again, count acknowledged writes lost
// (without WAIT: reported; with WAIT 1 after each write: must be none), and the dead master,
// restarted from its data dir, rejoins as a replica of the winner and syncs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { redisCli, type ServerProcess } from '../helpers/processes.js';
import { cli, nodesView, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';
import { clusterClient, killAndMeasure, startSixNodeCluster, tagServedBy, Writer, type Layout } from './failover-harness.js';

const NODE_TIMEOUT = 1000;
let layout: Layout;
let client: Cluster;
const extra: ServerProcess[] = [];

describe('automatic failover under load', () => {
  beforeAll(async () => {
    layout = await startSixNodeCluster('redshard', NODE_TIMEOUT);
    client = clusterClient(layout.nodes[0]!);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await Promise.all([...(layout?.nodes ?? []), ...extra].map((p) => p.stop('SIGKILL')));
  });

  it('promotes the replica of a killed master; the old master rejoins as its replica', async () => {
    const [master] = [...layout.replicaOf.keys()];
    const { tag, slot } = tagServedBy(master!);
    const writer = new Writer(client, tag, false);
    await waitUntil('writes flowing', () => writer.acked.length > 200);
    const { ms, winner } = await killAndMeasure(layout, master!, writer, slot);
    await new Promise((r) => setTimeout(r, 300));
    await writer.stop();
    const lost = writer.lost(winner);
    console.log(`node-timeout ${NODE_TIMEOUT}: writes resumed ${ms.toFixed(0)} ms after SIGKILL; ${writer.acked.length} acked, ${lost.length} lost without WAIT`);
    expect(ms).toBeLessThan(NODE_TIMEOUT * 6);

    // Restart from the same data dir (nodes.conf + AOF): it must follow the winner and sync.
    const again = await startClusterNode('redshard', { dir: master!.dir, port: master!.port, args: ['--cluster-node-timeout', String(NODE_TIMEOUT), '--appendonly', 'yes', '--appendfsync', 'always'] });
    extra.push(again);
    const winnerId = cli(winner, 'cluster', 'myid');
    await waitUntil('old master follows the winner', () => nodesView(again).find((l) => l.flags.includes('myself'))!.masterId === winnerId, 30_000);
    await waitUntil('old master synced', () => /master_link_status:up/.test(cli(again, 'info', 'replication')), 30_000);
    await waitUntil('same dataset', () => cli(again, 'dbsize') === cli(winner, 'dbsize'), 20_000);
    const last = writer.acked.at(-1)!;
    expect(redisCli(again.port, [], { input: `readonly\nget {${tag}}:${last}\n` }).trim().split('\n')).toEqual(['OK', String(last)]);
  }, 90_000);

  it('loses no write acknowledged with WAIT 1', async () => {
    const master = [...layout.replicaOf.keys()][1]!;
    const { tag, slot } = tagServedBy(master);
    const writer = new Writer(client, tag, true);
    await waitUntil('writes flowing', () => writer.acked.length > 100);
    const { ms, winner } = await killAndMeasure(layout, master, writer, slot);
    await new Promise((r) => setTimeout(r, 300));
    await writer.stop();
    const lost = writer.lost(winner);
    console.log(`node-timeout ${NODE_TIMEOUT} with WAIT 1: writes resumed ${ms.toFixed(0)} ms after SIGKILL; ${writer.acked.length} acked by a replica, ${writer.unreplicated} written after promotion without a replica, ${lost.length} lost`);
    expect(lost).toEqual([]);
  }, 90_000);
});
