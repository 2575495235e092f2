// A master turning replica releases its blocked clients as Redis 7.0 does: every client blocked
// in BLPOP/BRPOP/BLMOVE/BZPOP* and every client parked in WAIT gets -UNBLOCKED and is closed once
// the error is written; other clients stay. Compared with Debian's redis-server 7.0.
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingConn as Conn } from '../helpers/recording-conn.js';
import { hasRedisServer, startNode, startRedis, type ServerProcess } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const started: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
});



const BLOCKERS: string[][] = [
  ['BLPOP', 'l1', '0'],
  ['BRPOP', 'l2', 'l3', '0'],
  ['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0'],
  ['BZPOPMIN', 'z1', '0'],
  ['BZPOPMAX', 'z2', '100'],
  ['BLMPOP', '0', '1', 'l4', 'LEFT'],
  ['WAIT', '1', '0'],
  ['WAIT', '3', '60000'],
];

async function scenario(server: ServerProcess): Promise<{ replies: string[]; closed: boolean[]; idle: string }> {
  const admin = await Conn.open(server.port);
  const idle = await Conn.open(server.port);
  const blocked: Conn[] = [];
  for (const cmd of BLOCKERS) {
    const c = await Conn.open(server.port);
    c.send(...cmd);
    blocked.push(c);
  }
  await until('every client blocked', async () => {
    admin.data = '';
    admin.send('INFO', 'clients');
    await until('info', () => admin.data.includes('blocked_clients:'));
    return new RegExp(`blocked_clients:${BLOCKERS.length}\\b`).test(admin.data);
  });
  admin.data = '';
  admin.send('REPLICAOF', '127.0.0.1', '1');
  await until('every blocked client closed', () => blocked.every((c) => c.closed));
  idle.send('PING');
  await until('idle client answered', () => idle.data.length > 0 || idle.closed);
  const out = { replies: blocked.map((c) => c.data), closed: blocked.map((c) => c.closed), idle: idle.data };
  admin.send('REPLICAOF', 'NO', 'ONE');
  for (const c of [admin, idle]) c.close();
  return out;
}

describe('role change releases blocked clients', () => {
  it('REPLICAOF on a master: -UNBLOCKED to key waits and WAIT, then close; like redis-server 7.0', async () => {
    const ours = await startNode({ args: ['--save', ''] });
    started.push(ours);
    const got = await scenario(ours);
    const unblocked = '-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n';
    expect(got.replies).toEqual(BLOCKERS.map(() => unblocked));
    expect(got.closed).toEqual(BLOCKERS.map(() => true));
    expect(got.idle).toBe('+PONG\r\n');
    if (!hasRedisServer()) return;
    const theirs = await startRedis();
    started.push(theirs);
    expect(await scenario(theirs)).toEqual(got);
  }, 40_000);
});
