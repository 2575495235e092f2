// Rolling update on a real control plane: a 3x1 cluster of our node under continuous ioredis
// writes gets a new image tag (mapped to the same node program by the test kubelet) and a new config
// passthrough value. The operator deletes one pod at a time (OnDelete StatefulSets recreate it from
// the new template): the three replicas first, then per shard a manual failover to its updated
// replica and the old master's pod. Checked from outside: every pod replaced, events in that
// order, never more than one shard with a member down at a time, zero client errors, every
// acknowledged write readable, progress in status, Ready at the end with the new config.
import { afterAll, expect, test } from 'vitest';
import { loadavg as osLoadavg } from 'node:os';
import { type CoreV1Event } from '@kubernetes/client-node';
import { Cluster, Redis } from 'ioredis';
import { type Status } from '../../operator/api/v1alpha1.js';
import { useKubeEnvironment } from './environment.js';
import { isReady } from './resources.js';
import { until } from '../helpers/until.js';
import { Writer } from '../helpers/cluster-writer.js';

const NS = 'roll';
const NAME = 'rolling';
const loadavg = () => osLoadavg().map((x) => x.toFixed(2)).join(' ');

const env = useKubeEnvironment({
  crd: 'generated', namespace: NS,
  operator: { identity: 'e2e-roll', leaseNamespace: 'redshard-system', serviceAccount: true },
});
let client: Cluster | undefined;

afterAll(() => {
  client?.disconnect();
});

const clusters = env.clusters(NS);
const readStatus = () => clusters.status(NAME);
const ready = (s: Status | undefined) => isReady(s) && s.readyMembers === '6/6';

const listPods = async () => (await env.core.listNamespacedPod({ namespace: NS, labelSelector: `redshard.io/cluster=${NAME}` })).items;

test('image and config change under writes: one pod at a time, replicas first, masters after a failover, nothing lost', async () => {
  await clusters.create(NAME, { shards: 3, replicasPerShard: 1, image: 'redshard:dev', nodeTimeoutMs: 2000 });
  const before = await until('Ready', async () => {
    const status = await readStatus();
    return ready(status) ? status : undefined;
  }, 200_000, 250);
  const masters = before!.shards!.map((s) => s.master!.name);
  const pods0 = await listPods();
  expect(pods0).toHaveLength(6);
  const oldUids = new Map(pods0.map((p) => [p.metadata!.name!, p.metadata!.uid!]));
  client = new Cluster(pods0.slice(0, 2).map((p) => ({ host: p.status!.podIP!, port: 6379 })), {
    scaleReads: 'master',
    redisOptions: { connectTimeout: 2000, maxRetriesPerRequest: 20 },
  });
  for (let i = 0; i < 200; i++) await client.set(`key:${i}`, `value:${i}`);
  const w = new Writer(client, 2000);
  w.start();
  await new Promise((r) => setTimeout(r, 300));

  // Sampled while the roll runs: what status reports, and which shards have a member down.
  const phases = new Set<string>();
  const operations = new Set<string>();
  const progress = new Set<string>();
  let maxShardsDown = 0;
  const downSeen: string[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const [status, pods] = await Promise.all([readStatus(), listPods()]);
        if (status?.phase) phases.add(status.phase);
        if (status?.operation) operations.add(status.operation.type);
        if (status?.operation?.type === 'RollingUpdate') progress.add(`${status.operation.membersUpdated}/${status.operation.membersTotal}`);
        const down = new Set<string>();
        for (const p of pods) {
          const up = !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          if (!up) down.add(p.metadata!.labels!['redshard.io/shard']!);
        }
        // A pod not recreated yet is down too.
        for (const shard of ['0', '1', '2']) if (pods.filter((p) => p.metadata!.labels!['redshard.io/shard'] === shard).length < 2) down.add(shard);
        if (down.size > 0) downSeen.push([...down].sort().join(','));
        maxShardsDown = Math.max(maxShardsDown, down.size);
      } catch {
        /* a failed poll is not a finding */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const t0 = Date.now();
  const generation = await clusters.patchSpec(NAME, { image: 'redshard:dev-next', config: { hz: '20' } });
  const after = await until('rolled and Ready', async () => {
    const status = await readStatus();
    if (status?.observedGeneration !== generation || !ready(status) || status.phase !== 'Ready') return undefined;
    const pods = await listPods();
    const replaced = pods.length === 6 && pods.every((p) => p.metadata!.uid !== oldUids.get(p.metadata!.name!) && p.spec!.containers[0]!.image === 'redshard:dev-next');
    return replaced ? status : undefined;
  }, 240_000, 250);
  const ms = Date.now() - t0;
  sampling = false;
  await sampler;
  await w.stop();
  console.log(`rolling update of 6 pods under writes: Ready in ${ms} ms, ${w.writes} writes acknowledged, ${w.errors.length} errors, progress ${[...progress].join(' ')}, phases ${[...phases].join(' ')}, operations ${[...operations].join(' ')}, loadavg ${loadavg()}`);

  await w.expectNothingLost(200);
  for (let i = 0; i < 200; i++) expect(await client.get(`key:${i}`)).toBe(`value:${i}`);
  expect(after.shards!.map((s) => s.replicas.length)).toEqual([1, 1, 1]);

  // Status told what was going on.
  // Between the restarts the new pod rejoins as a new node (no storage): that is reported as part
  // of the update too, never as a repair or a bootstrap.
  expect([...phases].sort()).toEqual(['Ready', 'Updating']);
  expect([...operations]).toEqual(['RollingUpdate']);
  expect([...progress].some((p) => /^[1-5]\/6$/.test(p)), [...progress].join(' ')).toBe(true);
  // Never two shards with a member down at once.
  expect(maxShardsDown, downSeen.join(' ')).toBe(1);

  // The steps in the order they were recorded (an Event's resourceVersion comes from etcd's
  // revision, which grows with every write; timestamps only have whole seconds).
  const events = (await env.core.listNamespacedEvent({ namespace: NS })).items
    .filter((e: CoreV1Event) => e.reason === 'RollingRestart' || e.reason === 'RollingFailover')
    .sort((a, b) => Number(a.metadata!.resourceVersion) - Number(b.metadata!.resourceVersion));
  const text = events.map((e) => `${e.reason}: ${e.message}`).join('\n');
  const restarted = events.filter((e) => e.reason === 'RollingRestart').map((e) => /^restarted replica (\S+) /.exec(e.message!)?.[1]);
  // Every restart was of a replica (old masters had been failed over first), each pod once.
  expect(restarted.every((n) => n !== undefined), text).toBe(true);
  expect(new Set(restarted).size, text).toBe(6);
  expect(restarted.length, text).toBe(6);
  expect(events.slice(0, 3).map((e) => e.reason), text).toEqual(['RollingRestart', 'RollingRestart', 'RollingRestart']);
  for (const m of masters) expect(restarted.slice(0, 3), text).not.toContain(m);
  for (const m of masters) {
    const failover = events.findIndex((e) => e.reason === 'RollingFailover' && new RegExp(` took over from ${m} `).test(e.message!));
    const restart = events.findIndex((e) => e.reason === 'RollingRestart' && e.message!.startsWith(`restarted replica ${m} `));
    expect(failover, text).toBeGreaterThanOrEqual(3);
    expect(restart, text).toBeGreaterThan(failover);
  }

  // Every node runs the new config.
  for (const p of await listPods()) {
    const r = new Redis({ host: p.status!.podIP!, port: 6379, lazyConnect: true });
    await r.connect();
    expect(await r.config('GET', 'hz')).toEqual(['hz', '20']);
    r.disconnect();
  }
}, 300_000);

test('with storage: a config change rolls every pod and each member keeps its node ID', async () => {
  const name = 'durable';
  const pods = async () => (await env.core.listNamespacedPod({ namespace: NS, labelSelector: `redshard.io/cluster=${name}` })).items;
  const ids = (s: Status) => new Map((s.shards ?? []).flatMap((sh) => [sh.master!, ...sh.replicas]).map((m) => [m.name, m.id]));
  await clusters.create(name, { shards: 2, replicasPerShard: 1, image: 'redshard:dev', nodeTimeoutMs: 2000, storage: { size: '1Gi' } });
  const before = await until('durable Ready', async () => {
    const status = await clusters.status(name);
    return isReady(status) && status.readyMembers === '4/4' ? status : undefined;
  }, 200_000, 250);
  const oldUids = new Map((await pods()).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
  const c = new Cluster([{ host: (await pods())[0]!.status!.podIP!, port: 6379 }], { scaleReads: 'master', redisOptions: { connectTimeout: 2000, maxRetriesPerRequest: 20 } });
  try {
    const w = new Writer(c, 1000);
    w.start();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const generation = await clusters.patchSpec(name, { config: { hz: '15' } });
    const after = await until('durable rolled and Ready', async () => {
      const status = await clusters.status(name);
      if (status?.observedGeneration !== generation || status.phase !== 'Ready' || status.readyMembers !== '4/4') return undefined;
      const ps = await pods();
      return ps.length === 4 && ps.every((p) => p.metadata!.uid !== oldUids.get(p.metadata!.name!)) ? status : undefined;
    }, 200_000, 250);
    const ms = Date.now() - t0;
    await w.stop();
    console.log(`rolling update of 4 pods with storage under writes: Ready in ${ms} ms, ${w.writes} writes, ${w.errors.length} errors, loadavg ${loadavg()}`);
    await w.expectNothingLost();
    // Same node IDs: nodes.conf on each PVC survived the pod's recreation.
    expect(ids(after)).toEqual(ids(before));
    for (const p of await pods()) {
      const r = new Redis({ host: p.status!.podIP!, port: 6379, lazyConnect: true });
      await r.connect();
      expect(await r.config('GET', 'hz')).toEqual(['hz', '15']);
      r.disconnect();
    }
  } finally {
    c.disconnect();
  }
}, 300_000);
