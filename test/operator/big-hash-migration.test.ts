// A shard holding a 1,000,000-field hash moves it during a scale-out 3 -> 4 (local mode, our
// nodes, atomic IMPORT-SLOTS with values sent and applied in slices) without triggering a
// failover: every original master is still master afterwards, and the hash arrives whole. The
// worst PING latency seen on the source and target masters meanwhile is the client-visible pause.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { keySlot } from '../../common/slots.js';
import { readState } from '../../operator/platform/local/state.js';
import { type StatusJson, useLocalRun } from './local-cluster.js';

const FIELDS = 1_000_000;

/** Pings a node continuously; the longest round trip seen is its worst pause. */
class Prober {
  worst = 0;
  private stopped = false;
  private done: Promise<void>;
  constructor(private readonly r: Redis) {
    this.done = (async () => {
      while (!this.stopped) {
        const t = performance.now();
        await this.r.ping();
        this.worst = Math.max(this.worst, performance.now() - t);
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
  }
  async stop(): Promise<number> {
    this.stopped = true;
    await this.done;
    this.r.disconnect();
    return this.worst;
  }
}

describe('local mode: a 1,000,000-field hash migrates without a failover', () => {
  const run = useLocalRun('bighash', 180 + (process.pid % 60));
  let client: Cluster | null = null;

  it('scale 3 -> 4 moves the hash whole; no master changes', async () => {
    const up = await run.up('redshard-node', ['--node-timeout-ms', '3000', '--timeout', '90']);
    expect(up.code, up.stderr).toBe(0);
    // The highest slot: shard 2 gives its highest slots to the new shard.
    let tag = 0;
    while (keySlot(`{b${tag}}`) !== 16383) tag++;
    const key = `{b${tag}}:hash`;
    client = run.client();
    for (let i = 0; i < FIELDS; i += 10_000) {
      const args: string[] = [];
      for (let f = i; f < i + 10_000; f++) args.push(`f${f}`, `v${f}`);
      await client.hset(key, ...args);
    }
    expect(await client.hlen(key)).toBe(FIELDS);
    const before = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    const source = before.status.shards[2]!.master!.address!;
    await client.call('WAIT', '1', '10000');

    const probes = before.status.shards.map((s) => {
      const [h, p] = s.master!.address!.split(':') as [string, string];
      return { address: s.master!.address!, prober: new Prober(new Redis({ host: h, port: Number(p) })) };
    });
    // The new shard's master (the target) is probed as soon as it listens.
    let watching = true;
    const targetProbe = (async () => {
      while (watching) {
        const m = Object.values(readState(run.dir)?.members ?? {}).find((x) => x.shard === 3 && x.ordinal === 0);
        if (m) {
          const r = new Redis({ host: m.host, port: m.port, retryStrategy: () => 50, maxRetriesPerRequest: null });
          r.on('error', () => undefined); // refused until the process listens
          await r.ping();
          probes.push({ address: `${m.host}:${m.port}`, prober: new Prober(r) });
          return;
        }
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const t0 = Date.now();
    const r = await run.cli(['scale', '--shards', '4', '--timeout', '170']);
    const scaleMs = Date.now() - t0;
    watching = false;
    await targetProbe;
    const worst = await Promise.all(probes.map(async (x) => ({ address: x.address, ms: await x.prober.stop() })));
    expect(r.code, r.stderr).toBe(0);

    const after = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusJson;
    // No failover: the three original masters are still the masters of their shards.
    expect(after.status.shards.slice(0, 3).map((s) => s.master!.address)).toEqual(before.status.shards.map((s) => s.master!.address));
    expect(after.status.shards[3]!.slots).toContain('16383');
    const events = readFileSync(join(run.dir, '.redshard', 'events.log'), 'utf8');
    expect(events).not.toMatch(/Failover|AwaitingFailover|NodesFailing/);
    expect(await client.hlen(key)).toBe(FIELDS);
    expect(await client.hget(key, 'f999999')).toBe('v999999');
    const [th, tp] = after.status.shards[3]!.master!.address!.split(':') as [string, string];
    const target = new Redis({ host: th, port: Number(tp) });
    expect(await target.hlen(key)).toBe(FIELDS);
    target.disconnect();
    const load = readFileSync('/proc/loadavg', 'utf8').trim();
    console.log(`1M-field hash scale 3->4: ${scaleMs} ms; worst PING per master: ${worst.map((w) => `${w.address}${w.address === source ? ' (source)' : w.address === after.status.shards[3]!.master!.address ? ' (target)' : ''} ${w.ms.toFixed(0)} ms`).join(', ')}; loadavg ${load}`);
  }, 200_000);
});
