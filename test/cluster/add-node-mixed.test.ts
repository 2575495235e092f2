// redis-cli --cluster add-node across kinds: our node joins a cluster whose reference node is a
// redis-server (redis-cli checks it with FUNCTION LIST and feeds it FUNCTION RESTORE), and a
// redis-server joins a cluster of ours (it restores our FUNCTION DUMP). The FUNCTION replies of a
// node without a script engine match redis-server 7.0 when no library exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { ServerProcess } from '../helpers/processes.js';
import { expectSameReplies, type Step } from '../helpers/differential.js';
import { RawClient } from '../helpers/raw-client.js';
import { cli, startClusterNode, waitUntil } from './cluster-helpers.js';

let nodes: ServerProcess[] = [];

function addNode(fresh: ServerProcess, existing: ServerProcess): string {
  try {
    return execFileSync('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${fresh.port}`, `127.0.0.1:${existing.port}`], { encoding: 'latin1', timeout: 60_000 });
  } catch (e) {
    throw new Error(`add-node failed: ${String((e as { stdout?: string }).stdout ?? e)}`);
  }
}

async function bulk(p: ServerProcess, ...cmd: string[]): Promise<string> {
  const c = await RawClient.connect(p.port);
  try {
    const raw = await c.call(...cmd);
    return raw.slice(raw.indexOf('\r\n') + 2, -2);
  } finally {
    c.close();
  }
}

describe('add-node between redshard and redis-server', () => {
  beforeAll(async () => {
    nodes = await Promise.all([startClusterNode('redshard'), startClusterNode('redis'), startClusterNode('redshard'), startClusterNode('redis')]);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  });

  it('FUNCTION LIST / DUMP / RESTORE / FLUSH answer like redis-server 7.0 without libraries', async () => {
    const [ours, theirs] = [nodes[0]!, nodes[1]!];
    const payload = await bulk(theirs, 'FUNCTION', 'DUMP');
    const f = (...a: string[]): string[] => ['FUNCTION', ...a];
    const steps: Step[] = [
      f('LIST'), f('LIST', 'WITHCODE'), f('LIST', 'LIBRARYNAME', 'x*'), f('LIST', 'LIBRARYNAME'), f('LIST', 'foo'),
      f('DUMP'), f('DUMP', 'x'),
      f('RESTORE', 'junk'), f('RESTORE', payload), f('RESTORE', payload, 'REPLACE'), f('RESTORE', payload, 'bad'), f('RESTORE', payload, 'flush', 'x'),
      f('FLUSH'), f('FLUSH', 'SYNC'), f('FLUSH', 'x'), f('FLUSH', 'ASYNC', 'x'),
      f('foo'), ['FUNCTION'],
    ];
    await expectSameReplies(ours, theirs, steps);
    // A payload holding a library cannot load here: refused, nothing kept.
    cli(theirs, 'function', 'load', '#!lua name=lib\nredis.register_function("f", function() return 1 end)');
    const withLib = await bulk(theirs, 'FUNCTION', 'DUMP');
    cli(theirs, 'function', 'flush');
    const c = await RawClient.connect(ours.port);
    try {
      expect(await c.call('FUNCTION', 'RESTORE', withLib)).toBe("-ERR Engine 'LUA' not found\r\n");
      expect(await c.call('FUNCTION', 'LIST')).toBe('*0\r\n');
    } finally {
      c.close();
    }
  });

  it('our node joins a redis-server cluster, and a redis-server joins ours', async () => {
    const [ours, theirs, newOurs, newTheirs] = nodes as [ServerProcess, ServerProcess, ServerProcess, ServerProcess];
    for (const p of [ours, theirs]) cli(p, 'cluster', 'addslotsrange', '0', '16383');
    await waitUntil('both clusters ok', () => [ours, theirs].every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')));
    expect(addNode(newOurs, theirs)).toContain('[OK] New node added correctly.');
    expect(addNode(newTheirs, ours)).toContain('[OK] New node added correctly.');
    await waitUntil('new nodes joined', () => [newOurs, newTheirs].every((p) => /cluster_known_nodes:2\b/.test(cli(p, 'cluster', 'info')) && cli(p, 'cluster', 'info').includes('cluster_state:ok')), 20_000);
  });
});
