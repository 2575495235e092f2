// Every pod restarted at once on new addresses, node IDs kept (nodes.conf on the volume): each node
// lists its peers at their old addresses. The planner must re-introduce each stale peer at its
// current address and must not report Ready until every view lists every member, connected, at the
// address it has now.
import { describe, expect, it } from 'vitest';
import type { RedisShardCluster } from '../api/v1alpha1.js';
import { FINALIZER } from '../api/v1alpha1.js';
import type { Member } from '../platform/platform.js';
import { checkLinks, staleAddresses } from './checks.js';
import { parseClusterNodes, type MemberObservation, type Observed } from './observed.js';
import { planReconcile } from './plan.js';

const IDS = ['a', 'b', 'c'].map((c) => c.repeat(40));
const RANGES = ['0-5460', '5461-10922', '10923-16383'];

interface View {
  /** Address each node (by index) is listed at in this view, and whether its link is up. */
  peers: { host: string; connected?: boolean; flags?: string }[];
}

function nodesText(self: number, v: View): string {
  return v.peers
    .map((p, i) => {
      const flags = [i === self ? 'myself' : '', 'master', p.flags ?? ''].filter(Boolean).join(',');
      const link = i === self || p.connected !== false ? 'connected' : 'disconnected';
      return `${IDS[i]} ${p.host}:6379@16379,demo-${i}-0.demo-nodes.e2e.svc ${flags} - 0 0 ${i + 1} ${link} ${RANGES[i]}`;
    })
    .join('\n');
}

function observed(current: string[], views: View[], everReady = true): Observed {
  const cluster: RedisShardCluster = {
    apiVersion: 'redshard.io/v1alpha1', kind: 'RedisShardCluster',
    metadata: { name: 'demo', namespace: 'e2e', generation: 1, finalizers: [FINALIZER] },
    spec: { shards: 3, replicasPerShard: 0, image: 'redis:7.0' },
    ...(everReady ? { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] } } : {}),
  };
  const members: MemberObservation[] = current.map((host, i) => {
    const member: Member = { name: `demo-${i}-0`, shard: i, ordinal: 0, host, port: 6379, ready: true, phase: 'Running', incarnation: `pod-${i}` };
    const lines = parseClusterNodes(nodesText(i, views[i]!));
    return { member, view: { self: lines.find((l) => l.flags.has('myself'))!, lines, keys: 0, linkUp: null } };
  });
  return { cluster, members, now: Date.parse('2026-01-01T00:10:00Z') };
}

const OLD = ['127.0.10.2', '127.0.11.2', '127.0.12.2'];
const NEW = ['127.0.10.5', '127.0.11.5', '127.0.12.5'];

describe('members on new addresses after a restart of every pod', () => {
  it('each stale viewer meets each stale peer at its current address; not Ready meanwhile', () => {
    // Every node announces its own new address but still lists its peers at the old ones.
    const views = NEW.map((_, self) => ({ peers: OLD.map((old, i) => ({ host: i === self ? NEW[i]! : old, connected: i === self })) }));
    const plan = planReconcile(observed(NEW, views));
    expect(plan.decision.phase).not.toBe('Ready');
    expect(plan.decision.reason).toBe('ReintroducingNodes');
    const meets = plan.decision.actions.filter((a) => a.kind === 'Meet');
    expect(meets).toHaveLength(6);
    for (const m of meets) {
      if (m.kind !== 'Meet') throw new Error('not a meet');
      const target = NEW.indexOf(m.host);
      expect(target).toBeGreaterThanOrEqual(0);
      expect(m.on).not.toBe(`demo-${target}-0`);
    }
  });

  it('one view still stale: only that viewer meets', () => {
    const fresh = NEW.map((_, self) => ({ peers: NEW.map((host) => ({ host })) }));
    fresh[2] = { peers: [{ host: OLD[0]! }, { host: NEW[1]! }, { host: NEW[2]! }] };
    const stale = staleAddresses(observed(NEW, fresh).members);
    expect(stale.map((s) => [s.viewer.member.name, s.member.member.name, s.listed])).toEqual([['demo-2-0', 'demo-0-0', `${OLD[0]}:6379`]]);
    const plan = planReconcile(observed(NEW, fresh));
    expect(plan.decision.actions).toEqual([{ kind: 'Meet', on: 'demo-2-0', host: NEW[0], port: 6379 }]);
  });

  it('addresses current but a link still down: waits, no action, not Ready', () => {
    const views: View[] = NEW.map(() => ({ peers: NEW.map((host) => ({ host })) }));
    views[1] = { peers: [{ host: NEW[0]!, connected: false }, { host: NEW[1]! }, { host: NEW[2]! }] };
    const o = observed(NEW, views);
    expect(checkLinks(o.members.map((m) => m.view!))).toMatchObject({ reason: 'Converging' });
    const plan = planReconcile(o);
    expect(plan.decision.actions).toEqual([]);
    expect(plan.decision.phase).toBe('Healing');
  });

  it('every view current and connected: Ready', () => {
    const views: View[] = NEW.map(() => ({ peers: NEW.map((host) => ({ host })) }));
    const plan = planReconcile(observed(NEW, views));
    expect(plan.decision).toMatchObject({ phase: 'Ready', actions: [] });
  });
});
