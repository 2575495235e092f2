// A 3-master + 3-replica cluster built by `redis-cli --cluster create --cluster-replicas 1`, and a
// writer that keeps writing one shard's keys through an ioredis Cluster client, recording which
// writes were acknowledged and when writes to that shard stopped and resumed.
import { execFileSync } from 'node:child_process';
import { Cluster } from 'ioredis';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, nodesView, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';

export interface Layout {
  nodes: ServerProcess[];
  /** master port -> its replica's process */
  replicaOf: Map<ServerProcess, ServerProcess>;
}

export async function startSixNodeCluster(kind: 'redshard' | 'redis', nodeTimeout: number): Promise<Layout> {
  const nodes: ServerProcess[] = [];
  try {
    for (let i = 0; i < 6; i++) nodes.push(await startClusterNode(kind, { args: ['--cluster-node-timeout', String(nodeTimeout), '--appendonly', 'yes', '--appendfsync', 'always'] }));
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'latin1', timeout: 60_000 });
    await waitUntil('cluster ok with replicas linked', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')) && replicasLinked(nodes), 30_000);
    return { nodes, replicaOf: pairs(nodes) };
  } catch (e) {
    // The caller never gets the layout to stop: stop what was started here.
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    throw e;
  }
}

function replicasLinked(nodes: readonly ServerProcess[]): boolean {
  const view = nodesView(nodes[0]!);
  if (view.filter((l) => l.flags.includes('slave')).length !== 3) return false;
  return nodes.every((n) => {
    const info = cli(n, 'info', 'replication');
    return info.includes('role:master') || info.includes('master_link_status:up');
  });
}

function pairs(nodes: readonly ServerProcess[]): Map<ServerProcess, ServerProcess> {
  const byId = new Map(nodes.map((n) => [cli(n, 'cluster', 'myid'), n]));
  const out = new Map<ServerProcess, ServerProcess>();
  for (const l of nodesView(nodes[0]!)) if (l.flags.includes('slave') && l.masterId) out.set(byId.get(l.masterId)!, byId.get(l.id)!);
  return out;
}

export function ownsSlot(p: ServerProcess, slot: number): boolean {
  const me = nodesView(p).find((l) => l.flags.includes('myself'))!;
  return me.flags.includes('master') && me.slots.some((r) => r.start <= slot && slot <= r.end);
}

/** A hash tag whose slot the given master serves. */
export function tagServedBy(master: ServerProcess): { tag: string; slot: number } {
  for (let i = 0; ; i++) {
    const tag = `t${i}`;
    const slot = Number(cli(master, 'cluster', 'keyslot', tag));
    if (ownsSlot(master, slot)) return { tag, slot };
  }
}

export function clusterClient(seed: ServerProcess): Cluster {
  return new Cluster([{ host: '127.0.0.1', port: seed.port }], {
    // Fail fast and refresh the map: we measure the cluster, not the client's back-off.
    clusterRetryStrategy: () => 50,
    retryDelayOnFailover: 50,
    retryDelayOnClusterDown: 50,
    retryDelayOnTryAgain: 50,
    maxRedirections: 6,
    slotsRefreshTimeout: 500,
    redisOptions: { connectTimeout: 300, commandTimeout: 500, maxRetriesPerRequest: 0 },
  });
}

export class Writer {
  readonly acked: number[] = [];
  failures = 0;
  unreplicated = 0;
  lastError = '';
  private running = true;
  private done: Promise<void>;
  private okAfter: { at: number; resolve: (t: number) => void } | null = null;

  constructor(
    private readonly client: Cluster,
    private readonly tag: string,
    private readonly withWait: boolean,
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    for (let i = 0; this.running; i++) {
      const key = `{${this.tag}}:${i}`;
      const started = performance.now();
      try {
        if (this.withWait) {
          // SET and WAIT go to the same node in one pipeline (the pipeline follows the key's slot).
          const res = await this.client.pipeline().set(key, String(i)).call('wait', '1', '200').exec();
          const [setRes, waitRes] = res ?? [];
          if (setRes?.[0] || waitRes?.[0]) {
            // ioredis retries a pipeline on MOVED only when every command got it; WAIT has no key.
            if (/^MOVED /.test(String(setRes?.[0]?.message))) this.client.refreshSlotsCache();
            throw setRes?.[0] ?? waitRes?.[0];
          }
          // A promoted replica has no replica of its own until the old master rejoins: its writes
          // succeed (and end the outage) but are not acknowledged by a replica.
          if (Number(waitRes?.[1]) >= 1) this.acked.push(i);
          else this.unreplicated++;
        } else {
          await this.client.set(key, String(i));
          this.acked.push(i);
        }
        if (this.okAfter && started > this.okAfter.at) {
          this.okAfter.resolve(performance.now());
          this.okAfter = null;
        }
      } catch (e) {
        this.failures++;
        this.lastError = String(e);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  /** Resolves with the completion time of the first acknowledged write that was sent after `t`. */
  firstOkAfter(t: number): Promise<number> {
    return new Promise((resolve) => (this.okAfter = { at: t, resolve }));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  /** Acknowledged keys the cluster no longer has (read on the given node, which owns the slot). */
  lost(node: ServerProcess): number[] {
    const missing: number[] = [];
    for (let off = 0; off < this.acked.length; off += 500) {
      const batch = this.acked.slice(off, off + 500);
      const vals = execFileSync('redis-cli', ['-p', String(node.port), 'mget', ...batch.map((i) => `{${this.tag}}:${i}`)], { encoding: 'latin1' }).split('\n');
      batch.forEach((i, j) => {
        if (vals[j] !== String(i)) missing.push(i);
      });
    }
    return missing;
  }
}

/** SIGKILL a master under load; returns ms until a write to its slot succeeds again, and the winner. */
export async function killAndMeasure(layout: Layout, master: ServerProcess, writer: Writer, slot: number): Promise<{ ms: number; winner: ServerProcess }> {
  const t0 = performance.now();
  await master.stop('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  const tOk = await Promise.race([
    writer.firstOkAfter(t0),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`writes never resumed: ${writer.failures} failures, last ${writer.lastError}`)), 30_000))),
  ]).finally(() => clearTimeout(timer));
  const winner = layout.replicaOf.get(master)!;
  await waitUntil('replica promoted', () => ownsSlot(winner, slot), 30_000);
  return { ms: tOk - t0, winner };
}
