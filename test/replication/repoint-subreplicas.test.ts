// REPLICAOF on a replica that has sub-replicas of its own: like redis-server 7.0, the node keeps
// them attached while it connects to its new master. When the new master continues the same
// history (a sibling replica), they never notice; when the history changed (the new master was
// promoted), they reconnect once and continue partially. The same scenario runs on Debian's
// redis-server and on our nodes, and the counters and data must agree.
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { hasRedisServer, startNode, startRedis, type ServerProcess } from '../helpers/processes.js';
import { useTracked } from '../helpers/tracked.js';
import { until } from '../helpers/until.js';

const { track, client } = useTracked('each');

async function section(c: Redis, name: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const l of (await c.info(name)).split('\r\n')) {
    const i = l.indexOf(':');
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1);
  }
  return out;
}

async function scenario(kind: 'redis' | 'redshard'): Promise<Record<string, unknown>> {
  const start = (args: string[] = []): Promise<ServerProcess> =>
    track(kind === 'redis' ? startRedis({ args }) : startNode({ args: ['--save', '', ...args] }));
  // No master PINGs in the stream: the two middle replicas must be at one offset when re-pointed.
  const m = await start(['--repl-ping-replica-period', '3600']);
  const sib = await start(['--replicaof', m.host, String(m.port)]);
  const mid = await start(['--replicaof', m.host, String(m.port)]);
  const sub = await start(['--replicaof', mid.host, String(mid.port)]);
  const [cm, csib, cmid, csub] = [m, sib, mid, sub].map(client) as [Redis, Redis, Redis, Redis];
  for (let i = 0; i < 200; i++) await cm.set(`k${i}`, `v${i}`);
  const offsets = async (cs: Redis[]) => new Set(await Promise.all(cs.map(async (c) => (await section(c, 'replication')).master_repl_offset)));
  const up = async (c: Redis, port: number) => {
    const r = await section(c, 'replication');
    return r.master_link_status === 'up' && r.master_port === String(port);
  };
  await until('chain in sync', async () => (await up(csub, mid.port)) && (await offsets([cm, csib, cmid, csub])).size === 1);

  // 1. The middle node moves to its sibling, which has the same replication ID and offset.
  expect(await cmid.replicaof(sib.host, String(sib.port))).toBe('OK');
  await until('middle node linked to its sibling', () => up(cmid, sib.port));
  await cm.set('after-repoint', '1');
  await until('sub-replica gets writes through the new chain', async () => (await csub.get('after-repoint')) === '1');
  const afterRepoint = { mid: await section(cmid, 'stats'), sib: await section(csib, 'stats'), midRepl: await section(cmid, 'replication') };

  // 2. The sibling is promoted: a new history, which the sub-replica joins by a partial resync.
  expect(await csib.replicaof('NO', 'ONE')).toBe('OK');
  await csib.set('on-promoted', '1');
  await until('sub-replica follows the promoted node', async () => (await csub.get('on-promoted')) === '1');
  const newId = (await section(csib, 'replication')).master_replid;
  await until('sub-replica on the new ID', async () => (await section(csub, 'replication')).master_replid === newId);
  const afterPromotion = { mid: await section(cmid, 'stats'), sib: await section(csib, 'stats') };
  return {
    // The sub-replica never reconnected to the middle node in step 1 ...
    midPartialAfterRepoint: afterRepoint.mid.sync_partial_ok,
    midFullAfterRepoint: afterRepoint.mid.sync_full,
    midReplicasAfterRepoint: afterRepoint.midRepl.connected_slaves,
    // ... which itself continued partially from its sibling.
    sibPartialAfterRepoint: afterRepoint.sib.sync_partial_ok,
    sibFullAfterRepoint: afterRepoint.sib.sync_full,
    // Step 2: one partial resync on each link, no full sync anywhere.
    midPartialAfterPromotion: afterPromotion.mid.sync_partial_ok,
    midFullAfterPromotion: afterPromotion.mid.sync_full,
    sibPartialAfterPromotion: afterPromotion.sib.sync_partial_ok,
    sibFullAfterPromotion: afterPromotion.sib.sync_full,
    subKeys: await csub.dbsize(),
  };
}

describe('REPLICAOF of a replica with sub-replicas', () => {
  it.skipIf(!hasRedisServer())('keeps them attached, as redis-server 7.0 does', async () => {
    const theirs = await scenario('redis');
    expect(theirs).toMatchObject({ midPartialAfterRepoint: '0', midReplicasAfterRepoint: '1', sibPartialAfterRepoint: '1', midPartialAfterPromotion: '1' });
    const ours = await scenario('redshard');
    expect(ours).toEqual(theirs);
  }, 90_000);
});
