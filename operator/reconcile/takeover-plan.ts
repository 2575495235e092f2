// Shards whose master is lost while a replica still follows it. Normally the cluster promotes the
// replica by itself; when a majority of masters is lost nobody can vote, so after a grace period
// (3 node timeouts, read back from the Degraded condition, never remembered) the operator promotes
// the best replica with CLUSTER FAILOVER TAKEOVER. Pure.
import type { Spec, Status } from '../api/v1alpha1.js';
import type { Member } from '../platform/platform.js';
import type { MemberObservation } from './observed.js';

export const AWAITING_FAILOVER = 'AwaitingFailover';

/** The member is a replica whose master is not a live member any more but still holds slots. */
export function followsLostOwner(m: MemberObservation, obs: readonly MemberObservation[]): boolean {
  const self = m.view?.self;
  if (!self?.masterId) return false;
  if (obs.some((o) => o.view?.self.id === self.masterId)) return false;
  const line = m.view!.lines.find((l) => l.id === self.masterId);
  return !!line && line.slots.length > 0;
}

export interface StrandedShard {
  /** Node ID of the lost master. */
  lostId: string;
  /** Live replicas still following it. */
  replicas: MemberObservation[];
}

/** Every lost master (one entry per node ID) that live replicas still follow. */
export function strandedShards(obs: readonly MemberObservation[]): StrandedShard[] {
  const out = new Map<string, StrandedShard>();
  for (const m of obs) {
    if (!followsLostOwner(m, obs)) continue;
    const id = m.view!.self.masterId!;
    const s = out.get(id) ?? { lostId: id, replicas: [] };
    s.replicas.push(m);
    out.set(id, s);
  }
  return [...out.values()];
}

/**
 * Failed members that must not be restarted yet: the lost master of a stranded shard, found by
 * its address in a live replica's view. Restarted now, it would come back (same node ID from its
 * nodes.conf) claiming its slots with whatever data it had saved, and its replica, the one with the
 * current data, would resync from it. It is restarted once its slots have a new owner, and then
 * joins as a replica.
 */
export function heldBackMembers(failed: readonly Member[], stranded: readonly StrandedShard[]): Set<string> {
  const held = new Set<string>();
  for (const s of stranded) {
    const line = s.replicas[0]!.view!.lines.find((l) => l.id === s.lostId);
    if (!line) continue;
    for (const f of failed) if (f.host === line.host && f.port === line.port) held.add(f.name);
  }
  return held;
}

export type TakeoverDecision =
  | { kind: 'Wait'; message: string }
  | { kind: 'Takeover'; on: string[]; message: string };

/**
 * Waits out the grace period, then names one replica per stranded shard to take over. Every
 * stranded shard is promoted in the same pass: none of them can serve, so promoting one cannot
 * disrupt another, and waiting would only keep the others down longer.
 */
export function planTakeover(stranded: readonly StrandedShard[], spec: Spec, status: Status | undefined, now: number): TakeoverDecision {
  const since = status?.conditions?.find((x) => x.type === 'Degraded' && x.status === 'True' && x.reason === AWAITING_FAILOVER)?.lastTransitionTime;
  const waited = since ? now - Date.parse(since) : 0;
  const lost = stranded.map((s) => s.lostId.slice(0, 8)).join(', ');
  if (waited < 3 * spec.nodeTimeoutMs) {
    const names = stranded.flatMap((s) => s.replicas.map((m) => m.member.name)).join(', ');
    return { kind: 'Wait', message: `master(s) ${lost} lost; waiting for the cluster to promote one of ${names}` };
  }
  const on = stranded.map((s) => pickReplica(s.replicas).member.name);
  return { kind: 'Takeover', on, message: `no replica of lost master(s) ${lost} was promoted in ${Math.round(waited / 1000)} s: ${on.join(', ')} take(s) over` };
}

/** The replica with a live link first (it has the freshest copy), then the lowest ordinal. */
function pickReplica(replicas: readonly MemberObservation[]): MemberObservation {
  return [...replicas].sort((a, b) => Number(b.view?.linkUp ?? false) - Number(a.view?.linkUp ?? false) || a.member.ordinal - b.member.ordinal)[0]!;
}
