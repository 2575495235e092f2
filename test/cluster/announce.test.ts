// cluster-port and cluster-announce-* settings: a redshard node with a non-default bus port joins
// a redis-server node (3-argument CLUSTER MEET), then announces another client port and a
// hostname; redis-server shows the announced address and redirects clients to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { ServerProcess } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';
import { cli, converged, nodesView, startClusterNode, waitUntil } from './cluster-helpers.js';

let ours: ServerProcess;
let redis: ServerProcess;
let bus = 0;

describe('cluster-port and announce settings', () => {
  beforeAll(async () => {
    bus = await freePort();
    ours = await startClusterNode('redshard', { args: ['--cluster-port', String(bus)] });
    redis = await startClusterNode('redis');
  });

  afterAll(async () => {
    for (const p of [ours, redis]) {
      if (!p) continue;
      await p.stop('SIGKILL');
      rmSync(p.dir, { recursive: true, force: true });
    }
  });

  it('joins through a custom bus port', async () => {
    expect(cli(redis, 'cluster', 'meet', '127.0.0.1', String(ours.port), String(bus))).toBe('OK');
    await waitUntil('converged', () => converged([ours, redis]));
    const id = cli(ours, 'cluster', 'myid');
    expect(nodesView(redis).find((l) => l.id === id)!.cport).toBe(bus);
  });

  it('announced port and hostname reach redis-server and its redirections', async () => {
    cli(ours, 'cluster', 'addslotsrange', '0', '16383');
    expect(cli(ours, 'config', 'set', 'cluster-announce-port', '1234')).toBe('OK');
    expect(cli(ours, 'config', 'set', 'cluster-announce-hostname', 'ours.example')).toBe('OK');
    const id = cli(ours, 'cluster', 'myid');
    await waitUntil('announced address seen', () => {
      const l = nodesView(redis).find((x) => x.id === id)!;
      return l.port === 1234 && l.cport === bus && l.hostname === 'ours.example';
    });
    await waitUntil('redis cluster ok', () => cli(redis, 'cluster', 'info').includes('cluster_state:ok'));
    expect(cli(redis, 'get', 'foo')).toBe('MOVED 12182 127.0.0.1:1234');
    expect(nodesView(ours).find((l) => l.flags.includes('myself'))!.port).toBe(1234);
    expect(cli(redis, 'config', 'set', 'cluster-preferred-endpoint-type', 'hostname')).toBe('OK');
    expect(cli(redis, 'get', 'foo')).toBe('MOVED 12182 ours.example:1234');
  });
});
