// The operator end to end on a real control plane: CRD applied, the operator (kube mode, leader
// election on) reconciling, the test kubelet running each member as a local process on its own
// loopback address. Nodes run our own redshard-node by default (any image that is not an official
// redis one maps to it); REDSHARD_E2E_IMAGE=redis:7.0 runs Debian's redis-server for every scenario,
// and one scenario always runs on redis-server as well. Traffic only ever goes to pod addresses (127.0.x.y), never to
// Service IPs, which route nowhere here.
import { afterAll, describe, expect, test } from 'vitest';
import { loadavg as osLoadavg } from 'node:os';
import { AppsV1Api, PolicyV1Api } from '@kubernetes/client-node';
import { Cluster } from 'ioredis';
import { useKubeEnvironment } from './environment.js';
import { condition } from './resources.js';
import { until } from '../helpers/until.js';
import { Writer } from '../helpers/cluster-writer.js';
import { redisCli } from '../helpers/processes.js';

const IMAGE = process.env.REDSHARD_E2E_IMAGE ?? 'redshard:dev';
const REDIS_IMAGE = 'redis:7.0';
const loadavg = () => osLoadavg().map((x) => x.toFixed(2)).join(' ');

const NS = 'e2e';

// REDSHARD_E2E_KUBECONFIG points the suite at an existing cluster (kind in CI) where the operator
// was installed from the chart; pod addresses must then be routable from the test runner.
const EXTERNAL = process.env.REDSHARD_E2E_KUBECONFIG;
const POD_ADDRESS = EXTERNAL ? /^\d+\.\d+\.\d+\.\d+$/ : /^127\.0\.\d+\.\d+$/;

// The operator runs as a ServiceAccount bound to exactly the rules the chart grants.
const env = useKubeEnvironment({
  external: EXTERNAL, crd: 'generated', namespace: NS,
  operator: { identity: 'e2e-operator', leaseNamespace: 'redshard-system', serviceAccount: true },
});
let client: Cluster | undefined;

afterAll(() => {
  client?.disconnect();
});

const clusters = env.clusters(NS);
const { status, create } = clusters;

describe(`RedisShardCluster on a real control plane (image ${IMAGE})`, () => {
  /** Creates a 3x1 cluster, waits for Ready and returns an ioredis Cluster client that used it. */
  const basic = async (name: string, image: string): Promise<Cluster> => {
    const t0 = Date.now();
    await create(name, { shards: 3, replicasPerShard: 1, image, nodeTimeoutMs: 2000 });
    const s = await until(`${name} Ready`, async () => {
      const st = await status(name);
      return condition(st, 'Ready')?.status === 'True' && st?.slotsAssigned === 16384 ? st : undefined;
    }, 200_000, 250);
    console.log(`3x1 (${image}) Ready in ${Date.now() - t0} ms, loadavg ${loadavg()}`);
    expect(s.shards).toHaveLength(3);
    for (const shard of s.shards ?? []) expect(shard.replicas).toHaveLength(1);

    const pods = (await env.core.listNamespacedPod({ namespace: NS, labelSelector: `redshard.io/cluster=${name}` })).items;
    expect(pods).toHaveLength(6);
    for (const p of pods) expect(p.spec?.containers[0]?.image).toBe(image);
    const addresses = pods.map((p) => p.status!.podIP!);
    for (const a of addresses) expect(a).toMatch(POD_ADDRESS);
    const c = new Cluster(addresses.slice(0, 2).map((host) => ({ host, port: 6379 })), {
      // Only pod addresses, which the nodes announce themselves: nothing is sent to Service IPs.
      enableReadyCheck: true,
      redisOptions: { connectTimeout: 2000 },
    });
    for (let i = 0; i < 200; i++) await c.set(`key:${i}`, `value:${i}`);
    for (let i = 0; i < 200; i++) expect(await c.get(`key:${i}`)).toBe(`value:${i}`);
    const nodes = c.nodes('master').map((n) => n.options.host);
    expect(nodes).toHaveLength(3);
    for (const h of nodes) expect(addresses).toContain(h);
    return c;
  };

  test('3x1 becomes Ready with 16384 slots and serves an ioredis Cluster client', async () => {
    client = await basic('demo', IMAGE);
  });

  const scale = async (shards: number) => {
    const w = new Writer(client!, 2000);
    w.start();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const generation = await clusters.patchSpec('demo', { shards });
    const s = await until(`Ready with ${shards} shards`, async () => {
      const st = await status('demo');
      return st?.observedGeneration === generation && condition(st, 'Ready')?.status === 'True' && st.slotsAssigned === 16384 && st.shards?.length === shards ? st : undefined;
    }, 180_000, 250);
    const ms = Date.now() - t0;
    await w.stop();
    console.log(`scale to ${shards} shards under writes: Ready in ${ms} ms, ${w.writes} writes acknowledged, ${w.errors.length} errors, loadavg ${loadavg()}`);
    await w.expectNothingLost(200);
    for (let i = 0; i < 200; i++) expect(await client!.get(`key:${i}`)).toBe(`value:${i}`);
    return s;
  };

  test('shards 3 -> 4 under continuous writes: rebalanced, zero errors, no acknowledged write lost', async () => {
    const s = await scale(4);
    expect(s.shards!.map((sh) => sh.slotCount)).toEqual([4096, 4096, 4096, 4096]);
    const pods = (await env.core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=demo' })).items;
    expect(pods).toHaveLength(8);
  });

  test('shards 4 -> 3 under continuous writes: drained and removed, no key lost', async () => {
    await scale(3);
    await until('shard 3 pods gone', async () =>
      (await env.core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=demo' })).items.length === 6, 60_000);
    const sets = (await env.kc.makeApiClient(AppsV1Api).listNamespacedStatefulSet({ namespace: NS })).items.map((x) => x.metadata?.name).sort();
    expect(sets).toEqual(['demo-0', 'demo-1', 'demo-2']);
  });

  test('deleting a master pod: failover, replacement, Ready again', async () => {
    const before = await status('demo');
    const shard0 = before!.shards![0]!;
    const victim = shard0.master!.name;
    const victimId = shard0.master!.id;
    const replica = shard0.replicas[0]!.name;
    const oldUid = (await env.core.readNamespacedPod({ namespace: NS, name: victim })).metadata!.uid;
    const t0 = Date.now();
    await env.core.deleteNamespacedPod({ namespace: NS, name: victim, gracePeriodSeconds: 0 });
    const s = await until('Ready again: replica promoted, victim back as a new member', async () => {
      const st = await status('demo');
      const members = (st?.shards ?? []).flatMap((sh) => [sh.master, ...sh.replicas]);
      const back = members.find((m) => m?.name === victim);
      const pod = await env.core.readNamespacedPod({ namespace: NS, name: victim }).catch(() => null);
      return condition(st, 'Ready')?.status === 'True' && st?.slotsAssigned === 16384 && st.readyMembers === '6/6' &&
        pod?.metadata?.uid !== oldUid && back?.id && back.id !== victimId ? st : undefined;
    }, 120_000, 250);
    console.log(`recovered from master pod loss in ${Date.now() - t0} ms, loadavg ${loadavg()}`);
    expect(s.shards!.map((sh) => sh.replicas.length)).toEqual([1, 1, 1]);
    // The cluster promoted the replica by itself; the replacement joined as its replica.
    const again = s.shards!.find((sh) => sh.master?.name === replica || sh.replicas.some((r) => r.name === victim));
    expect(again?.master?.name).toBe(replica);
    expect(again?.replicas.map((r) => r.name)).toEqual([victim]);
  });

  // Node identity across new pod addresses: the StatefulSet recreates every pod at once, each on a
  // new IP (the test kubelet, like a real one, hands out new addresses), nodes.conf on the PVC keeps
  // every node ID, and every node still lists its peers at their old addresses. The operator
  // re-introduces each stale peer at its current address; Ready only once every view agrees.
  test('with storage: every pod restarted at once keeps its node ID and the cluster comes back', async () => {
    await create('durable', { shards: 3, replicasPerShard: 0, image: IMAGE, nodeTimeoutMs: 2000, storage: { size: '1Gi' } });
    const ready = async (what: string) => until(what, async () => {
      const st = await status('durable');
      return condition(st, 'Ready')?.status === 'True' && st?.slotsAssigned === 16384 && st.readyMembers === '3/3' ? st : undefined;
    }, 120_000, 250);
    const before = await ready('durable Ready');
    const ids = new Map(before.shards!.map((sh) => [sh.master!.name, sh.master!.id]));
    const claims = (await env.core.listNamespacedPersistentVolumeClaim({ namespace: NS, labelSelector: 'redshard.io/cluster=durable' })).items;
    expect(claims.map((c) => c.status?.phase)).toEqual(['Bound', 'Bound', 'Bound']);
    const oldIps = new Set((await env.core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=durable' })).items.map((p) => p.status?.podIP));
    const t0 = Date.now();
    await env.core.deleteCollectionNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=durable' });
    const after = await until('back with new addresses', async () => {
      const pods = (await env.core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=durable' })).items;
      const fresh = pods.length === 3 && pods.every((p) => p.status?.podIP && !oldIps.has(p.status.podIP) && !p.metadata?.deletionTimestamp);
      if (!fresh) return undefined;
      const st = await status('durable');
      const addrs = (st?.shards ?? []).map((sh) => sh.master?.address?.split(':')[0]);
      return condition(st, 'Ready')?.status === 'True' && st?.slotsAssigned === 16384 && addrs.every((a) => a && !oldIps.has(a)) ? st : undefined;
    }, 120_000, 250);
    console.log(`all pods restarted at once: Ready again in ${Date.now() - t0} ms, loadavg ${loadavg()}`);
    for (const sh of after.shards!) expect(sh.master!.id).toBe(ids.get(sh.master!.name));
    // Each node's own view agrees: state ok, three known nodes, all at their new addresses.
    for (const pod of (await env.core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=durable' })).items) {
      let last = '';
      const info = await until(`cluster_state ok on ${pod.metadata?.name}`, async () => {
        last = redisCli(6379, ['cluster', 'info'], { host: pod.status!.podIP! }) + redisCli(6379, ['cluster', 'nodes'], { host: pod.status!.podIP! });
        const stale = [...oldIps].some((ip) => last.includes(`${ip}:6379`));
        return last.includes('cluster_state:ok') && last.includes('cluster_known_nodes:3') && !stale ? last : undefined;
      }, 30_000, 250).catch((err: Error) => {
        throw new Error(`${err.message}\n${last}`);
      });
      expect(info).toContain('cluster_slots_assigned:16384');
    }
    await clusters.delete('durable');
    await until('durable gone', async () =>
      (await env.core.listNamespacedPersistentVolumeClaim({ namespace: NS, labelSelector: 'redshard.io/cluster=durable' })).items.length === 0, 60_000);
  });

  test('an invalid resource is reported as InvalidSpec and nothing is created', async () => {
    // The CRD schema cannot express this rule (a directive the operator owns), so it reaches the controller.
    await create('bad', { shards: 1, replicasPerShard: 0, image: IMAGE, config: { port: '7000' } });
    const s = await until('InvalidSpec', async () => {
      const st = await status('bad');
      return condition(st, 'Ready')?.reason === 'InvalidSpec' ? st : undefined;
    }, 30_000, 250);
    expect(condition(s, 'Ready')?.status).toBe('False');
    const pods = (await env.core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=bad' })).items;
    expect(pods).toEqual([]);
    await clusters.delete('bad');
  });

  test.skipIf(IMAGE === REDIS_IMAGE)(`the same 3x1 on Debian's redis-server (image ${REDIS_IMAGE})`, async () => {
    const c = await basic('classic', REDIS_IMAGE);
    c.disconnect();
    const info = redisCli(6379, ['info', 'server'], { host: (await status('classic'))!.shards![0]!.master!.address!.split(':')[0]! });
    expect(info).toMatch(/redis_version:7\./);
  });

  test('deleting the resource removes everything it owned', async () => {
    const apps = env.kc.makeApiClient(AppsV1Api);
    const policy = env.kc.makeApiClient(PolicyV1Api);
    for (const o of await clusters.list()) await clusters.delete(o.metadata.name);
    const t0 = Date.now();
    await until('all gone', async () => {
      const left = [
        ...(await clusters.list()),
        ...(await env.core.listNamespacedPod({ namespace: NS })).items,
        ...(await apps.listNamespacedStatefulSet({ namespace: NS })).items,
        ...(await policy.listNamespacedPodDisruptionBudget({ namespace: NS })).items,
        ...(await env.core.listNamespacedService({ namespace: NS })).items,
        ...(await env.core.listNamespacedPersistentVolumeClaim({ namespace: NS })).items,
      ];
      return left.length === 0;
    }, 60_000, 250);
    console.log(`cleaned up in ${Date.now() - t0} ms`);
    if (env.local) expect(env.kubelet.running().filter((p) => p.namespace === NS)).toEqual([]);
  });
});
