// KubePlatform against a real control plane and the test kubelet, without the controller: members
// of a 3x1 cluster scheduled one shard member per node and Ready on loopback addresses, status via
// server-side apply, finalizer, events, scale-down of a shard, deleteAll, leader election.
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, PolicyV1Api } from '@kubernetes/client-node';
import { GROUP, PLURAL, SpecSchema, VERSION, type RedisShardCluster } from '../../operator/api/v1alpha1.js';
import { desiredMembers } from '../../operator/platform/platform.js';
import { KubePlatform } from '../../operator/platform/kube/kube-platform.js';
import { LeaderElector } from '../../operator/platform/kube/leader-election.js';
import { ROOT } from './control-plane.js';
import { useKubeEnvironment } from './environment.js';
import { until } from '../helpers/until.js';

// A schema-less CRD is enough here: this file tests the platform, not the generated CRD.
const looseCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    names: { kind: 'RedisShardCluster', plural: PLURAL, singular: 'redisshardcluster', listKind: 'RedisShardClusterList' },
    scope: 'Namespaced',
    versions: [{
      name: VERSION, served: true, storage: true, subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    }],
  },
};

const env = useKubeEnvironment({ crd: looseCrd });
const log = env.log;

describe('KubePlatform', () => {
  test('members, status, finalizer, events, scale-down and deleteAll', async () => {
    const { kc } = env;
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const policy = kc.makeApiClient(PolicyV1Api);
    const platform = new KubePlatform({ kc, log });
    const changed = new Set<string>();
    const stopWatch = await platform.watch((k) => changed.add(k));

    const clusters = env.clusters('default');
    await clusters.create('demo', { shards: 3, replicasPerShard: 1, image: 'redis:7.0' });
    expect(await platform.listKeys()).toEqual(['default/demo']);
    const cluster = (await platform.get('default/demo')) as RedisShardCluster;
    expect(cluster.metadata.uid).toBeTruthy();
    await until('watch saw the resource', async () => changed.has('default/demo'));

    const spec = SpecSchema.parse(cluster.spec);
    const t0 = Date.now();
    await platform.ensureMembers(cluster, spec, desiredMembers('demo', spec));
    const members = await until('6 members Ready', async () => {
      const ms = await platform.listMembers(cluster);
      return ms.length === 6 && ms.every((m) => m.ready) ? ms : undefined;
    }, 30_000);
    console.log(`6 members Ready in ${Date.now() - t0} ms`);
    expect(members.map((m) => m.name)).toEqual(['demo-0-0', 'demo-0-1', 'demo-1-0', 'demo-1-1', 'demo-2-0', 'demo-2-1']);
    for (const m of members) expect(m.host).toMatch(/^127\.0\.\d+\.\d+$/);
    // One member of a shard per Kubernetes node.
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'redshard.io/cluster=demo' })).items;
    for (const shard of ['0', '1', '2']) {
      const nodes = pods.filter((p) => p.metadata?.labels?.['redshard.io/shard'] === shard).map((p) => p.spec?.nodeName);
      expect(new Set(nodes).size).toBe(2);
    }
    expect(pods[0]?.metadata?.ownerReferences?.[0]?.kind).toBe('StatefulSet');
    expect((await policy.listNamespacedPodDisruptionBudget({ namespace: 'default' })).items.map((p) => p.metadata?.name).sort()).toEqual(['demo-0', 'demo-1', 'demo-2']);
    const services = (await core.listNamespacedService({ namespace: 'default', labelSelector: 'redshard.io/cluster=demo' })).items;
    expect(services.map((s) => s.metadata?.name).sort()).toEqual(['demo', 'demo-nodes']);
    // Idempotent: a second call changes nothing.
    await platform.ensureMembers(cluster, spec, desiredMembers('demo', spec));
    expect((await platform.listMembers(cluster)).map((m) => m.incarnation)).toEqual(members.map((m) => m.incarnation));

    await platform.writeStatus('default/demo', { phase: 'Ready', slotsAssigned: 16384, readyMembers: '6/6' });
    await platform.writeStatus('default/demo', { phase: 'Creating', readyMembers: '5/6' });
    const withStatus = await platform.get('default/demo');
    expect(withStatus?.status).toEqual({ phase: 'Creating', readyMembers: '5/6' });
    const managed = await clusters.get('demo');
    expect((managed.metadata.managedFields ?? []).some((f) => f.manager === 'redshard-operator' && f.subresource === 'status')).toBe(true);

    await platform.setFinalizer('default/demo', true);
    await platform.setFinalizer('default/demo', true);
    expect((await platform.get('default/demo'))?.metadata.finalizers).toEqual(['redshard.io/finalizer']);

    await platform.event(cluster, { type: 'Normal', reason: 'Bootstrapped', message: 'slots assigned' });
    await platform.event(cluster, { type: 'Normal', reason: 'Bootstrapped', message: 'slots assigned' });
    const events = (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=demo' })).items;
    expect(events.filter((e) => e.reason === 'Bootstrapped').map((e) => e.count)).toEqual([2]);

    // Either end of a shard's ordinal range can leave (spec.ordinals.start moves for the lowest);
    // the last member of a shard takes its StatefulSet and PDB along.
    const survivor = (await platform.listMembers(cluster)).find((m) => m.name === 'demo-2-1')!;
    await platform.deleteMember(cluster, 'demo-2-0');
    await until('demo-2-0 gone', async () => !(await platform.listMembers(cluster)).some((m) => m.name === 'demo-2-0'));
    await new Promise((r) => setTimeout(r, 500));
    const left = (await platform.listMembers(cluster)).filter((m) => m.shard === 2);
    expect(left.map((m) => [m.name, m.incarnation, m.ready])).toEqual([['demo-2-1', survivor.incarnation, true]]);
    await platform.deleteMember(cluster, 'demo-2-1');
    await until('shard 2 gone', async () => !(await platform.listMembers(cluster)).some((m) => m.shard === 2));
    expect((await apps.listNamespacedStatefulSet({ namespace: 'default' })).items.map((s) => s.metadata?.name).sort()).toEqual(['demo-0', 'demo-1']);
    expect((await policy.listNamespacedPodDisruptionBudget({ namespace: 'default' })).items.map((p) => p.metadata?.name).sort()).toEqual(['demo-0', 'demo-1']);
    // Re-adding the shard's first member widens the range back.
    await platform.ensureMembers(cluster, spec, desiredMembers('demo', spec).filter((m) => m.shard < 2 || m.ordinal === 0));
    await until('demo-2-0 back', async () => (await platform.listMembers(cluster)).some((m) => m.name === 'demo-2-0' && m.ready), 20_000);

    await platform.deleteAll(cluster);
    await until('everything gone', async () => (await platform.listMembers(cluster)).length === 0 &&
      (await core.listNamespacedService({ namespace: 'default', labelSelector: 'redshard.io/cluster=demo' })).items.length === 0, 30_000);
    expect((await policy.listNamespacedPodDisruptionBudget({ namespace: 'default' })).items).toEqual([]);
    await platform.setFinalizer('default/demo', false);
    await clusters.delete('demo');
    await until('resource gone', async () => (await platform.get('default/demo')) === null);
    stopWatch();
  });

  test('leader election: one leader, the other takes over when it stops', async () => {
    const { kc } = env;
    const leading: string[] = [];
    const make = (identity: string) =>
      new LeaderElector({
        kc, namespace: 'default', name: 'redshard-operator-test', identity, retryPeriodMs: 200, leaseDurationSeconds: 30,
        onStartedLeading: () => leading.push(identity), onStoppedLeading: () => leading.push(`-${identity}`),
      });
    const a = make('a');
    const b = make('b');
    a.start();
    await until('a leads', async () => a.isLeader());
    b.start();
    await new Promise((r) => setTimeout(r, 600));
    expect(b.isLeader()).toBe(false);
    await a.stop();
    // Released on stop: b takes over well before the 30 s lease would expire.
    const t = Date.now();
    await until('b leads', async () => b.isLeader(), 15_000);
    expect(Date.now() - t).toBeLessThan(10_000);
    await b.stop();
    expect(leading).toEqual(['a', '-a', 'b', '-b']);
  });

  test('redshard-operator kube: takes the Lease, releases it on SIGTERM and exits 0', async () => {
    const coord = env.kc.makeApiClient(CoordinationV1Api);
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'redshard-operator.js'), 'kube', '--lease-namespace', 'default'], {
      env: { ...process.env, KUBECONFIG: env.plane.kubeconfigPath, REDSHARD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const holder = await until('the operator holds the Lease', async () =>
        (await coord.readNamespacedLease({ name: 'redshard-operator', namespace: 'default' })).spec?.holderIdentity, 20_000);
      expect(holder).toMatch(/-\d+$/);
      const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect((await coord.readNamespacedLease({ name: 'redshard-operator', namespace: 'default' })).spec?.holderIdentity).toBeUndefined();
    } finally {
      proc.kill('SIGKILL');
    }
    expect(err).not.toMatch(/"level":(50|60)/);
  });

  test('redshard-operator rejects a wrong mode with usage', async () => {
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'redshard-operator.js'), 'cloud'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toContain('the first argument must be kube or local');
  });
});
