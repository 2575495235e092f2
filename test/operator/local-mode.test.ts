// Local mode end to end against Debian's redis-server 7.0 as the node (REDSHARD_TEST_NODE_COMMAND
// selects another, e.g. bin/redshard-node.js): `redshard up` -> Ready with 16384 slots and an
// ioredis Cluster client working; scale 3 -> 4 and 4 -> 3 while a client writes continuously, with
// zero client errors and every acknowledged write readable with its last value; `redshard down`
// stops every process. One cluster for the whole file, run through the real CLI entry point.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { keySlot } from '../../common/slots.js';
import { CLI, NODE_COMMAND, type StatusJson, useLocalRun } from './local-cluster.js';
import { Writer } from '../helpers/cluster-writer.js';

describe.skipIf(!hasRedisServer())('local mode (redshard up/status/scale/down)', () => {
  const run = useLocalRun('local', 100 + (process.pid % 100));
  let client: Cluster | null = null;

  it('up: 3 shards x 1 replica, Ready with all 16384 slots, prints how to connect', async () => {
    const r = await run.up(NODE_COMMAND, ['--node-timeout-ms', '3000', '--timeout', '90']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Ready  16384/16384 slots');
    expect(r.stdout).toContain(`redis-cli -c -h 127.0.0.${run.hostBase} -p ${run.port}`);
    const s = await run.cli(['status', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const st = JSON.parse(s.stdout) as StatusJson;
    expect(st.status.phase).toBe('Ready');
    expect(st.status.slotsAssigned).toBe(16384);
    expect(st.status.shards.map((x) => x.replicas.length)).toEqual([1, 1, 1]);
    expect(run.pids().length, run.pids().join('\n')).toBe(6);
  });

  it('an ioredis Cluster client reads and writes across all shards', async () => {
    client = run.client();
    for (let i = 0; i < 300; i++) await client.set(`hello:${i}`, String(i));
    expect(await client.get('hello:299')).toBe('299');
    const masters = client.nodes('master');
    expect(masters.length).toBe(3);
    const sizes = await Promise.all(masters.map((m) => m.dbsize()));
    expect(sizes.every((n) => n > 0)).toBe(true);
  });

  it('scale 3 -> 4 under continuous writes: zero client errors, every acknowledged write readable', async () => {
    const w = new Writer(client!, 3000);
    w.start();
    await new Promise((r) => setTimeout(r, 500));
    // The operator is killed mid-rebalance, then started again: it must finish from what the
    // nodes report (open slots included).
    const first = spawn(process.execPath, [CLI, 'scale', '--shards', '4', '--dir', run.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let progress = '';
    await new Promise<void>((resolve) => {
      first.stderr!.on('data', (d: Buffer) => {
        progress += d.toString();
        if (/slots moved [1-9]\d* of/.test(progress)) resolve();
      });
      first.on('exit', () => resolve());
    });
    first.kill('SIGKILL');
    const r = await run.cli(['scale', '--shards', '4', '--timeout', '170']);
    await w.stop();
    expect(progress, progress).toMatch(/slots moved [1-9]\d* of 4096/);
    expect(r.code, r.stderr).toBe(0);
    await w.expectNothingLost(1000);
    const st = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    expect(st.status.shards.map((x) => x.slotCount)).toEqual([4096, 4096, 4096, 4096]);
  }, 200_000);

  it('scale 4 -> 3 under continuous writes: drained, removed, no key lost', async () => {
    const w = new Writer(client!, 3000);
    w.start();
    const r = await run.cli(['scale', '--shards', '3', '--timeout', '170']);
    await w.stop();
    expect(r.code, r.stderr).toBe(0);
    await w.expectNothingLost();
    for (let i = 0; i < 300; i++) expect(await client!.get(`hello:${i}`)).toBe(String(i));
    const st = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    expect(st.status.shards.length).toBe(3);
    expect(st.status.slotsAssigned).toBe(16384);
    expect(run.pids().length, run.pids().join('\n')).toBe(6);
  }, 200_000);

  it('failover --shard 0 promotes the replica and the cluster stays Ready', async () => {
    const before = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    const r = await run.cli(['failover', '--shard', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('is now the master of shard 0');
    const after = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    expect(after.status.shards[0]!.master!.address).not.toBe(before.status.shards[0]!.master!.address);
    for (let i = 0; i < 300; i++) expect(await client!.get(`hello:${i}`)).toBe(String(i));
  }, 60_000);

  it('a killed master fails over; `up` brings its process back as a replica and the cluster Ready', async () => {
    const before = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    const shard = before.status.shards[1]!;
    const [lo, hi] = shard.slots.split(' ')[0]!.split('-').map(Number) as [number, number];
    let tag = 0;
    while (keySlot(`t${tag}`) < lo || keySlot(`t${tag}`) > (hi ?? lo)) tag++;
    const key = (i: number | string) => `fo:{t${tag}}:${i}`;
    for (let i = 0; i < 100; i++) await client!.set(key(i), String(i));
    // Let the replica catch up so the failover loses nothing acknowledged here.
    await client!.call('WAIT', '1', '2000');
    const state = JSON.parse(readFileSync(join(run.dir, '.redshard', 'cluster.json'), 'utf8')) as { members: Record<string, { host: string; port: number; pid: number }> };
    const victim = Object.values(state.members).find((m) => `${m.host}:${m.port}` === shard.master!.address)!;
    process.kill(victim.pid, 'SIGKILL');
    const started = Date.now();
    // The cluster promotes the replica on its own; the client sees the shard come back.
    for (;;) {
      try {
        await client!.set(key('probe'), 'x');
        break;
      } catch {
        if (Date.now() - started > 30_000) throw new Error('no failover within 30 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const r = await run.cli(['up', '--timeout', '60']);
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    expect(after.status.phase).toBe('Ready');
    expect(after.status.shards[1]!.master!.address).not.toBe(shard.master!.address);
    expect(after.status.shards[1]!.replicas).toHaveLength(1);
    for (let i = 0; i < 100; i++) expect(await client!.get(key(i))).toBe(String(i));
  }, 120_000);

  it('down stops every process and removes the state', async () => {
    client!.disconnect();
    client = null;
    const r = await run.cli(['down']);
    expect(r.code, r.stderr).toBe(0);
    expect(run.pids()).toEqual([]);
    expect(existsSync(join(run.dir, '.redshard'))).toBe(false);
  });

  it('explains wrong flags', async () => {
    const a = await run.cli(['scale', '--shards', 'two']);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain('--shards must be a number');
    const b = await run.cli(['up', '--shard', '3']);
    expect(b.stderr).toMatch(/unknown option '--shard'[\s\S]*--shards/);
    const c = await run.cli(['status']);
    expect(c.stderr).toContain('no local cluster');
  });
});
