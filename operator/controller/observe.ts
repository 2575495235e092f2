// Gathers one snapshot: every member's CLUSTER NODES, CLUSTER INFO state and DBSIZE, in parallel. A member that does
// not answer is recorded with the reason; the planner waits for it.
import type { RedisShardCluster } from '../api/v1alpha1.js';
import type { ClusterAdmin } from '../admin/cluster-admin.js';
import type { Member } from '../platform/platform.js';
import { parseClusterNodes, parseReplicationLink, parseReplicationOffset, type MemberObservation, type Observed } from '../reconcile/observed.js';

export async function observeCluster(cluster: RedisShardCluster, members: readonly Member[], admin: ClusterAdmin, now: number): Promise<Observed> {
  const obs = await Promise.all(
    members.map(async (member): Promise<MemberObservation> => {
      if (!member.ready || !member.host) return { member };
      try {
        const c = admin.client(member.host, member.port);
        const [text, keys, info, atomicSlots, clusterInfo] = await Promise.all([
          admin.clusterNodes(c),
          admin.dbsize(c),
          c.callString('INFO', 'replication'),
          admin.supportsAtomicSlots(c),
          c.callString('CLUSTER', 'INFO'),
        ]);
        const lines = parseClusterNodes(text);
        const self = lines.find((l) => l.flags.has('myself'));
        if (!self) return { member, error: 'CLUSTER NODES has no myself line' };
        return { member, view: { self, lines, keys, linkUp: parseReplicationLink(info), replOffset: parseReplicationOffset(info), atomicSlots, clusterOk: /^cluster_state:ok/m.test(clusterInfo) } };
      } catch (e) {
        return { member, error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  return { cluster, members: obs.sort((a, b) => a.member.name.localeCompare(b.member.name, 'en', { numeric: true })), now };
}
