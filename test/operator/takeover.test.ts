// Majority of masters lost (local mode): 3 shards x 1 replica, two masters SIGKILLed at once. The
// cluster cannot elect (one master left to vote), so the operator keeps the dead masters down,
// waits its grace period (3 node timeouts), promotes both replicas with CLUSTER FAILOVER TAKEOVER
// (an event each), then restarts the dead members, which join as replicas: Ready again, no
// acknowledged key lost.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';
import { NODE_COMMAND, cli, pidsOf, type StatusJson } from './local-cluster.js';

describe.skipIf(!hasRedisServer())('local mode: TAKEOVER when the majority of masters is lost', () => {
  let dir: string;
  let port: number;
  let hostBase: number;
  let client: Cluster | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshard-takeover-'));
    port = await freePort();
    hostBase = 120 + (process.pid % 100);
  });

  afterAll(async () => {
    client?.disconnect();
    if (existsSync(join(dir, '.redshard'))) await cli(dir, ['down', '--force']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill 2 of 3 masters -> both shards recovered by TAKEOVER, dead members back as replicas, Ready', async () => {
    const up = await cli(dir, ['up', '--node-command', NODE_COMMAND, '--port', String(port), '--host-base', String(hostBase), '--node-timeout-ms', '2000', '--timeout', '90']);
    expect(up.code, up.stderr).toBe(0);
    client = new Cluster([{ host: `127.0.0.${hostBase}`, port }], { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 20 } });
    for (let i = 0; i < 600; i++) await client.set(`t:${i}`, String(i));
    // Every replica holds every acknowledged write before the masters die.
    for (const m of client.nodes('master')) expect(await m.call('WAIT', '1', '5000')).toBe(1);
    client.disconnect();
    client = null;

    const before = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    const state = JSON.parse(readFileSync(join(dir, '.redshard', 'cluster.json'), 'utf8')) as { members: Record<string, { name: string; host: string; port: number; pid: number }> };
    const victims = [0, 1].map((i) => Object.values(state.members).find((m) => `${m.host}:${m.port}` === before.status.shards[i]!.master!.address)!);
    for (const v of victims) process.kill(v.pid, 'SIGKILL');

    const started = Date.now();
    const r = await cli(dir, ['up', '--timeout', '90']);
    const recoveredMs = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    const events = readFileSync(join(dir, '.redshard', 'events.log'), 'utf8');
    expect(events.match(/"reason":"TakeoverFailover"/g)?.length, events).toBe(2);

    const after = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson & { status: { shards: { replicas: { address?: string }[] }[] } };
    expect(after.status.phase).toBe('Ready');
    expect(after.status.slotsAssigned).toBe(16384);
    for (const [i, v] of victims.entries()) {
      const shard = after.status.shards[i]!;
      expect(shard.master!.address).not.toBe(`${v.host}:${v.port}`);
      expect(shard.replicas.map((x) => x.address)).toEqual([`${v.host}:${v.port}`]);
    }
    expect(pidsOf(port, hostBase).length).toBe(6);
    client = new Cluster([{ host: `127.0.0.${hostBase}`, port }], { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 20 } });
    for (let i = 0; i < 600; i++) expect(await client.get(`t:${i}`)).toBe(String(i));
    console.log(`takeover recovery (2 of 3 masters lost, node timeout 2 s): ${recoveredMs} ms, loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  }, 180_000);
});
