// redis-cli --cluster reshard across a mixed cluster (two redshard nodes, one redis-server):
// slots with keys move from redis-server to redshard and from redshard to redis-server through
// SETSLOT IMPORTING/MIGRATING, GETKEYSINSLOT, MIGRATE and SETSLOT NODE; no key is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, slotSignature, startClusterNode, waitUntil } from './cluster-helpers.js';

let nodes: ServerProcess[] = [];
const KEYS = 300;

function rc(args: string[], input?: string): string {
  try {
    return execFileSync('redis-cli', args, { encoding: 'latin1', timeout: 120_000, ...(input !== undefined ? { input } : {}) });
  } catch (e) {
    throw new Error(`redis-cli ${args.slice(0, 2).join(' ')} failed: ${String((e as { stdout?: string }).stdout ?? e)}`);
  }
}

describe('redis-cli --cluster reshard on a mixed cluster', () => {
  beforeAll(async () => {
    nodes = [await startClusterNode('redshard'), await startClusterNode('redis'), await startClusterNode('redshard')];
    rc(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes']);
    await waitUntil('cluster ok', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')));
    await waitUntil('all agree', () => new Set(nodes.map(slotSignature)).size === 1);
    let script = '';
    for (let i = 0; i < KEYS; i++) script += `SET key:${i} v${i}\n`;
    rc(['-c', '-p', String(nodes[0]!.port)], script);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  });

  it('moves slots both ways and keeps every key', async () => {
    const [a, r, b] = nodes as [ServerProcess, ServerProcess, ServerProcess];
    const id = (p: ServerProcess) => cli(p, 'cluster', 'myid');
    rc(['--cluster', 'reshard', `127.0.0.1:${a.port}`, '--cluster-from', id(r), '--cluster-to', id(a), '--cluster-slots', '200', '--cluster-yes']);
    await waitUntil('all agree after the first reshard', () => new Set(nodes.map(slotSignature)).size === 1);
    rc(['--cluster', 'reshard', `127.0.0.1:${r.port}`, '--cluster-from', id(b), '--cluster-to', id(r), '--cluster-slots', '200', '--cluster-yes']);
    await waitUntil('all agree', () => new Set(nodes.map(slotSignature)).size === 1);
    const check = rc(['--cluster', 'check', `127.0.0.1:${a.port}`]);
    expect(check).toContain('[OK] All nodes agree about slots configuration.');
    expect(check).not.toContain('[WARNING]');
    expect(nodes.reduce((n, p) => n + Number(cli(p, 'dbsize')), 0)).toBe(KEYS);
    let script = '';
    for (let i = 0; i < KEYS; i++) script += `GET key:${i}\n`;
    const values = rc(['-c', '-p', String(b.port)], script).trim().split('\n').filter((l) => !l.startsWith('-> Redirected'));
    expect(values).toEqual(Array.from({ length: KEYS }, (_, i) => `v${i}`));
  });
});
