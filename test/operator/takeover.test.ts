// Majority of masters lost (local mode): 3 shards x 1 replica, two masters SIGKILLed at once. The
// cluster cannot elect (one master left to vote), so the operator keeps the dead masters down,
// waits its grace period (3 node timeouts), promotes both replicas with CLUSTER FAILOVER TAKEOVER
// (an event each), then restarts the dead members, which join as replicas: Ready again, no
// acknowledged key lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { NODE_COMMAND, type StatusJson, useLocalRun } from './local-cluster.js';

describe.skipIf(!hasRedisServer())('local mode: TAKEOVER when the majority of masters is lost', () => {
  const run = useLocalRun('takeover', 120 + (process.pid % 100));
  let client: Cluster | null = null;

  it('kill 2 of 3 masters -> both shards recovered by TAKEOVER, dead members back as replicas, Ready', async () => {
    const up = await run.up(NODE_COMMAND, ['--node-timeout-ms', '2000', '--timeout', '90']);
    expect(up.code, up.stderr).toBe(0);
    client = run.client();
    for (let i = 0; i < 600; i++) await client.set(`t:${i}`, String(i));
    // Every replica holds every acknowledged write before the masters die.
    for (const m of client.nodes('master')) expect(await m.call('WAIT', '1', '5000')).toBe(1);
    client.disconnect();
    client = null;

    const before = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    const state = JSON.parse(readFileSync(join(run.dir, '.redshard', 'cluster.json'), 'utf8')) as { members: Record<string, { name: string; host: string; port: number; pid: number }> };
    const victims = [0, 1].map((i) => Object.values(state.members).find((m) => `${m.host}:${m.port}` === before.status.shards[i]!.master!.address)!);
    for (const v of victims) process.kill(v.pid, 'SIGKILL');

    const started = Date.now();
    const r = await run.cli(['up', '--timeout', '90']);
    const recoveredMs = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    const events = readFileSync(join(run.dir, '.redshard', 'events.log'), 'utf8');
    expect(events.match(/"reason":"TakeoverFailover"/g)?.length, events).toBe(2);

    const after = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    expect(after.status.phase).toBe('Ready');
    expect(after.status.slotsAssigned).toBe(16384);
    for (const [i, v] of victims.entries()) {
      const shard = after.status.shards[i]!;
      expect(shard.master!.address).not.toBe(`${v.host}:${v.port}`);
      expect(shard.replicas.map((x) => x.address)).toEqual([`${v.host}:${v.port}`]);
    }
    expect(run.pids().length).toBe(6);
    client = run.client();
    for (let i = 0; i < 600; i++) expect(await client.get(`t:${i}`)).toBe(String(i));
    console.log(`takeover recovery (2 of 3 masters lost, node timeout 2 s): ${recoveredMs} ms, loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  }, 180_000);
});
