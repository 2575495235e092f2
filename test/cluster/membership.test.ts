// Six redshard nodes meet (in a chain, so most learn each other through gossip), agree on slot
// owners, detect a SIGSTOPped master as PFAIL then FAIL, clear it after SIGCONT, and a restarted
// node comes back with its ID, epochs and slots from nodes.conf.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, converged, NODE_TIMEOUT, nodesView, slotSignature, startClusterNode, waitUntil } from './cluster-helpers.js';

const nodes: ServerProcess[] = [];

describe('cluster membership with six redshard nodes', () => {
  beforeAll(async () => {
    for (let i = 0; i < 6; i++) nodes.push(await startClusterNode('redshard'));
    for (let i = 1; i < 6; i++) expect(cli(nodes[i]!, 'cluster', 'meet', '127.0.0.1', String(nodes[i - 1]!.port))).toBe('OK');
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  });

  it('converges: every node lists all six with real IDs', async () => {
    await waitUntil('six nodes to converge', () => converged(nodes));
    for (const n of nodes) expect(nodesView(n).filter((l) => l.flags.includes('myself'))).toHaveLength(1);
  });

  it('slots assigned on single nodes become known to all, cluster_state ok everywhere', async () => {
    expect(cli(nodes[0]!, 'cluster', 'addslotsrange', '0', '5460')).toBe('OK');
    expect(cli(nodes[1]!, 'cluster', 'addslotsrange', '5461', '10922')).toBe('OK');
    expect(cli(nodes[2]!, 'cluster', 'addslots', ...Array.from({ length: 16384 - 10923 }, (_, i) => String(10923 + i)))).toBe('OK');
    await waitUntil('identical slot maps', () => new Set(nodes.map(slotSignature)).size === 1 && slotSignature(nodes[0]!).split('|').length === 3);
    await waitUntil('cluster_state:ok on all nodes', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')));
    const epochs = nodesView(nodes[0]!).map((l) => l.configEpoch);
    await waitUntil('unique config epochs', () => new Set(nodesView(nodes[0]!).map((l) => l.configEpoch)).size === 6);
    expect(epochs.length).toBe(6);
    const id2 = cli(nodes[2]!, 'cluster', 'myid');
    expect(cli(nodes[0]!, 'set', 'foo', 'bar')).toBe(`MOVED 12182 127.0.0.1:${nodes[2]!.port}`);
    expect(id2).toHaveLength(40);
  });

  it('a SIGSTOPped master goes PFAIL then FAIL, and is cleared after SIGCONT', async () => {
    const victim = nodes[2]!;
    const id = cli(victim, 'cluster', 'myid');
    const flagsOf = (n: ServerProcess) => nodesView(n).find((l) => l.id === id)!.flags;
    victim.proc.kill('SIGSTOP');
    try {
      const t0 = Date.now();
      await waitUntil('PFAIL or FAIL seen', () => flagsOf(nodes[0]!).some((f) => f === 'fail?' || f === 'fail'), 10_000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(NODE_TIMEOUT - 200);
      await waitUntil('FAIL on every other node', () => nodes.filter((n) => n !== victim).every((n) => flagsOf(n).includes('fail')), 10_000);
      expect(cli(nodes[0]!, 'cluster', 'info')).toContain('cluster_state:fail');
      expect(cli(nodes[0]!, 'get', 'foo')).toBe('CLUSTERDOWN The cluster is down');
    } finally {
      victim.proc.kill('SIGCONT');
    }
    await waitUntil('FAIL cleared everywhere', () => nodes.every((n) => !flagsOf(n).some((f) => f === 'fail' || f === 'fail?')), 15_000);
    await waitUntil('cluster_state:ok again', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')), 15_000);
  });

  it('a restarted node keeps its ID, epochs and slots', async () => {
    const old = nodes[1]!;
    const id = cli(old, 'cluster', 'myid');
    const info = cli(old, 'cluster', 'info');
    const epoch = /cluster_my_epoch:(\d+)/.exec(info)![1];
    const current = Number(/cluster_current_epoch:(\d+)/.exec(info)![1]);
    const before = slotSignature(old);
    await old.stop('SIGTERM');
    const again = await startClusterNode('redshard', { port: old.port, dir: old.dir });
    nodes[1] = again;
    expect(cli(again, 'cluster', 'myid')).toBe(id);
    const info2 = cli(again, 'cluster', 'info');
    expect(/cluster_my_epoch:(\d+)/.exec(info2)![1]).toBe(epoch);
    expect(Number(/cluster_current_epoch:(\d+)/.exec(info2)![1])).toBeGreaterThanOrEqual(current);
    expect(slotSignature(again)).toBe(before);
    await waitUntil('restarted node connected and agreeing', () => converged(nodes) && new Set(nodes.map(slotSignature)).size === 1, 20_000);
  });

  it('del-node sequence: FORGET everywhere (banned from gossip), then RESET HARD on the node', async () => {
    const gone = nodes[5]!;
    const id = cli(gone, 'cluster', 'myid');
    const rest = nodes.slice(0, 5);
    // Our nodes gossip a ban (7.2's FORGOTTEN_NODE) a second after FORGET: on a slow machine a
    // node may have forgotten it before its turn, as redis-cli's del-node may find with 7.2.
    for (const n of rest) expect(['OK', `ERR Unknown node ${id}`]).toContain(cli(n, 'cluster', 'forget', id));
    expect(cli(gone, 'cluster', 'reset', 'hard')).toBe('OK');
    const info = cli(gone, 'cluster', 'info');
    expect(info).toContain('cluster_known_nodes:1');
    expect(info).toContain('cluster_current_epoch:0');
    expect(cli(gone, 'cluster', 'myid')).not.toBe(id);
    expect(cli(nodes[0]!, 'cluster', 'forget', id)).toBe(`ERR Unknown node ${id}`);
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of rest) expect(nodesView(n).map((l) => l.id)).not.toContain(id);
    await waitUntil('five nodes converged', () => converged(rest));
  });
});
