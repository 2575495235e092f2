// Cluster mode: a client blocked on a key whose slot this master gives away gets -MOVED (from the
// cron, as Redis's clientsCron) and stays connected; when a manual failover turns the master into
// a replica, clients blocked on its keys and clients in WAIT get -UNBLOCKED and are closed.
// The same scenario runs on a redis-server 7.0 cluster and must give the same replies.
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingConn as Conn } from '../helpers/recording-conn.js';
import { hasRedisServer, type ServerProcess } from '../helpers/processes.js';
import { cli, nodesView, waitUntil } from '../cluster/cluster-helpers.js';
import { ownsSlot, startSixNodeCluster } from './failover-harness.js';

const started: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
});


/** Two hash tags in different slots, both served by `master`. */
function twoTags(master: ServerProcess): { tag: string; slot: number }[] {
  const out: { tag: string; slot: number }[] = [];
  for (let i = 0; out.length < 2; i++) {
    const tag = `t${i}`;
    const slot = Number(cli(master, 'cluster', 'keyslot', tag));
    if (ownsSlot(master, slot) && !out.some((o) => o.slot === slot)) out.push({ tag, slot });
  }
  return out;
}

async function scenario(kind: 'redshard' | 'redis'): Promise<Record<string, string | boolean>> {
  const layout = await startSixNodeCluster(kind, 1000);
  started.push(...layout.nodes);
  const [master, replica] = [...layout.replicaOf.entries()][0]!;
  const other = [...layout.replicaOf.keys()].find((m) => m !== master)!;
  const [moved, stays] = twoTags(master);
  const masterId = cli(master, 'cluster', 'myid');
  const otherId = cli(other, 'cluster', 'myid');
  const onMoved = await Conn.open(master.port);
  onMoved.send('BLPOP', `{${moved!.tag}}:l`, '0');
  const onStays = await Conn.open(master.port);
  onStays.send('BZPOPMIN', `{${stays!.tag}}:z`, '0');
  const waiter = await Conn.open(master.port);
  waiter.send('WAIT', '2', '0');
  await waitUntil('clients blocked', () => /blocked_clients:3\b/.test(cli(master, 'info', 'clients')), 10_000);

  // Give the (empty) slot away the way redis-cli reshards it.
  expect(cli(other, 'cluster', 'setslot', String(moved!.slot), 'importing', masterId)).toBe('OK');
  expect(cli(master, 'cluster', 'setslot', String(moved!.slot), 'migrating', otherId)).toBe('OK');
  expect(cli(other, 'cluster', 'setslot', String(moved!.slot), 'node', otherId)).toBe('OK');
  expect(cli(master, 'cluster', 'setslot', String(moved!.slot), 'node', otherId)).toBe('OK');
  await waitUntil('MOVED reply', () => onMoved.data !== '', 10_000);

  expect(cli(replica, 'cluster', 'failover')).toBe('OK');
  await waitUntil('master demoted', () => nodesView(master).find((l) => l.flags.includes('myself'))!.flags.includes('slave'), 20_000);
  await waitUntil('blocked clients released', () => onStays.closed && waiter.closed, 10_000);
  const result = {
    moved: onMoved.data.replace(`127.0.0.1:${other.port}`, '<other>'),
    movedClosed: onMoved.closed,
    keyWait: onStays.data,
    keyWaitClosed: onStays.closed,
    wait: waiter.data,
    waitClosed: waiter.closed,
  };
  for (const c of [onMoved, onStays, waiter]) c.close();
  await Promise.all(layout.nodes.map((p) => p.stop('SIGKILL')));
  return result;
}

describe('cluster: blocked clients on slot loss and demotion', () => {
  it('-MOVED for a moved slot, -UNBLOCKED and close on failover, like redis-server 7.0', async () => {
    const ours = await scenario('redshard');
    const unblocked = '-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n';
    expect(ours).toEqual({
      moved: expect.stringMatching(/^-MOVED \d+ <other>\r\n$/),
      movedClosed: false,
      keyWait: unblocked,
      keyWaitClosed: true,
      wait: unblocked,
      waitClosed: true,
    });
    if (!hasRedisServer()) return;
    const theirs = await scenario('redis');
    expect({ ...theirs, moved: theirs.moved.toString().replace(/\d+ </, 'N <') }).toEqual({ ...ours, moved: ours.moved.toString().replace(/\d+ </, 'N <') });
  }, 150_000);
});
