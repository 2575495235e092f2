// `redis-cli --cluster rebalance --cluster-use-empty-masters` of a loaded cluster onto an added
// empty master while an ioredis Cluster client and a node-redis cluster client read and write
// keys on all slots: no client error, and afterwards every key holds its last written value
// (the client keys and a sample of the bulk keys).
// REBALANCE_TEST_KEYS sets the bulk (default 100,000, loaded with redis-cli --pipe per owner);
// 1,000,000 works too but the classic per-slot protocol then needs minutes (see bench/rebalance.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { keySlot } from '../../common/slots.js';
import { startClusterNode, cli, waitUntil, slotSignature } from '../cluster/cluster-helpers.js';
import type { ServerProcess } from '../helpers/processes.js';
import { slotOwnerPorts } from '../helpers/slot-owners.js';

const run = promisify(execFile);
const KEYS = Number(process.env.REBALANCE_TEST_KEYS ?? 100_000);

/** Slot -> client port of its owner, from one node's CLUSTER NODES. */
const owners = (p: ServerProcess): Int32Array => slotOwnerPorts(cli(p, 'cluster', 'nodes'));

function pipe(port: number, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --pipe: ${code} ${err}`))));
    c.stdin.end(body);
  });
}

/** Writes then reads back keys in a loop, remembering each key's last acknowledged value. */
function load(name: string, set: (k: string, v: string) => Promise<unknown>, get: (k: string) => Promise<string | null>) {
  const errors: string[] = [];
  const last = new Map<string, string>();
  let ops = 0;
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const k = `${name}:${i % 4000}`;
      const v = String(i);
      try {
        await set(k, v);
        last.set(k, v);
        const got = await get(k);
        if (got !== v && errors.length < 50) errors.push(`read ${k}: ${got} != ${v}`);
      } catch (e) {
        if (errors.length < 50) errors.push(`${name}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      ops++;
    }
  })();
  return {
    errors,
    last,
    ops: () => ops,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

describe('redis-cli --cluster rebalance of a loaded cluster under client load', () => {
  const nodes: ServerProcess[] = [];
  let io: Cluster | undefined;
  let nr: { close(): Promise<unknown> } | undefined;
  const addr = (n: ServerProcess) => `${n.host}:${n.port}`;

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) nodes.push(await startClusterNode('redshard'));
  });
  afterAll(async () => {
    io?.disconnect();
    await nr?.close().catch(() => {});
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
  });

  it(`moves a quarter of ${KEYS} keys onto an empty master with zero client errors`, { timeout: 600_000 }, async () => {
    await run('redis-cli', ['--cluster', 'create', ...nodes.slice(0, 3).map(addr), '--cluster-yes'], { timeout: 60_000 });
    await waitUntil('cluster ok', () => nodes.slice(0, 3).every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')));
    const own = owners(nodes[0]!);
    const parts = new Map<number, string[]>();
    for (let i = 0; i < KEYS; i++) {
      const k = `bulk:${i}`;
      const v = `v${i}`;
      const p = own[keySlot(k)]!;
      if (!parts.has(p)) parts.set(p, []);
      parts.get(p)!.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
    }
    await Promise.all([...parts].map(([port, cmds]) => pipe(port, cmds.join(''))));
    expect(nodes.slice(0, 3).reduce((s, n) => s + Number(cli(n, 'dbsize')), 0)).toBe(KEYS);

    await run('redis-cli', ['--cluster', 'add-node', addr(nodes[3]!), addr(nodes[0]!), '--cluster-yes'], { timeout: 60_000 });
    await waitUntil('the new master known and ok everywhere', () =>
      nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_known_nodes:4') && cli(n, 'cluster', 'info').includes('cluster_state:ok')),
      60_000,
    );
    await waitUntil('all four agree on slots', () => new Set(nodes.map(slotSignature)).size === 1, 60_000);

    io = new Cluster([{ host: nodes[0]!.host, port: nodes[0]!.port }]);
    const nrc = createCluster({ rootNodes: [{ url: `redis://${addr(nodes[1]!)}` }] });
    nr = nrc;
    await nrc.connect();
    const loads = [load('io', (k, v) => io!.set(k, v), (k) => io!.get(k)), load('nr', (k, v) => nrc.set(k, v), (k) => nrc.get(k))];
    await new Promise((r) => setTimeout(r, 300));

    const t0 = performance.now();
    const { stdout } = await run('redis-cli', ['--cluster', 'rebalance', addr(nodes[0]!), '--cluster-use-empty-masters', '--cluster-yes'], { timeout: 540_000, maxBuffer: 1 << 26 });
    const ms = performance.now() - t0;
    for (const l of loads) await l.stop();
    expect(stdout).toMatch(/Moving \d+ slots/);

    await waitUntil('all four agree after the rebalance', () => new Set(nodes.map(slotSignature)).size === 1, 60_000);
    const moved = Number(cli(nodes[3]!, 'dbsize'));
    console.log(`rebalance moved ${moved} keys in ${Math.round(ms)} ms (${Math.round((moved * 1000) / ms)} keys/s); client ops: ${loads.map((l) => l.ops()).join(', ')}`);
    expect(moved).toBeGreaterThan(KEYS / 5);
    expect(loads.flatMap((l) => l.errors)).toEqual([]);
    expect(loads.every((l) => l.ops() > 100)).toBe(true);

    const wrong: string[] = [];
    for (const l of loads) for (const [k, v] of l.last) if ((await io.get(k)) !== v) wrong.push(k);
    for (let i = 0; i < KEYS; i += 101) if ((await io.get(`bulk:${i}`)) !== `v${i}`) wrong.push(`bulk:${i}`);
    expect(wrong).toEqual([]);
    const total = nodes.reduce((s, n) => s + Number(cli(n, 'dbsize')), 0);
    expect(total).toBe(KEYS + loads.reduce((s, l) => s + l.last.size, 0));
  });
});
