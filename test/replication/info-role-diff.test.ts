// INFO replication and ROLE of a master and of its replica, compared field by field with Debian's
// redis-server 7.0 in the same situations (IDs, ports, offsets, lags and seconds normalised; the
// relations between offsets are checked on each side).
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { hasRedisServer, startNode, startRedis, type ServerProcess } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const started: ServerProcess[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
});


function fields(info: string): [string, string][] {
  return info
    .split('\r\n')
    .filter((l) => l.includes(':'))
    .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]);
}

/** Replaces what legitimately differs between two runs by placeholders. */
function normalise(text: string, ports: Map<number, string>): string {
  let s = text.replace(/\b[0-9a-f]{40}\b/g, (id) => (/^0+$/.test(id) ? id : '<id>'));
  for (const [port, name] of ports) s = s.replaceAll(String(port), name);
  return s
    .replace(/(offset|lag|seconds_ago|since_seconds|histlen)([=:])\d+/g, '$1$2N')
    .replace(/(master_repl_offset|second_repl_offset|slave_repl_offset|slave_read_repl_offset|repl_backlog_first_byte_offset):(\d+)/g, '$1:N');
}

type Snapshot = Record<string, unknown>;

async function scenario(kind: 'redshard' | 'redis'): Promise<Snapshot> {
  const start = kind === 'redshard' ? startNode : startRedis;
  const extra = kind === 'redis' ? ['--repl-diskless-sync-delay', '0'] : ['--save', ''];
  const master = await start({ args: extra });
  started.push(master);
  const m = new Redis({ port: master.port, host: master.host });
  m.on('error', () => {});
  clients.push(m);
  const out: Snapshot = {};
  const ports = new Map<number, string>([[master.port, '<master>']]);
  out.freshMasterInfo = normalise(await m.info('replication'), ports);
  out.freshMasterRole = await m.role();
  await m.set('a', '1');

  const replica = await start({ args: [...extra, '--replicaof', master.host, String(master.port)] });
  started.push(replica);
  ports.set(replica.port, '<replica>');
  const r = new Redis({ port: replica.port, host: replica.host });
  r.on('error', () => {});
  clients.push(r);
  await until('link up', async () => /master_link_status:up/.test(await r.info('replication')));
  await m.set('b', '2');
  expect(await m.wait(1, 5000)).toBe(1);
  await until('ack seen by the master', async () => {
    const mi = Object.fromEntries(fields(await m.info('replication')));
    return new RegExp(`offset=${mi.master_repl_offset},`).test(mi.slave0 ?? '');
  });
  const mInfo = await m.info('replication');
  const rInfo = await r.info('replication');
  out.masterInfo = normalise(mInfo, ports);
  out.replicaInfo = normalise(rInfo, ports);
  // Offsets agree along the link.
  const mi = Object.fromEntries(fields(mInfo));
  const ri = Object.fromEntries(fields(rInfo));
  out.sameOffsets = mi.master_repl_offset === ri.master_repl_offset && ri.slave_repl_offset === ri.master_repl_offset;
  out.sameId = mi.master_replid === ri.master_replid;
  const mRole = (await m.role()) as [string, number, [string, string, string][]];
  const rRole = (await r.role()) as [string, string, number, string, number];
  out.masterRole = [mRole[0], typeof mRole[1], mRole[2].map(([h, p, o]) => [h, ports.get(Number(p)), typeof o])];
  out.replicaRole = [rRole[0], rRole[1], ports.get(rRole[2]), rRole[3], typeof rRole[4]];
  out.roleOffsets = mRole[1] === Number(mi.master_repl_offset) && rRole[4] === Number(ri.slave_repl_offset);

  // The replica loses its master.
  await master.stop('SIGKILL');
  await until('link down', async () => /master_link_status:down/.test(await r.info('replication')));
  const downRole = (await r.role()) as [string, string, number, string, number];
  out.replicaDownInfo = normalise(await r.info('replication'), ports);
  out.replicaDownRole = [downRole[0], downRole[3], downRole[4]];

  // A replica that never reached its master.
  const lonely = await start({ args: [...extra, '--replicaof', '127.0.0.1', '1'] });
  started.push(lonely);
  const l = new Redis({ port: lonely.port, host: lonely.host });
  l.on('error', () => {});
  clients.push(l);
  ports.set(lonely.port, '<lonely>');
  const lonelyInfo = await l.info('replication');
  out.neverConnectedInfo = normalise(lonelyInfo, ports);
  out.neverConnectedOffsets = lonelyInfo.match(/(slave_read_repl_offset|slave_repl_offset|master_repl_offset):-?\d+/g);
  out.neverConnectedRole = await l.role();
  l.disconnect();
  await lonely.stop('SIGKILL');

  // Promotion.
  await r.replicaof('NO', 'ONE');
  out.promotedInfo = normalise(await r.info('replication'), ports);
  out.promotedRole = ((await r.role()) as unknown[]).map((x) => (typeof x === 'number' ? 'N' : x));
  await replica.stop('SIGKILL');
  return out;
}

describe('INFO replication and ROLE against redis-server 7.0', () => {
  it.runIf(hasRedisServer())('master, replica, replica without master, promoted replica', async () => {
    const ours = await scenario('redshard');
    const theirs = await scenario('redis');
    expect(ours).toEqual(theirs);
  }, 60_000);
});
