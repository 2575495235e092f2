// Replica migration between our nodes: 3 masters, M0 with two replicas, M1 and M2 with one each.
// M1's replica dies: with cluster-allow-replica-migration no nothing moves; once it is yes again
// (CONFIG SET), the spare replica of M0 with the smaller ID re-attaches to M1 and syncs from it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, nodesView, startClusterNode, waitUntil } from './cluster-helpers.js';

const NODE_TIMEOUT = '1000';
const nodes: ServerProcess[] = [];
const idOf = new Map<ServerProcess, string>();

function masterIdOf(viewer: ServerProcess, id: string): string | null {
  return nodesView(viewer).find((l) => l.id === id)?.masterId ?? null;
}

describe('replica migration', () => {
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) nodes.push(await startClusterNode('redshard', { args: ['--cluster-node-timeout', NODE_TIMEOUT] }));
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.slice(0, 6).map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'latin1', timeout: 60_000 });
    for (const n of nodes) idOf.set(n, cli(n, 'cluster', 'myid'));
    const view = nodesView(nodes[0]!);
    const m0 = view.find((l) => l.flags.includes('master') && l.slots.length > 0)!;
    const extra = nodes[6]!;
    cli(extra, 'cluster', 'meet', '127.0.0.1', String(nodes[0]!.port));
    await waitUntil('the 7th node knows M0', () => nodesView(extra).some((l) => l.id === m0.id && !l.flags.includes('handshake')), 30_000);
    expect(cli(extra, 'cluster', 'replicate', m0.id)).toBe('OK');
    await waitUntil(
      'all 7 agree, replicas linked',
      () =>
        nodes.every((n) => {
          const v = nodesView(n);
          return v.length === 7 && v.filter((l) => l.masterId === m0.id).length === 2 && cli(n, 'cluster', 'info').includes('cluster_state:ok');
        }) && nodes.every((n) => /role:master|master_link_status:up/.test(cli(n, 'info', 'replication'))),
      40_000,
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all(nodes.map((p) => p.stop('SIGKILL')));
  });

  it('moves the spare replica to an orphaned master only when allowed', async () => {
    const byId = new Map([...idOf].map(([p, id]) => [id, p]));
    const view = nodesView(nodes[0]!);
    const masters = view.filter((l) => l.flags.includes('master') && l.slots.length > 0).map((l) => l.id);
    const replicas = (m: string) => view.filter((l) => l.masterId === m).map((l) => l.id).sort();
    const rich = masters.find((m) => replicas(m).length === 2)!;
    const poor = masters.find((m) => m !== rich)!;
    const [spare, other] = replicas(rich) as [string, string];
    const victim = byId.get(replicas(poor)[0]!)!;
    const survivors = nodes.filter((n) => n !== victim);

    for (const n of survivors) expect(cli(n, 'config', 'set', 'cluster-allow-replica-migration', 'no')).toBe('OK');
    expect(cli(byId.get(spare)!, 'config', 'get', 'cluster-allow-replica-migration')).toBe('cluster-allow-replica-migration\nno');
    expect(cli(byId.get(spare)!, 'config', 'get', 'cluster-migration-barrier')).toBe('cluster-migration-barrier\n1');
    await victim.stop('SIGKILL');
    await waitUntil('the dead replica is FAIL for the spares', () => [spare, other].every((id) => nodesView(byId.get(id)!).find((l) => l.id === idOf.get(victim))!.flags.includes('fail')), 30_000);
    // Longer than the 5 s migration delay: nobody may move while migration is disabled.
    await new Promise((r) => setTimeout(r, 6500));
    expect(masterIdOf(byId.get(spare)!, spare)).toBe(rich);
    expect(masterIdOf(byId.get(other)!, other)).toBe(rich);

    for (const n of survivors) cli(n, 'config', 'set', 'cluster-allow-replica-migration', 'yes');
    await waitUntil('the smaller-ID spare replicates the orphaned master', () => masterIdOf(byId.get(spare)!, spare) === poor, 30_000);
    const poorPort = byId.get(poor)!.port;
    await waitUntil('it syncs from its new master', () => {
      const info = cli(byId.get(spare)!, 'info', 'replication');
      return info.includes(`master_port:${poorPort}`) && info.includes('master_link_status:up');
    }, 30_000);
    await waitUntil('the new master and the other nodes learn it', () => survivors.every((n) => masterIdOf(n, spare) === poor), 30_000);
    expect(masterIdOf(byId.get(other)!, other)).toBe(rich);
  }, 90_000);
});
