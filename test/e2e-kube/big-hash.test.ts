// A shard holding one 1,000,000-field hash gives that key's slot to a new shard (2 -> 3 shards, so
// three masters vote and a master that stopped answering for a node timeout would really be
// failed over). The move must complete with every field intact and every original master still
// master: no failover. Nodes are redshard-node unless REDSHARD_E2E_IMAGE says otherwise.
import { expect, test } from 'vitest';
import { loadavg } from 'node:os';
import { Cluster } from 'ioredis';
import { keySlot } from '../../common/slots.js';
import { type Status } from '../../operator/api/v1alpha1.js';
import { useKubeEnvironment } from './environment.js';
import { isReady } from './resources.js';
import { until } from '../helpers/until.js';

const IMAGE = process.env.REDSHARD_E2E_IMAGE ?? 'redshard:dev';
const FIELDS = 1_000_000;
const NS = 'default';
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

const env = useKubeEnvironment({ crd: 'generated', operator: { identity: 'e2e-big-hash', leaseNamespace: 'default' } });

/** Whether a status slot list ("0-5460 5462") contains the slot. */
function owns(slots: string, slot: number): boolean {
  return slots.split(' ').filter(Boolean).some((r) => {
    const [a, b] = r.split('-').map(Number);
    return slot >= a! && slot <= (b ?? a!);
  });
}

/** A key in a slot the 2 -> 3 rebalance moves first: shard 0 (0-8191) keeps 0-5461 and gives its
 * highest slots away. */
function keyInMovingSlot(): string {
  for (let i = 0; ; i++) {
    const key = `{big${i}}:hash`;
    const slot = keySlot(key);
    if (slot >= 5600 && slot < 5700) return key;
  }
}

test(`a ${FIELDS.toLocaleString('en')}-field hash moves to a new shard without a failover (image ${IMAGE})`, async () => {
  const { core } = env;
  const clusters = env.clusters(NS);
  const status = () => clusters.status('big');
  const ready = (s: Status | undefined, shards: number): s is Status => isReady(s) && s.shards?.length === shards;

  await clusters.create('big', { shards: 2, replicasPerShard: 1, image: IMAGE, nodeTimeoutMs: 2000 });
  const before = await until('2x1 Ready', async () => { const s = await status(); return ready(s, 2) ? s : undefined; }, 120_000, 250);
  const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=big' })).items;
  const client = new Cluster(pods.map((p) => ({ host: p.status!.podIP!, port: 6379 })), { redisOptions: { connectTimeout: 2000 } });
  try {
    const key = keyInMovingSlot();
    let t0 = Date.now();
    const chunk = 1000;
    for (let i = 0; i < FIELDS; i += chunk * 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => {
        const args: string[] = [];
        for (let f = i + j * chunk; f < Math.min(FIELDS, i + (j + 1) * chunk); f++) args.push(`f${f}`, `v${f}`);
        return args.length ? client.hset(key, ...args) : Promise.resolve(0);
      }));
    }
    expect(await client.hlen(key)).toBe(FIELDS);
    console.log(`loaded ${FIELDS} fields into ${key} (slot ${keySlot(key)}) in ${Date.now() - t0} ms`);
    const mastersBefore = new Map(before.shards!.map((s) => [s.index, s.master!.id]));
    const ownerBefore = before.shards!.find((s) => owns(s.slots, keySlot(key)))!;

    t0 = Date.now();
    const gen = await clusters.patchSpec('big', { shards: 3 });
    const after = await until('Ready with 3 shards', async () => {
      const s = await status();
      return s?.observedGeneration === gen && ready(s, 3) && !s.operation ? s : undefined;
    }, 600_000, 500);
    console.log(`2 -> 3 shards with the ${FIELDS}-field hash: Ready in ${Date.now() - t0} ms, loadavg ${load()}`);

    // The slot moved, and no original master lost its role (a failover would have promoted a replica).
    const ownerAfter = after.shards!.find((s) => owns(s.slots, keySlot(key)))!;
    expect(ownerAfter.master!.id).not.toBe(ownerBefore.master!.id);
    expect(ownerAfter.index).toBe(2);
    for (const [index, id] of mastersBefore) expect(after.shards!.find((s) => s.index === index)?.master?.id).toBe(id);
    expect(await client.hlen(key)).toBe(FIELDS);
    expect(await client.hget(key, 'f0')).toBe('v0');
    expect(await client.hget(key, `f${FIELDS - 1}`)).toBe(`v${FIELDS - 1}`);
  } finally {
    client.disconnect();
  }
});
