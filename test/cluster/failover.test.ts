// Failover among redshard nodes: CLUSTER FAILOVER (default: MFSTART + paused offset) swaps a
// replica and its master; then the new master is killed and the old one, now its replica, wins an
// automatic election with the votes of the other masters and takes the slots back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, converged, nodesView, slotSignature, startClusterNode, waitUntil } from './cluster-helpers.js';

let masters: ServerProcess[] = [];
let replica: ServerProcess;
let killed: ServerProcess | null = null;

const myLine = (p: ServerProcess) => nodesView(p).find((l) => l.flags.includes('myself'))!;
const ownsFirstRange = (p: ServerProcess) => myLine(p).slots.some((r) => r.start === 0 && r.end === 5460);

describe('failover between redshard nodes', () => {
  beforeAll(async () => {
    masters = [await startClusterNode('redshard'), await startClusterNode('redshard'), await startClusterNode('redshard')];
    replica = await startClusterNode('redshard');
    cli(masters[0]!, 'cluster', 'addslotsrange', '0', '5460');
    cli(masters[1]!, 'cluster', 'addslotsrange', '5461', '10922');
    cli(masters[2]!, 'cluster', 'addslotsrange', '10923', '16383');
    for (const p of [masters[1]!, masters[2]!, replica]) cli(p, 'cluster', 'meet', '127.0.0.1', String(masters[0]!.port));
    await waitUntil('converged', () => converged([...masters, replica]));
    expect(cli(replica, 'cluster', 'replicate', cli(masters[0]!, 'cluster', 'myid'))).toBe('OK');
    await waitUntil('replica synced', () => /master_link_status:up/.test(cli(replica, 'info', 'replication')));
    await waitUntil('cluster ok', () => [...masters, replica].every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')));
    cli(masters[0]!, 'set', '{user1000}k', 'v1');
  });

  afterAll(async () => {
    const all = [...masters, replica].filter((p) => p !== undefined);
    await Promise.all(all.map((p) => p.stop('SIGKILL')));
    for (const p of all) rmSync(p.dir, { recursive: true, force: true });
  });

  it('rejects CLUSTER FAILOVER on a master', () => {
    expect(cli(masters[0]!, 'cluster', 'failover')).toBe('ERR You should send CLUSTER FAILOVER to a replica');
    expect(cli(replica, 'cluster', 'failover', 'nope')).toBe('ERR syntax error');
  });

  it('manual failover swaps master and replica', async () => {
    await waitUntil('replica caught up', () => cli(replica, 'dbsize') === '1');
    expect(cli(replica, 'cluster', 'failover')).toBe('OK');
    await waitUntil('replica owns the slots', () => ownsFirstRange(replica), 20_000);
    const newId = cli(replica, 'cluster', 'myid');
    await waitUntil('old master follows the new one', () => myLine(masters[0]!).masterId === newId, 20_000);
    await waitUntil('all agree', () => new Set([...masters, replica].map(slotSignature)).size === 1);
    expect(cli(replica, 'get', '{user1000}k')).toBe('v1');
  });

  it('automatic failover when the master dies', async () => {
    const oldMaster = masters[0]!;
    await waitUntil('old master replicating', () => /master_link_status:up/.test(cli(oldMaster, 'info', 'replication')), 20_000);
    killed = replica;
    await replica.stop('SIGKILL');
    await waitUntil('old master promoted again', () => ownsFirstRange(oldMaster), 30_000);
    await waitUntil('masters agree', () => new Set(masters.map(slotSignature)).size === 1, 20_000);
    await waitUntil('cluster ok', () => masters.every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')), 20_000);
    expect(cli(oldMaster, 'get', '{user1000}k')).toBe('v1');
    expect(killed).not.toBeNull();
  });
});
