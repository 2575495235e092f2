// redis-cli --cluster end to end against our nodes: create, check, reshard, add-node, rebalance
// (with --cluster-use-empty-masters), del-node and fix, while cluster clients (ioredis and
// node-redis) keep reading and writing every slot. No client may see an error, and every key
// must hold its last acknowledged value afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { createCluster } from 'redis';
import { startClusterNode, cli, waitUntil, slotSignature } from '../cluster/cluster-helpers.js';
import type { ServerProcess } from '../helpers/processes.js';

const run = promisify(execFile);
const KEYS = 20_000;

async function cluster(...args: string[]): Promise<string> {
  try {
    const r = await run('redis-cli', ['--cluster', ...args, '--cluster-yes'], { timeout: 300_000, maxBuffer: 1 << 26 });
    return r.stdout;
  } catch (e) {
    const out = (e as { stdout?: string }).stdout ?? '';
    throw new Error(`redis-cli --cluster ${args.join(' ')} failed:\n${out.split('\n').slice(-25).join('\n')}`);
  }
}

/** The step redis-cli is running, recorded with every client error. */
let phase = 'setup';

/**
 * Where a key that read back wrong is, seen from every node at once (set in the test): a rare
 * failure in CI has to say which node answered and what each node believed.
 */
let diagnose: ((key: string) => Promise<string>) | null = null;
const diagnostics: string[] = [];

/** Writes and reads keys in a loop, remembering the last acknowledged value of each. */
class Load {
  errors: string[] = [];
  ops = 0;
  private stopped = false;
  readonly done: Promise<void>;
  constructor(
    readonly name: string,
    readonly last: Map<string, string>,
    private readonly set: (k: string, v: string) => Promise<unknown>,
    private readonly get: (k: string) => Promise<string | null>,
    prefix: string,
  ) {
    this.done = (async () => {
      let i = 0;
      while (!this.stopped) {
        const k = `${prefix}:${i % 3000}`;
        const v = `${i}`;
        try {
          await this.set(k, v);
          this.last.set(k, v);
          const got = await this.get(k);
          if (got !== v && this.errors.length < 50) {
            this.errors.push(`${phase}|read ${k}: ${got} != ${v}`);
            if (diagnose !== null && diagnostics.length < 5) diagnostics.push(await diagnose(k).catch((e: Error) => `diagnosis failed: ${e.message}`));
          }
        } catch (e) {
          if (this.errors.length < 50) this.errors.push(`${phase}|${this.name}: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        this.ops++;
        i++;
      }
    })();
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

describe('redis-cli --cluster against redshard nodes', () => {
  const nodes: ServerProcess[] = [];
  let io: Cluster;
  let nr: ReturnType<typeof createCluster>;
  const addr = (n: ServerProcess) => `${n.host}:${n.port}`;

  beforeAll(async () => {
    // A master that gives away its last slots turns replica. On a loaded machine its new master can
    // stall past the node timeout and get failed over to it, losing acknowledged writes that had
    // not reached the replica yet (asynchronous replication). That is not what this test checks.
    const args = ['--cluster-replica-no-failover', 'yes'];
    for (let i = 0; i < 5; i++) nodes.push(await startClusterNode(process.env.REDIS_CLI_TEST_KIND === 'redis' ? 'redis' : 'redshard', { args }));
  });
  afterAll(async () => {
    io?.disconnect();
    await nr?.close().catch(() => {});
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('create, load, then reshard/add-node/rebalance/del-node/fix under client load with zero errors', { timeout: 480_000 }, async () => {
    const created = await cluster('create', ...nodes.slice(0, 3).map(addr));
    expect(created).toContain('[OK] All 16384 slots covered.');
    await waitUntil('cluster ok everywhere', () => nodes.slice(0, 3).every((n) => /cluster_state:ok/.test(cli(n, 'cluster', 'info'))));

    io = new Cluster([{ host: nodes[0]!.host, port: nodes[0]!.port }], { redisOptions: { maxRetriesPerRequest: 20 } });
    for (let i = 0; i < KEYS; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, k) => io.set(`seed:${i + k}`, `v${i + k}`)));
    }
    nr = createCluster({ rootNodes: [{ url: `redis://${addr(nodes[1]!)}` }] });
    await nr.connect();

    diagnose = async (k) => {
      const slot = Number(cli(nodes[0]!, 'cluster', 'keyslot', k));
      const views = await Promise.all(
        nodes.slice(0, 4).map(async (n, i) => {
          const r = new Redis({ host: n.host, port: n.port, lazyConnect: true, maxRetriesPerRequest: 1 });
          try {
            const plain = await r.get(k).catch((e: Error) => e.message);
            await r.asking();
            const asking = await r.get(k).catch((e: Error) => e.message);
            const lines = String(await r.call('cluster', 'nodes')).split('\n');
            const me = lines.find((l) => l.includes('myself'))?.split(' ') ?? [];
            const owner = lines.find((l) => l.split(' ').slice(8).some((t) => !t.startsWith('[') && Number(t.split('-')[0]) <= slot && slot <= Number(t.split('-')[1] ?? t)))?.split(' ')[1];
            const marks = me.slice(8).filter((t) => t.startsWith(`[${slot}-`)).join(' ');
            // A failover (a master falsely failed on a loaded machine while node 1 was its replica)
            // loses its last acknowledged writes: roles, epochs and FAIL / election counters say
            // whether one happened.
            const info = String(await r.call('cluster', 'info'));
            const stat = (k: string) => new RegExp(`${k}:(\\d+)`).exec(info)?.[1] ?? '0';
            const bus = `current-epoch=${stat('cluster_current_epoch')} fail-rcvd=${stat('cluster_stats_messages_fail_received')} auth-req-rcvd=${stat('cluster_stats_messages_auth-req_received')}`;
            return `node${i} ${n.port} ${me[2]} master=${me[3]} epoch=${me[6]} ${bus} get=${plain} asking-get=${asking} keys-in-slot=${String(await r.call('cluster', 'countkeysinslot', slot))} owner=${owner} ${marks}`;
          } finally {
            r.disconnect();
          }
        }),
      );
      return `${k} slot ${slot} at ${new Date().toISOString()}: ${views.join(' | ')}`;
    };
    const last = new Map<string, string>();
    const loads = [
      new Load('ioredis', last, (k, v) => io.set(k, v), (k) => io.get(k), 'io'),
      new Load('node-redis', last, (k, v) => nr.set(k, v), (k) => nr.get(k), 'nr'),
    ];

    const [id0, id1] = [cli(nodes[0]!, 'cluster', 'myid'), cli(nodes[1]!, 'cluster', 'myid')];
    const progress = (step: string) => console.log(`${step}: ${loads.map((l) => `${l.name} ops=${l.ops} errors=${l.errors.length}`).join(', ')}`);
    phase = 'reshard';
    progress('before reshard');
    await cluster('reshard', addr(nodes[0]!), '--cluster-from', id0, '--cluster-to', id1, '--cluster-slots', '700');
    progress('after reshard');
    phase = 'add-node';
    await cluster('add-node', addr(nodes[3]!), addr(nodes[0]!));
    await waitUntil('node 4 known to all', () => nodes.slice(0, 4).every((n) => cli(n, 'cluster', 'nodes').split('\n').filter(Boolean).length === 4));
    await waitUntil('all four agree on slots', () => new Set(nodes.slice(0, 4).map(slotSignature)).size === 1);
    await waitUntil('the new node sees the cluster ok', () => /cluster_state:ok/.test(cli(nodes[3]!, 'cluster', 'info')), 30_000);
    phase = 'rebalance';
    const rebalanced = await cluster('rebalance', addr(nodes[0]!), '--cluster-use-empty-masters');
    expect(rebalanced).toMatch(/Moving|Rebalancing/);
    progress('after rebalance');
    expect(Number(/cluster_slots_assigned:(\d+)/.exec(cli(nodes[3]!, 'cluster', 'info'))![1])).toBe(16384);
    expect(cli(nodes[3]!, 'cluster', 'countkeysinslot', '0')).toMatch(/^\d+$/);
    // Empty node 1 again (weight 0), then remove it.
    phase = 'rebalance weight 0';
    await cluster('rebalance', addr(nodes[0]!), '--cluster-weight', `${id1}=0`);
    phase = 'del-node';
    await cluster('del-node', addr(nodes[0]!), id1);
    phase = 'check/fix';
    const check = await cluster('check', addr(nodes[0]!));
    expect(check).toContain('[OK] All nodes agree about slots configuration.');
    expect(check).toContain('[OK] All 16384 slots covered.');
    const fixed = await cluster('fix', addr(nodes[0]!));
    expect(fixed).toContain('[OK] All 16384 slots covered.');

    for (const l of loads) await l.stop();
    // Rebalances and reshards: no error at all. Both clients used to fail once in a while: a
    // master that gave its last slot away turned replica, and a node reading that before the
    // taker's claim left the slot unassigned ("CLUSTERDOWN Hash slot not served"; node-redis
    // threw "Cannot read properties of undefined (reading 'master')" on the hole in CLUSTER
    // SLOTS). Once del-node has reset node 1, node-redis may still route a slot that moved off
    // node 1 at the very end of the weight-0 rebalance (and that it has not touched since) to
    // node 1, which then knows no slot and replies "CLUSTERDOWN Hash slot not served", exactly
    // as a redis-server 7.0 node does after CLUSTER RESET; node-redis does not refresh its map
    // on that error (ioredis does). REDIS_CLI_TEST_KIND=redis runs this file on redis-server 7.0
    // nodes: node-redis got that same error after del-node in 2 of 3 runs. And when node-redis
    // refreshes its map from the node that answered (it starts with that node), node 1 after the
    // reset answers CLUSTER SLOTS with no slot at all (so does redis-server after CLUSTER RESET):
    // node-redis takes that empty map and throws "Cannot read properties of undefined (reading
    // 'master')" on every later command (seen once in 22 runs, at the check/fix step). Only these
    // two are tolerated, and only for node-redis after del-node.
    const errors = loads.flatMap((l) => l.errors);
    const resetNode = (e: string) => /^(del-node|check\/fix)\|node-redis: (CLUSTERDOWN Hash slot not served|Cannot read properties of undefined \(reading 'master'\))$/.test(e);
    if (errors.length > 0) console.warn(`client errors: ${errors.join("; ")}`);
    if (diagnostics.length > 0) {
      console.warn(`wrong reads seen from every node:\n${diagnostics.join('\n')}`);
      const missing: string[] = [];
      for (let j = 0; j < KEYS; j += 500) {
        const got = await Promise.all(Array.from({ length: 500 }, (_, x) => io.get(`seed:${j + x}`)));
        got.forEach((g, x) => g !== `v${j + x}` && missing.push(`seed:${j + x}`));
      }
      console.warn(`seed keys missing: ${missing.length} ${missing.slice(0, 20).join(' ')}`);
      for (const [i, n] of nodes.entries()) console.warn(`node${i} ${n.port} log (warn and above):\n${n.output().split('\n').filter((l) => /"level":(4|5|6)0/.test(l)).slice(-40).join('\n')}`);
    }
    expect(errors.filter((e) => !resetNode(e))).toEqual([]);
    expect(loads.every((l) => l.ops > 50)).toBe(true);

    const remaining = [nodes[0]!, nodes[2]!, nodes[3]!];
    await waitUntil('remaining nodes agree', () => new Set(remaining.map(slotSignature)).size === 1);
    for (let j = 0; j < KEYS; j += 97) expect(await io.get(`seed:${j}`)).toBe(`v${j}`);
    for (const [k, v] of last) expect(await io.get(k)).toBe(v);
  });
});
