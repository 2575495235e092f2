// 7.2's ping extensions between our nodes, in a cluster that also has a Debian redis-server 7.0:
// shard IDs (random per master, adopted by replicas, persisted in nodes.conf), CLUSTER FORGET
// spreading by gossip (FORGOTTEN_NODE) to our other nodes, and none of those extensions ever
// reaching the 7.0 node, which would log a warning for each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, converged, nodesView, startClusterNode, waitUntil } from './cluster-helpers.js';

let a: ServerProcess;
let b: ServerProcess;
let x: ServerProcess;
let r: ServerProcess;
const all = () => [a, b, x, r];

function messagesReceived(p: ServerProcess): number {
  return Number(/cluster_stats_messages_received:(\d+)/.exec(cli(p, 'cluster', 'info'))![1]);
}

describe('ping extensions: shard IDs and forgotten nodes', () => {
  beforeAll(async () => {
    a = await startClusterNode('redshard', { args: ['--cluster-announce-hostname', 'a.example'] });
    b = await startClusterNode('redshard');
    x = await startClusterNode('redshard');
    // A 7.0 node with a hostname sends EXT_DATA with HOSTNAME: it must not pass for a 7.2 node.
    r = await startClusterNode('redis', { args: ['--cluster-announce-hostname', 'r.example'] });
    for (const p of [b, x, r]) expect(cli(a, 'cluster', 'meet', '127.0.0.1', String(p.port))).toBe('OK');
    await waitUntil('four nodes to converge', () => converged(all()), 30_000);
  });

  afterAll(async () => {
    await Promise.all(all().map((p) => p?.stop('SIGKILL')));
  });

  it('each master has its own random shard ID, a replica takes its master’s, and nodes.conf keeps it', async () => {
    const idA = cli(a, 'cluster', 'myid');
    const shardA = cli(a, 'cluster', 'myshardid');
    const shardB = cli(b, 'cluster', 'myshardid');
    expect(shardA).toMatch(/^[0-9a-f]{40}$/);
    expect(shardA).not.toBe(idA);
    expect(shardB).not.toBe(shardA);
    expect(cli(b, 'cluster', 'replicate', idA)).toBe('OK');
    expect(cli(b, 'cluster', 'myshardid')).toBe(shardA);
    expect(readFileSync(join(a.dir, 'nodes.conf'), 'latin1')).toContain(`${idA} 127.0.0.1:${a.port}@${a.port + 10000},a.example,shard-id=${shardA} myself,master`);
    // The 7.0 node still gets our hostname.
    await waitUntil('redis-server sees our hostname', () => nodesView(r).find((l) => l.id === idA)?.hostname === 'a.example');

    await a.stop('SIGTERM');
    a = await startClusterNode('redshard', { port: a.port, dir: a.dir, args: ['--cluster-announce-hostname', 'a.example'] });
    expect(cli(a, 'cluster', 'myid')).toBe(idA);
    expect(cli(a, 'cluster', 'myshardid')).toBe(shardA);
    await waitUntil('the cluster to reconnect', () => converged(all()), 30_000);
    expect(cli(b, 'cluster', 'myshardid')).toBe(shardA);
  });

  it('CLUSTER FORGET on one node makes our other nodes forget too, but sends nothing new to redis-server 7.0', async () => {
    const idX = cli(x, 'cluster', 'myid');
    const before = messagesReceived(r);
    expect(cli(a, 'cluster', 'forget', idX)).toBe('OK');
    await waitUntil('B forgets X by gossip', () => !nodesView(b).some((l) => l.id === idX), 20_000);
    // Nothing else removed it from B: the 7.0 node, which does not understand FORGOTTEN_NODE, keeps it.
    expect(nodesView(r).some((l) => l.id === idX)).toBe(true);
    // Let A and B (both now holding a ban) ping the 7.0 node many times.
    await waitUntil('redis-server to receive more pings', () => messagesReceived(r) >= before + 30, 30_000);
    expect(r.output()).not.toMatch(/unknown extension|invalid .* packet/i);
    expect(nodesView(b).some((l) => l.id === idX)).toBe(false);
  });
});
