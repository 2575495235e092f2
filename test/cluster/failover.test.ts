// Failover among redshard nodes: CLUSTER FAILOVER (default: MFSTART + paused offset) swaps a
// replica and its master; then the new master is killed and the old one, now its replica, wins an
// automatic election with the votes of the other masters and takes the slots back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import net from 'node:net';
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
    // Distinct epochs up front (as redis-cli create does), so no collision bump races the failover.
    masters.forEach((m, i) => cli(m, 'cluster', 'set-config-epoch', String(i + 1)));
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

  it('SPUBLISH on the master reaches SSUBSCRIBE on its replica (PUBLISHSHARD over the bus)', async () => {
    const rid = cli(replica, 'cluster', 'myid');
    await waitUntil('master knows its replica', () => nodesView(masters[0]!).find((l) => l.id === rid)!.flags.includes('slave'));
    const sock = net.connect({ host: '127.0.0.1', port: replica.port });
    let buf = '';
    sock.on('data', (d: Buffer) => (buf += d.toString('latin1')));
    sock.on('error', () => {});
    try {
      sock.write('*2\r\n$10\r\nSSUBSCRIBE\r\n$10\r\n{user1000}\r\n');
      await waitUntil('subscribed', () => buf.includes('ssubscribe'));
      expect(cli(masters[0]!, 'spublish', '{user1000}', 'to-shard')).toBe('0');
      await waitUntil('smessage on the replica', () => buf.includes('to-shard'), 10_000);
      expect(/cluster_stats_messages_publishshard_sent:[1-9]/.test(cli(masters[0]!, 'cluster', 'info'))).toBe(true);
      expect(/publishshard_received/.test(cli(masters[1]!, 'cluster', 'info'))).toBe(false);
    } finally {
      sock.destroy();
    }
  });

  it('manual failover swaps master and replica', async () => {
    await waitUntil('replica caught up', () => cli(replica, 'dbsize') === '1');
    const rid = cli(replica, 'cluster', 'myid');
    await waitUntil('master knows its replica', () => nodesView(masters[0]!).find((l) => l.id === rid)!.flags.includes('slave'));
    expect(cli(replica, 'cluster', 'failover')).toBe('OK');
    try {
      await waitUntil('replica owns the slots', () => ownsFirstRange(replica), 20_000);
    } catch (e) {
      if (process.env.FAILOVER_DEBUG) for (const p of [replica, ...masters]) console.log(p.port, p.output().slice(-4000));
      throw e;
    }
    const newId = cli(replica, 'cluster', 'myid');
    await waitUntil('old master follows the new one', () => myLine(masters[0]!).masterId === newId, 20_000);
    await waitUntil('all agree', () => new Set([...masters, replica].map(slotSignature)).size === 1);
    // Stable: the old master must not start a manual failover of its own from leftover state.
    await new Promise((r) => setTimeout(r, 1500));
    expect(ownsFirstRange(replica)).toBe(true);
    expect(myLine(masters[0]!).masterId).toBe(newId);
    const got = cli(replica, 'get', '{user1000}k');
    if (got !== 'v1' && process.env.FAILOVER_DEBUG) {
      for (const p of [replica, ...masters]) console.log('NODES', p.port, cli(p, 'cluster', 'nodes'));
      for (const p of [replica, masters[0]!]) console.log('LOG', p.port, p.output().slice(-6000));
    }
    expect(got).toBe('v1');
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
