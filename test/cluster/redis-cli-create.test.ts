// `redis-cli --cluster create` (masters only) and `--cluster check` drive a cluster of redshard
// nodes, and a mixed cluster of redshard and redis-server 7.0 nodes.
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, slotSignature, startClusterNode } from './cluster-helpers.js';

let started: ServerProcess[] = [];

afterEach(async () => {
  await Promise.all(started.map((n) => n.stop('SIGKILL')));
  for (const n of started) rmSync(n.dir, { recursive: true, force: true });
  started = [];
});

function create(nodes: readonly ServerProcess[]): string {
  return execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { encoding: 'latin1', timeout: 60_000 });
}

function check(n: ServerProcess): string {
  return execFileSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${n.port}`], { encoding: 'latin1', timeout: 30_000 });
}

function expectHealthy(nodes: readonly ServerProcess[]): void {
  for (const n of nodes) {
    const out = check(n);
    expect(out).toContain('[OK] All nodes agree about slots configuration.');
    expect(out).toContain('[OK] All 16384 slots covered.');
  }
  expect(new Set(nodes.map(slotSignature)).size).toBe(1);
}

async function waitOk(nodes: readonly ServerProcess[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok'))) {
    if (Date.now() > deadline) throw new Error('cluster_state never became ok');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('redis-cli --cluster', () => {
  it('creates and checks a cluster of three redshard nodes', async () => {
    for (let i = 0; i < 3; i++) started.push(await startClusterNode('redshard'));
    const out = create(started);
    expect(out).toContain('[OK] All 16384 slots covered.');
    await waitOk(started);
    expectHealthy(started);
    // Epochs 1..3 from set-config-epoch survive, and keys route through the cluster.
    expect(cli(started[0]!, 'cluster', 'info')).toMatch(/cluster_my_epoch:1\b/);
    expect(execFileSync('redis-cli', ['-c', '-p', String(started[0]!.port), 'set', 'foo', 'bar'], { encoding: 'latin1' }).trim()).toBe('OK');
    expect(execFileSync('redis-cli', ['-c', '-p', String(started[1]!.port), 'get', 'foo'], { encoding: 'latin1' }).trim()).toBe('bar');
  });

  it('creates and checks a mixed cluster of three redshard and three redis-server nodes', async () => {
    for (let i = 0; i < 3; i++) started.push(await startClusterNode('redshard'), await startClusterNode('redis'));
    const out = create(started);
    expect(out).toContain('[OK] All 16384 slots covered.');
    await waitOk(started);
    expectHealthy(started);
  });
});
