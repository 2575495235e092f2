// Client redirection compared with redis-server 7.0: two two-node clusters (ours and Redis's) with
// the same slot layout and the same slot in migration get the same scripts; replies must be equal
// once node addresses are replaced by the role of the node (X = source, Y = target).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { ServerProcess } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { cli, converged, startClusterNode, waitUntil } from './cluster-helpers.js';

type Pair = { x: ServerProcess; y: ServerProcess };
const pairs: Record<'ours' | 'redis', Pair> = {} as Record<'ours' | 'redis', Pair>;

async function setup(kind: 'redshard' | 'redis'): Promise<Pair> {
  const x = await startClusterNode(kind);
  const y = await startClusterNode(kind);
  cli(x, 'cluster', 'addslotsrange', '0', '8191');
  cli(y, 'cluster', 'addslotsrange', '8192', '16383');
  cli(x, 'cluster', 'meet', '127.0.0.1', String(y.port));
  await waitUntil('pair converged', () => converged([x, y]));
  await waitUntil('cluster ok', () => [x, y].every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')));
  const xid = cli(x, 'cluster', 'myid');
  const yid = cli(y, 'cluster', 'myid');
  cli(y, 'cluster', 'setslot', '3443', 'importing', xid);
  cli(x, 'cluster', 'setslot', '3443', 'migrating', yid);
  return { x, y };
}

// Each step: which node, then the command. Steps on one connection keep session state (ASKING).
type Step = ['x' | 'y', ...string[]];

async function run(p: Pair, steps: Step[]): Promise<string[]> {
  const cx = await RawClient.connect(p.x.port, p.x.host);
  const cy = await RawClient.connect(p.y.port, p.y.host);
  const norm = (r: string) => r.replaceAll(`127.0.0.1:${p.x.port}`, 'X').replaceAll(`127.0.0.1:${p.y.port}`, 'Y');
  try {
    const out: string[] = [];
    for (const [node, ...cmd] of steps) out.push(`${node} ${cmd.join(' ')} -> ${norm(await (node === 'x' ? cx : cy).call(...cmd))}`);
    return out;
  } finally {
    cx.close();
    cy.close();
  }
}

describe('redirection matches redis-server 7.0', () => {
  beforeAll(async () => {
    pairs.ours = await setup('redshard');
    pairs.redis = await setup('redis');
  });

  afterAll(async () => {
    for (const p of Object.values(pairs)) {
      for (const s of [p.x, p.y]) {
        await s.stop('SIGKILL');
        rmSync(s.dir, { recursive: true, force: true });
      }
    }
  });

  it('MOVED, ASK, TRYAGAIN, CROSSSLOT, ASKING, READONLY', async () => {
    const steps: Step[] = [
      ['x', 'SET', '{user1000}a', '1'],
      ['x', 'GET', '{user1000}a'],
      ['x', 'GET', '{user1000}b'],
      ['x', 'EXISTS', '{user1000}b'],
      ['x', 'MGET', '{user1000}a', '{user1000}b'],
      ['x', 'SET', '{user1000}new', 'v'],
      ['x', 'GET', 'foo'],
      ['x', 'SET', 'foo', 'bar'],
      ['x', 'MSET', '{user1000}a', 'x', 'foo', 'y'],
      ['x', 'MGET', '{user1000}a', '{user1000}a'],
      ['y', 'GET', '{user1000}b'],
      ['y', 'ASKING'],
      ['y', 'GET', '{user1000}b'],
      ['y', 'GET', '{user1000}b'],
      ['y', 'ASKING'],
      ['y', 'MGET', '{user1000}b', '{user1000}c'],
      ['y', 'ASKING'],
      ['y', 'SET', '{user1000}b', '2'],
      ['y', 'ASKING'],
      ['y', 'PING'],
      ['y', 'GET', '{user1000}b'],
      ['y', 'ASKING'],
      ['y', 'ASKING'],
      ['y', 'GET', '{user1000}b'],
      ['x', 'GET', '{user1000}b'],
      ['y', 'SET', 'foo', 'bar'],
      ['y', 'GET', 'foo'],
      ['x', 'READONLY'],
      ['x', 'GET', 'foo'],
      ['x', 'READWRITE'],
      ['x', 'SELECT', '1'],
      ['x', 'SELECT', '0'],
      ['x', 'DEL', '{user1000}a'],
      ['x', 'GET', '{user1000}a'],
      ['x', 'PING'],
      ['x', 'DBSIZE'],
    ];
    const ours = await run(pairs.ours, steps);
    const redis = await run(pairs.redis, steps);
    expect(ours).toEqual(redis);
  });
});
