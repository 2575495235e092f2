// Local mode: the operator dies mid-rebalance and a second run completes it. The operator runs
// inside `redshard scale --shards 4`; that process is SIGKILLed once its progress shows some but
// not all slots moved (with our nodes an atomic CLUSTER IMPORT-SLOTS may be in flight, issued on a
// connection that dies with it), under a continuous ioredis write load on 200k keys. Running
// `redshard scale --shards 4` again must end Ready with 4 balanced masters, no slot left
// MIGRATING/IMPORTING on any node, zero client errors, every acknowledged write readable with its
// last value and every original key present. REDSHARD_TEST_RESTART_NODE_COMMAND=redis-server runs
// the same scenario on the SETSLOT+MIGRATE path.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { readState } from '../../operator/platform/local/state.js';
import { CLI, type StatusJson, useLocalRun } from './local-cluster.js';
import { Writer, lostWrites } from '../helpers/cluster-writer.js';

const NODE = process.env.REDSHARD_TEST_RESTART_NODE_COMMAND ?? 'redshard-node';
const KEYS = 200_000;

describe.skipIf(NODE === 'redis-server' && !hasRedisServer())(`local mode (${NODE}): operator killed mid-rebalance, the next run completes it`, () => {
  const run = useLocalRun('restart', 60 + (process.pid % 40));
  let client: Cluster | null = null;
  let bulk: Cluster | null = null;

  it('SIGKILL `scale --shards 4` with slots half moved; the next `scale` ends Ready, balanced, nothing lost', async () => {
    const up = await run.up(NODE, ['--node-timeout-ms', '3000', '--timeout', '90']);
    expect(up.code, up.stderr).toBe(0);
    // Bulk load and read-back pipeline automatically; that client is idle while slots move (a
    // pipeline whose commands get MOVED to several nodes fails in ioredis instead of following).
    bulk = run.client({ scaleReads: 'master', enableAutoPipelining: true });
    client = run.client();
    const t0 = Date.now();
    for (let i = 0; i < KEYS; i += 5000) await Promise.all(Array.from({ length: 5000 }, (_, j) => bulk!.set(`p:${i + j}`, String(i + j))));
    const loadMs = Date.now() - t0;

    const w = new Writer(client, 3000);
    w.start();
    const started = Date.now();
    const first = spawn(process.execPath, [CLI, 'scale', '--shards', '4', '--dir', run.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let progress = '';
    let killedAt = '';
    const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
    await new Promise<void>((resolve) => {
      first.stderr!.on('data', (d: Buffer) => {
        progress += d.toString();
        const m = /slots moved (\d+) of (\d+)/.exec(progress.split('\n').findLast((l) => /slots moved/.test(l)) ?? '');
        if (!killedAt && m && Number(m[1]) > 0 && Number(m[1]) < Number(m[2])) {
          killedAt = m[0];
          first.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => resolve());
    });
    await exited;
    expect(killedAt, `the first run was not caught mid-move:\n${progress}`).not.toBe('');
    const killMs = Date.now() - started;

    const again = Date.now();
    const r = await run.cli(['scale', '--shards', '4', '--timeout', '170']);
    const finishMs = Date.now() - again;
    await w.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(w.errors.slice(0, 5)).toEqual([]);
    expect(w.writes).toBeGreaterThan(500);

    const st = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    expect(st.status.phase).toBe('Ready');
    expect(st.status.slotsAssigned).toBe(16384);
    expect(st.status.shards.map((x) => x.slotCount)).toEqual([4096, 4096, 4096, 4096]);
    // No node keeps a slot open: CLUSTER NODES shows [slot->-id] / [slot-<-id] for those.
    for (const m of Object.values(readState(run.dir)!.members)) {
      const r = new Redis({ host: m.host, port: m.port, lazyConnect: true });
      try {
        const nodes = String(await r.call('CLUSTER', 'NODES'));
        expect(nodes, `${m.host}:${m.port}`).not.toContain('[');
      } finally {
        r.disconnect();
      }
    }

    await new Promise<void>((res, rej) => bulk!.refreshSlotsCache((e) => (e ? rej(e) : res())));
    const bad = await lostWrites(bulk!, w.acked);
    expect(bad.slice(0, 5)).toEqual([]);
    for (let i = 0; i < KEYS; i += 5000) {
      const values = await Promise.all(Array.from({ length: 5000 }, (_, j) => bulk!.get(`p:${i + j}`)));
      values.forEach((v, j) => v !== String(i + j) && bad.push(`p:${i + j}=${v}`));
    }
    expect(bad.slice(0, 5), `${bad.length} key(s) lost or wrong`).toEqual([]);
    console.log(
      `operator restart (${NODE}, ${KEYS} keys): load ${loadMs} ms, killed after ${killMs} ms at "${killedAt}", second run ${finishMs} ms, ${w.writes} writes, loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
    );
  }, 300_000);
});
