// Rolling update in local mode under a continuous ioredis write load: a change of the config
// passthrough (hz) restarts every member, replicas first, then each master after a manual
// CLUSTER FAILOVER to its caught-up replica, one step at a time (an event per step, progress in
// status); the client sees no error and every acknowledged write is readable afterwards.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { readState, writeState } from '../../operator/platform/local/state.js';
import { CLI, NODE_COMMAND, type StatusJson, useLocalRun } from './local-cluster.js';
import { Writer } from '../helpers/cluster-writer.js';

interface EventLine {
  reason: string;
  message: string;
}

describe.skipIf(!hasRedisServer())('local mode: rolling update', () => {
  const run = useLocalRun('roll', 140 + (process.pid % 100));
  let client: Cluster | null = null;

  it('config change under writes: replicas first, masters after a failover, zero errors, nothing lost', async () => {
    const up = await run.up(NODE_COMMAND, ['--node-timeout-ms', '3000', '--timeout', '90']);
    expect(up.code, up.stderr).toBe(0);
    client = run.client();
    const w = new Writer(client, 3000);
    w.start();
    await new Promise((r) => setTimeout(r, 500));

    // What `kubectl apply` does to the resource: a new spec, a new generation.
    const state = readState(run.dir)!;
    const spec = state.resource.spec as { config: Record<string, string> };
    spec.config = { ...spec.config, hz: '20' };
    state.resource.metadata.generation = (state.resource.metadata.generation ?? 1) + 1;
    writeState(run.dir, state);

    // Progress as status shows it, sampled while the update runs.
    const progress = new Set<string>();
    const roll = spawn(process.execPath, [CLI, 'up', '--timeout', '170', '--dir', run.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    roll.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const sampler = setInterval(() => {
      try {
        const op = readState(run.dir)?.resource.status?.operation;
        if (op?.type === 'RollingUpdate') progress.add(`${op.membersUpdated}/${op.membersTotal}`);
      } catch {
        /* file being replaced */
      }
    }, 50);
    const code = await new Promise<number | null>((res) => roll.on('exit', res));
    clearInterval(sampler);
    await w.stop();
    expect(code, stderr).toBe(0);
    await w.expectNothingLost(500);
    expect([...progress].some((p) => /^[1-5]\/6$/.test(p)), [...progress].join(' ')).toBe(true);

    // One step per event: the three replicas restart first, then per shard a failover and the old
    // master's restart (as a replica by then).
    const events = readFileSync(join(run.dir, '.redshard', 'events.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EventLine);
    const steps = events.filter((e) => e.reason === 'RollingRestart' || e.reason === 'RollingFailover');
    const restarted = steps.filter((e) => e.reason === 'RollingRestart').map((e) => /^restarted replica (\S+) /.exec(e.message)![1]!);
    expect(new Set(restarted).size, steps.map((e) => e.message).join('\n')).toBe(6);
    expect(steps.slice(0, 3).map((e) => e.reason)).toEqual(['RollingRestart', 'RollingRestart', 'RollingRestart']);
    const failovers = steps.filter((e) => e.reason === 'RollingFailover');
    expect(failovers.length).toBeGreaterThanOrEqual(1);
    for (const f of failovers) {
      const [, promoted, old] = /^(\S+) took over from (\S+) /.exec(f.message)!;
      expect(promoted).not.toBe(old);
      expect(restarted.indexOf(old!)).toBeGreaterThanOrEqual(3);
      expect(steps.indexOf(f)).toBeLessThan(steps.findIndex((e) => e.reason === 'RollingRestart' && e.message.startsWith(`restarted replica ${old} `)));
    }

    const st = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    expect(st.status.phase).toBe('Ready');
    expect(st.status.shards.map((s) => s.replicas.length)).toEqual([1, 1, 1]);
    // Every member runs the new config.
    for (const m of Object.values(readState(run.dir)!.members)) {
      const r = new Redis({ host: m.host, port: m.port, lazyConnect: true });
      await r.connect();
      expect(await r.config('GET', 'hz')).toEqual(['hz', '20']);
      r.disconnect();
    }
    console.log(`rolling update of 6 members under load: ${w.writes} writes, ${w.errors.length} errors, progress seen ${[...progress].join(' ')}, loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  }, 200_000);

  it('image change switches the node program member by member (redis-server <-> redshard-node), nothing lost', async () => {
    const w = new Writer(client!, 3000);
    w.start();
    await new Promise((r) => setTimeout(r, 300));
    const state = readState(run.dir)!;
    const spec = state.resource.spec as { image: string };
    const next = spec.image === 'local:redis-server' ? 'redshard-node' : 'redis-server';
    spec.image = `local:${next}`;
    state.resource.metadata.generation = (state.resource.metadata.generation ?? 1) + 1;
    writeState(run.dir, state);
    const r = await run.cli(['up', '--timeout', '150']);
    await w.stop();
    expect(r.code, `${r.stderr.slice(-1500)}\n${readFileSync(join(run.dir, '.redshard', 'events.log'), 'utf8').slice(-3000)}`).toBe(0);
    await w.expectNothingLost();
    for (const m of Object.values(readState(run.dir)!.members)) {
      const cmdline = readFileSync(`/proc/${m.pid}/cmdline`, 'latin1');
      expect(cmdline).toContain(next === 'redis-server' ? 'redis-server' : 'redshard-node.js');
    }
    console.log(`image roll to ${next} under load: ${w.writes} writes, ${w.errors.length} errors`);
  }, 200_000);
});
