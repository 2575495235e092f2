import { describe, expect, it } from 'vitest';
import type { RedisShardCluster } from '../api/v1alpha1.js';
import type { Announce, Member } from '../platform/platform.js';
import { externalAccessCondition, planAnnounce } from './announce-plan.js';
import { parseClusterNodes, type MemberObservation, type Observed } from './observed.js';

const cluster: RedisShardCluster = { apiVersion: 'redshard.io/v1alpha1', kind: 'RedisShardCluster', metadata: { name: 'demo', namespace: 'ns' }, spec: {} };

function obs(name: string, announce: Announce | undefined, hostname: string | null, answering = true): MemberObservation {
  const member: Member = { name, shard: 0, ordinal: 0, host: '127.0.0.5', port: 6379, ready: true, phase: 'Running', incarnation: name, ...(announce ? { announce } : {}) };
  if (!answering) return { member, error: 'down' };
  const line = `${'a'.repeat(40)} 127.0.0.5:6379@16379${hostname ? `,${hostname}` : ''} myself,master - 0 0 1 connected`;
  const self = parseClusterNodes(line)[0]!;
  return { member, view: { self, lines: [self], keys: 0, linkUp: null, atomicSlots: false } };
}
const observed = (members: MemberObservation[]): Observed => ({ cluster, members, now: 0 });
const ext = (hostname: string): Announce => ({ hostname, port: 6379, endpoint: 'hostname', external: true });

describe('planAnnounce', () => {
  it('tells exactly the answering members whose hostname differs', () => {
    const o = observed([obs('a', ext('lb-a'), 'a.demo-nodes.ns.svc'), obs('b', ext('lb-b'), 'lb-b'), obs('c', ext('lb-c'), null, false), obs('d', { pending: 'waiting' }, 'x'), obs('e', undefined, 'y')]);
    expect(planAnnounce(o)).toEqual([{ kind: 'Announce', on: 'a', hostname: 'lb-a', endpoint: 'hostname' }]);
  });
  it('turning external access off announces the in-cluster name with the ip endpoint again', () => {
    const o = observed([obs('a', { hostname: 'a.demo-nodes.ns.svc', port: 6379, endpoint: 'ip', external: false }, 'lb-a')]);
    expect(planAnnounce(o)).toEqual([{ kind: 'Announce', on: 'a', hostname: 'a.demo-nodes.ns.svc', endpoint: 'ip' }]);
  });
});

describe('ExternalAccess condition', () => {
  it('is absent without external access, False while waiting or announcing, True once every node announces', () => {
    expect(externalAccessCondition(observed([obs('a', { hostname: 'a', port: 6379, endpoint: 'ip', external: false }, 'a')]), undefined, 'now', 1)).toBeNull();
    expect(externalAccessCondition(observed([obs('a', ext('lb-a'), 'lb-a'), obs('b', { pending: 'waiting for the load balancer' }, 'b')]), undefined, 'now', 1)).toMatchObject({ type: 'ExternalAccess', status: 'False', reason: 'AwaitingExternalAddress', message: expect.stringContaining('b: waiting for the load balancer') });
    expect(externalAccessCondition(observed([obs('a', ext('lb-a'), 'old')]), undefined, 'now', 1)).toMatchObject({ status: 'False', reason: 'Announcing' });
    expect(externalAccessCondition(observed([obs('a', ext('lb-a'), 'lb-a')]), undefined, 'now', 1)).toMatchObject({ status: 'True', reason: 'Announced', message: expect.stringContaining('a=lb-a:6379') });
  });
});
