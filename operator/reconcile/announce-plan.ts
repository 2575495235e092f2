// External access, node side: which nodes must be told (CONFIG SET at runtime, both directives
// apply immediately and are gossiped in the next PING) to announce another hostname, and the
// ExternalAccess condition. Pure.
//
// Why a hostname and not cluster-announce-ip: the announced IP is also what every other node dials
// for the cluster bus and what a replica dials to reach its master, so it must stay the pod IP.
// cluster-announce-hostname is only shown to clients; with cluster-preferred-endpoint-type
// hostname it becomes the endpoint of MOVED/ASK, CLUSTER SLOTS and CLUSTER SHARDS.
import type { Condition } from '../api/v1alpha1.js';
import type { Action } from './plan.js';
import type { Observed } from './observed.js';
import { condition } from './status.js';

export type AnnounceAction = Extract<Action, { kind: 'Announce' }>;

/** Announce actions for every answering member whose hostname differs from the platform's. */
export function planAnnounce(o: Observed): AnnounceAction[] {
  const out: AnnounceAction[] = [];
  for (const m of o.members) {
    const a = m.member.announce;
    if (!a || 'pending' in a || !m.view) continue;
    // A node started with the in-cluster hostname uses the ip endpoint type (the default), so a
    // hostname that matches means the endpoint type matches too.
    if ((m.view.self.hostname ?? '') !== a.hostname) out.push({ kind: 'Announce', on: m.member.name, hostname: a.hostname, endpoint: a.endpoint });
  }
  return out;
}

/** The ExternalAccess condition, or null when external access is off. */
export function externalAccessCondition(o: Observed, prev: Condition[] | undefined, now: string, generation: number | undefined): Condition | null {
  const withAnnounce = o.members.filter((m) => m.member.announce);
  const external = withAnnounce.some((m) => { const a = m.member.announce!; return 'pending' in a || a.external; });
  if (!external) return null;
  const pending = withAnnounce.flatMap((m) => { const a = m.member.announce!; return 'pending' in a ? [`${m.member.name}: ${a.pending}`] : []; });
  if (pending.length) {
    return condition(prev, 'ExternalAccess', 'False', 'AwaitingExternalAddress', `${pending.length} member(s) have no external address yet; ${pending.slice(0, 3).join('; ')}`, now, generation);
  }
  const stale = planAnnounce(o);
  const silent = withAnnounce.filter((m) => !m.view).map((m) => m.member.name);
  if (stale.length || silent.length) {
    const names = [...stale.map((a) => a.on), ...silent];
    return condition(prev, 'ExternalAccess', 'False', 'Announcing', `not yet announcing its external address: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}`, now, generation);
  }
  const list = withAnnounce.map((m) => { const a = m.member.announce as { hostname: string; port: number }; return `${m.member.name}=${a.hostname}:${a.port}`; });
  return condition(prev, 'ExternalAccess', 'True', 'Announced', `every member announces its external address: ${list.slice(0, 12).join(', ')}${list.length > 12 ? ', ...' : ''}`, now, generation);
}
