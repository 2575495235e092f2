import { describe, expect, test } from 'vitest';
import { SpecSchema } from '../../api/v1alpha1.js';
import {
  buildClientService,
  buildHeadlessService,
  buildPodDisruptionBudget,
  buildStatefulSet,
  nodeCommand,
  shrinkRange,
  widenRange,
  parseMemberName,
  podAffinity,
} from './manifests.js';
import { memberOfPod } from './kube-platform.js';
import { memberRevision } from '../platform.js';

const owner = { name: 'demo', namespace: 'ns1', uid: 'u-1' };
const spec = SpecSchema.parse({ shards: 3, replicasPerShard: 1, image: 'redis:7.0' });

describe('manifests', () => {
  test('StatefulSet per shard: names, selector, owner, OnDelete, anti-affinity on hostname', () => {
    const s = buildStatefulSet(owner, spec, 2, 2);
    expect(s.metadata?.name).toBe('demo-2');
    expect(s.metadata?.ownerReferences).toEqual([
      { apiVersion: 'redshard.io/v1alpha1', kind: 'RedisShardCluster', name: 'demo', uid: 'u-1', controller: true, blockOwnerDeletion: true },
    ]);
    expect(s.spec?.replicas).toBe(2);
    expect(s.spec?.serviceName).toBe('demo-nodes');
    expect(s.spec?.updateStrategy?.type).toBe('OnDelete');
    expect(s.spec?.selector.matchLabels).toEqual({ 'redshard.io/cluster': 'demo', 'redshard.io/shard': '2' });
    const labels = s.spec?.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(s.spec!.selector.matchLabels!)) expect(labels[k]).toBe(v);
    const anti = s.spec?.template.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    expect(anti).toEqual([{ labelSelector: { matchLabels: { 'redshard.io/cluster': 'demo', 'redshard.io/shard': '2' } }, topologyKey: 'kubernetes.io/hostname' }]);
    const c = s.spec!.template.spec!.containers[0]!;
    expect(c.command).toEqual(['redis-server']);
    expect(c.args).toContain('$(POD_IP)');
    expect(c.readinessProbe?.tcpSocket?.port).toBe('client');
    expect(s.spec?.template.spec?.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(s.spec?.volumeClaimTemplates).toBeUndefined();
  });

  test('storage turns into a claim template removed with the member', () => {
    const s = buildStatefulSet(owner, SpecSchema.parse({ storage: { size: '1Gi', storageClassName: 'fast' } }), 0, 1);
    expect(s.spec?.template.spec?.volumes).toEqual([]);
    expect(s.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests).toEqual({ storage: '1Gi' });
    expect(s.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe('fast');
    expect(s.spec?.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
  });

  test('the password comes from the secret through the environment, never the pod spec', () => {
    const s = buildStatefulSet(owner, SpecSchema.parse({ auth: { secretName: 'pw' } }), 0, 1);
    const c = s.spec!.template.spec!.containers[0]!;
    expect(c.env).toContainEqual({ name: 'REDSHARD_PASSWORD', valueFrom: { secretKeyRef: { name: 'pw', key: 'password' } } });
    expect(c.args).toContain('$(REDSHARD_PASSWORD)');
  });

  test('user affinity is kept and the shard anti-affinity added', () => {
    const user = { nodeAffinity: { x: 1 }, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone' }] } };
    const a = podAffinity('demo', 0, user);
    expect(a.nodeAffinity).toEqual({ x: 1 });
    expect(a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(2);
  });

  test('services and PDB', () => {
    const h = buildHeadlessService(owner);
    expect(h.metadata?.name).toBe('demo-nodes');
    expect(h.spec?.clusterIP).toBe('None');
    expect(h.spec?.publishNotReadyAddresses).toBe(true);
    expect(buildClientService(owner).spec?.ports?.[0]?.port).toBe(6379);
    const pdb = buildPodDisruptionBudget(owner, 1);
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.selector?.matchLabels).toEqual({ 'redshard.io/cluster': 'demo', 'redshard.io/shard': '1' });
  });

  test('image decides the program', () => {
    expect(nodeCommand('redis:7.0')).toBe('redis-server');
    expect(nodeCommand('docker.io/library/redis:7.0.15@sha256:abc')).toBe('redis-server');
    expect(nodeCommand('ghcr.io/x/redshard:0.1.0')).toBe('redshard-node');
    expect(nodeCommand('registry:5000/redis-operator:1')).toBe('redshard-node');
  });

  test('member names', () => {
    expect(parseMemberName('demo', 'demo-3-1')).toEqual({ shard: 3, ordinal: 1 });
    expect(parseMemberName('demo', 'demo-x-1')).toBeNull();
    expect(parseMemberName('demo', 'demo2-0-0')).toBeNull();
    expect(parseMemberName('a-1', 'a-1-0-2')).toEqual({ shard: 0, ordinal: 2 });
  });

  test('member view of a pod', () => {
    const m = memberOfPod('demo', {
      metadata: { name: 'demo-1-0', uid: 'p1', labels: { 'redshard.io/shard': '1' } },
      status: { phase: 'Running', podIP: '127.0.10.2', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(m).toEqual({ name: 'demo-1-0', shard: 1, ordinal: 0, host: '127.0.10.2', port: 6379, ready: true, phase: 'Running', incarnation: 'p1' });
    const t = memberOfPod('demo', { metadata: { name: 'demo-1-1', uid: 'p2', deletionTimestamp: new Date() }, status: { phase: 'Running' } });
    expect(t?.phase).toBe('Terminating');
    expect(t?.ready).toBe(false);
    expect(t?.host).toBeNull();
  });

  test('a pod made from the template reports the revision of the spec it was built from', () => {
    const withConfig = SpecSchema.parse({ shards: 1, replicasPerShard: 1, image: 'redshard:1', config: { hz: '20', 'maxmemory-policy': 'allkeys-lru' }, auth: { secretName: 's', key: 'k' } });
    const pod = (sp: typeof spec) => ({ metadata: { name: 'demo-0-1', uid: 'p' }, spec: buildStatefulSet(owner, sp, 0, 2).spec!.template.spec! });
    expect(memberOfPod('demo', pod(withConfig))?.revision).toBe(memberRevision(withConfig));
    expect(memberOfPod('demo', pod(spec))?.revision).toBe(memberRevision(spec));
    expect(memberOfPod('demo', pod({ ...withConfig, config: { hz: '20' } }))?.revision).not.toBe(memberRevision(withConfig));
    expect(memberOfPod('demo', pod({ ...withConfig, image: 'redshard:2' }))?.revision).not.toBe(memberRevision(withConfig));
  });
});

describe('ordinal ranges', () => {
  test('widen covers the current range and the wanted ordinals', () => {
    expect(widenRange(null, [0, 1])).toEqual({ start: 0, replicas: 2 });
    expect(widenRange({ start: 1, replicas: 1 }, [0])).toEqual({ start: 0, replicas: 2 });
    expect(widenRange({ start: 0, replicas: 3 }, [0, 1])).toEqual({ start: 0, replicas: 3 });
    expect(widenRange({ start: 5, replicas: 0 }, [0])).toEqual({ start: 0, replicas: 1 });
    expect(widenRange(null, [])).toEqual({ start: 0, replicas: 0 });
  });
  test('shrink takes either end, refuses the middle', () => {
    expect(shrinkRange({ start: 0, replicas: 3 }, 2)).toEqual({ start: 0, replicas: 2 });
    expect(shrinkRange({ start: 0, replicas: 3 }, 0)).toEqual({ start: 1, replicas: 2 });
    expect(shrinkRange({ start: 0, replicas: 3 }, 1)).toBe('middle');
    expect(shrinkRange({ start: 1, replicas: 1 }, 1)).toEqual({ start: 1, replicas: 0 });
    expect(shrinkRange({ start: 1, replicas: 1 }, 0)).toBe('not-in-range');
  });
});
