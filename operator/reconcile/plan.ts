// The planner: from one observed snapshot, the next step. Steps are tried in a fixed order and the
// first that has something to do wins, so at most one disruptive step (a slot migration, a forget,
// a member removal) is taken per pass. Nothing is remembered: every decision is re-derived from
// what the nodes report, which makes the reconcile idempotent and safe to restart at any point.
import { checkLinks, staleAddresses } from './checks.js';
import { SLOT_COUNT, type SlotRange } from '../../common/slots.js';
import { FINALIZER, type Spec } from '../api/v1alpha1.js';
import { desiredMembers, memberRevision, type MemberRef } from '../platform/platform.js';
import { authoritativeOwners, boundOwners, checkAgreement, checkMembersUp, checkSpec, failingNodes } from './checks.js';
import { isMaster, type MemberObservation, type NodeView, type Observed } from './observed.js';
import { firstMoveGroup, planSlotMoves, rangesOf } from './slot-plan.js';
import { planRollingUpdate, type RollPlan } from './rolling-plan.js';
import { AWAITING_FAILOVER, followsLostOwner, heldBackMembers, planTakeover, strandedShards, type StrandedShard } from './takeover-plan.js';

export { followsLostOwner };

export type Action =
  | { kind: 'SetFinalizer'; present: boolean }
  | { kind: 'DeleteAll' }
  | { kind: 'EnsureMembers'; members: MemberRef[] }
  | { kind: 'Meet'; on: string; host: string; port: number }
  | { kind: 'AddSlots'; on: string; ranges: SlotRange[] }
  /** Slots no member claims that the node's own table still binds to another node (ADDSLOTS would
   * answer "already busy"): unbound there, added, and the node's configEpoch bumped. */
  | { kind: 'ClaimSlots'; on: string; ranges: SlotRange[] }
  | { kind: 'Replicate'; on: string; masterId: string }
  | { kind: 'MigrateSlots'; from: string; to: string; fromId: string; toId: string; slots: number[]; notify: string[]; atomic: boolean }
  | { kind: 'SetSlot'; on: string; slot: number; state: 'STABLE' | 'NODE'; nodeId?: string }
  | { kind: 'Forget'; on: string[]; nodeId: string }
  | { kind: 'DeleteMember'; name: string }
  | { kind: 'Failover'; on: string; mode: 'FORCE' | 'TAKEOVER' }
  /** Rolling update: restart a member from the current spec (same identity and storage). */
  | { kind: 'RestartMember'; name: string; role: 'replica' | 'master'; revision: string }
  /** Rolling update: manual CLUSTER FAILOVER on a caught-up replica, waiting until it is master. */
  | { kind: 'PromoteReplica'; on: string; master: string }
  | { kind: 'Announce'; on: string; hostname: string; endpoint: 'hostname' | 'ip' };

export type Phase = 'Pending' | 'Creating' | 'Ready' | 'Scaling' | 'Healing' | 'Updating' | 'Degraded' | 'Paused' | 'Invalid' | 'Deleting';

export interface Decision {
  actions: Action[];
  phase: Phase;
  /** PascalCase reason for the Ready/Progressing conditions. */
  reason: string;
  message: string;
  /** Slot moves still to do (for progress), when rebalancing. */
  movesLeft?: number;
  operation?: 'Bootstrap' | 'ScaleOut' | 'ScaleIn' | 'Rebalance' | 'Repair' | 'RollingUpdate' | 'Delete';
  /** Rolling update progress: members running the wanted revision, of all. */
  membersUpdated?: { updated: number; total: number };
  /** Ask to run again after this many ms (null: only on change). */
  requeueMs: number | null;
  /** Set when the decision is an error the user must see (lastError, Degraded). */
  error?: string;
}

export interface PlanResult {
  spec: Spec | null;
  decision: Decision;
  /** Facts gathered while planning, for status. */
  shards: ShardRoles[];
  owners: (string | null)[] | null;
}

export interface ShardRoles {
  index: number;
  master: MemberObservation | null;
  replicas: MemberObservation[];
  members: MemberObservation[];
}

const WAIT_MS = 300;

function viewOf(o: MemberObservation): NodeView {
  return o.view!;
}

/** Groups members by shard label and picks each shard's master from what the nodes report. */
export function planShardRoles(obs: readonly MemberObservation[]): { shards: ShardRoles[]; conflict: string | null } {
  const byShard = new Map<number, MemberObservation[]>();
  for (const o of obs) {
    const list = byShard.get(o.member.shard) ?? [];
    list.push(o);
    byShard.set(o.member.shard, list);
  }
  const shards: ShardRoles[] = [];
  let conflict: string | null = null;
  for (const index of [...byShard.keys()].sort((a, b) => a - b)) {
    const members = byShard.get(index)!.sort((a, b) => a.member.ordinal - b.member.ordinal);
    const withView = members.filter((m) => m.view);
    const owning = withView.filter((m) => isMaster(viewOf(m).self) && viewOf(m).self.slots.length > 0);
    let master: MemberObservation | null = null;
    if (owning.length > 1) {
      conflict = `shard ${index} has ${owning.length} masters serving slots (${owning.map((m) => m.member.name).join(', ')})`;
      master = owning[0]!;
    } else if (owning.length === 1) {
      master = owning[0]!;
    } else if (!withView.some((m) => followsLostOwner(m, obs))) {
      // Only when no replica of this shard still follows a lost master that holds slots: that
      // replica is the one to promote, and an empty newcomer must not be made its master.
      const ids = new Set(withView.map((m) => viewOf(m).self.id));
      const followed = withView.find((m) => isMaster(viewOf(m).self) && withView.some((r) => r.view!.self.masterId === viewOf(m).self.id));
      master = followed ?? withView.find((m) => isMaster(viewOf(m).self) && !ids.has(viewOf(m).self.masterId ?? '')) ?? null;
    }
    const replicas = members.filter((m) => m !== master);
    shards.push({ index, master, replicas, members });
  }
  return { shards, conflict };
}

function wait(phase: Phase, reason: string, message: string, extra: Partial<Decision> = {}): Decision {
  return { actions: [], phase, reason, message, requeueMs: WAIT_MS, ...extra };
}

/** The next step for one cluster. */
export function planReconcile(o: Observed): PlanResult {
  return duringRoll(o, planStep(o));
}

/**
 * While a rolling update is under way, the steps between two restarts (waiting for the restarted
 * member, and on platforms where it comes back as a new node without storage, forgetting its old ID,
 * meeting and attaching the new one) are part of the update: reported as phase Updating, operation
 * RollingUpdate with its progress, not as a repair or a bootstrap. Under way = some member runs an
 * older revision, or the last status said so (the last restarted member is still rejoining).
 */
function duringRoll(o: Observed, r: PlanResult): PlanResult {
  const d = r.decision;
  if (!r.spec || (d.phase !== 'Creating' && d.phase !== 'Healing')) return r;
  const revision = memberRevision(r.spec);
  const tracked = o.members.filter((m) => m.member.revision !== undefined);
  const updated = tracked.filter((m) => m.member.revision === revision).length;
  const rolling = updated < tracked.length || o.cluster.status?.operation?.type === 'RollingUpdate';
  if (!rolling || tracked.length === 0) return r;
  // A member whose pod is being recreated is briefly absent: the total stays what the spec asks for.
  const total = Math.max(tracked.length, r.spec.shards * (r.spec.replicasPerShard + 1));
  return { ...r, decision: { ...d, phase: 'Updating', operation: 'RollingUpdate', membersUpdated: { updated, total } } };
}

function planStep(o: Observed): PlanResult {
  const c = o.cluster;
  const none = (decision: Decision, spec: Spec | null = null): PlanResult => ({ spec, decision, shards: [], owners: null });

  if (c.metadata.deletionTimestamp) {
    const actions: Action[] = [{ kind: 'DeleteAll' }];
    if (c.metadata.finalizers?.includes(FINALIZER)) actions.push({ kind: 'SetFinalizer', present: false });
    return none({ actions, phase: 'Deleting', reason: 'Deleting', message: 'removing every member', operation: 'Delete', requeueMs: null });
  }
  const pre: Action[] = c.metadata.finalizers?.includes(FINALIZER) ? [] : [{ kind: 'SetFinalizer', present: true }];
  const sc = checkSpec(c.spec);
  if (!sc.ok) return none({ actions: pre, phase: 'Invalid', reason: 'InvalidSpec', message: sc.message, requeueMs: null, error: sc.message });
  const spec = sc.spec;
  const everReady = c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
  const growing = everReady ? 'Healing' : 'Creating';
  if (spec.paused) return none({ actions: pre, phase: 'Paused', reason: 'Paused', message: 'spec.paused is true: observing only', requeueMs: 5000 }, spec);

  const withPre = (r: PlanResult): PlanResult => ({ ...r, decision: { ...r.decision, actions: [...pre, ...r.decision.actions] } });

  // 1. Members: create what is missing or failed, then wait until every member answers.
  const desired = desiredMembers(c.metadata.name, spec);
  const existing = new Map(o.members.map((m) => [m.member.name, m]));
  const missing = desired.filter((d) => {
    const m = existing.get(d.name);
    return !m || m.member.phase === 'Failed';
  });
  // A failed master whose replica still follows it is not restarted before the replica took over.
  const failed = missing.flatMap((d) => existing.get(d.name)?.member ?? []);
  const stranded = strandedShards(o.members).filter((st) => heldBackMembers(failed, [st]).size > 0);
  const held = heldBackMembers(failed, stranded);
  const restart = missing.filter((d) => !held.has(d.name));
  if (restart.length > 0) {
    const missing = restart;
    const scaling = everReady && missing.some((d) => !existing.has(d.name));
    const phase = scaling ? 'Scaling' : growing;
    const operation = scaling ? 'ScaleOut' : everReady ? 'Repair' : 'Bootstrap';
    return withPre(none({ actions: [{ kind: 'EnsureMembers', members: missing }], phase, reason: scaling ? 'AddingMembers' : 'CreatingMembers', message: `starting ${missing.map((m) => m.name).join(', ')}`, operation, requeueMs: WAIT_MS }, spec));
  }
  if (held.size > 0) return withPre(none(strandedStep(o, spec, stranded), spec));
  const blocked = checkMembersUp(o.members);
  if (blocked) return withPre(none(wait(growing, blocked.reason, blocked.message), spec));

  const desiredNames = new Set(desired.map((d) => d.name));
  const views = o.members.map(viewOf);
  const byId = new Map(o.members.map((m) => [viewOf(m).self.id, m]));
  const owners = authoritativeOwners(views);
  const { shards, conflict } = planShardRoles(o.members);
  const result = (decision: Decision): PlanResult => withPre({ spec, decision, shards, owners });
  if (conflict) return result(wait('Degraded', 'SplitShard', conflict, { error: conflict }));

  // 2. Forget nodes no member stands for (lost members replaced under a new ID), unless they
  //    still hold slots: those are left to the cluster's own failover.
  for (const v of views) {
    for (const l of v.lines) {
      if (byId.has(l.id) || l.flags.has('handshake')) continue;
      // Never forget a node some view still shows serving slots, or that a member replicates.
      if (views.some((x) => x.lines.some((y) => y.id === l.id && isMaster(y) && y.slots.length > 0))) continue;
      if (views.some((x) => x.self.masterId === l.id)) continue;
      const knowers = o.members.filter((m) => viewOf(m).lines.some((x) => x.id === l.id)).map((m) => m.member.name);
      return result({ actions: [{ kind: 'Forget', on: knowers, nodeId: l.id }], phase: 'Healing', reason: 'ForgettingLostNode', message: `forgetting lost node ${l.id.slice(0, 8)} (${l.host}:${l.port})`, operation: 'Repair', requeueMs: WAIT_MS });
    }
  }

  // 3. Membership: MEET every desired member the anchor does not know, from the node that knows most.
  const anchor = [...o.members]
    .filter((m) => desiredNames.has(m.member.name))
    .sort((a, b) => viewOf(b).lines.length - viewOf(a).lines.length || a.member.name.localeCompare(b.member.name))[0];
  if (anchor) {
    const anchorIds = new Set(viewOf(anchor).lines.filter((l) => !l.flags.has('handshake')).map((l) => l.id));
    const meets: Action[] = [];
    for (const m of o.members) {
      if (m === anchor || !desiredNames.has(m.member.name)) continue;
      if (!anchorIds.has(viewOf(m).self.id) && !viewOf(anchor).lines.some((l) => l.flags.has('handshake') && l.port === m.member.port && l.host === m.member.host)) {
        meets.push({ kind: 'Meet', on: anchor.member.name, host: m.member.host!, port: m.member.port });
      }
    }
    if (meets.length > 0) return result({ actions: meets, phase: growing, reason: 'Meeting', message: `introducing ${meets.length} node(s) to the cluster`, operation: everReady ? 'ScaleOut' : 'Bootstrap', requeueMs: WAIT_MS });
  }
  //    Members known under an old address (pods recreated on new IPs, possibly all at once): each
  //    stale viewer meets the current address; the handshake reveals the known ID and the viewer
  //    replaces the address (Redis 7.0 and redshard-node both do), then gossip spreads it.
  const stale = staleAddresses(o.members);
  if (stale.length > 0) {
    const actions: Action[] = stale.map((s) => ({ kind: 'Meet', on: s.viewer.member.name, host: s.member.member.host!, port: s.member.member.port }));
    const first = stale[0]!;
    return result({ actions, phase: growing, reason: 'ReintroducingNodes', message: `${stale.length} stale address(es), e.g. ${first.viewer.member.name} lists ${first.member.member.name} at ${first.listed}`, operation: 'Repair', requeueMs: WAIT_MS });
  }

  // 4. Open slots left by an interrupted migration: finish them (or close them when they cannot be).
  for (const m of o.members) {
    const self = viewOf(m).self;
    for (const mig of self.migrating) {
      const target = byId.get(mig.to);
      if (owners[mig.slot] !== self.id) {
        return result({ actions: [{ kind: 'SetSlot', on: m.member.name, slot: mig.slot, state: 'NODE', nodeId: owners[mig.slot] ?? mig.to }], phase: 'Scaling', reason: 'ClosingSlot', message: `closing slot ${mig.slot} on ${m.member.name}: it already moved`, operation: 'Rebalance', requeueMs: 0 });
      }
      if (!target || !isMaster(viewOf(target).self)) {
        return result({ actions: [{ kind: 'SetSlot', on: m.member.name, slot: mig.slot, state: 'STABLE' }], phase: 'Scaling', reason: 'ClosingSlot', message: `closing slot ${mig.slot} on ${m.member.name}: its target is gone`, operation: 'Rebalance', requeueMs: 0 });
      }
      return result(migrate(o, m, target, [mig.slot], 'ResumingMigration', `resuming slot ${mig.slot} ${m.member.name} -> ${target.member.name}`));
    }
    for (const imp of self.importing) {
      const source = byId.get(imp.from);
      if (owners[imp.slot] === self.id) {
        return result({ actions: [{ kind: 'SetSlot', on: m.member.name, slot: imp.slot, state: 'STABLE' }], phase: 'Scaling', reason: 'ClosingSlot', message: `closing slot ${imp.slot} on ${m.member.name}: it already owns it`, operation: 'Rebalance', requeueMs: 0 });
      }
      if (source && owners[imp.slot] === viewOf(source).self.id) {
        return result(migrate(o, source, m, [imp.slot], 'ResumingMigration', `resuming slot ${imp.slot} ${source.member.name} -> ${m.member.name}`));
      }
      if (viewOf(m).keys === 0) {
        return result({ actions: [{ kind: 'SetSlot', on: m.member.name, slot: imp.slot, state: 'STABLE' }], phase: 'Scaling', reason: 'ClosingSlot', message: `closing stray importing slot ${imp.slot} on ${m.member.name}`, operation: 'Rebalance', requeueMs: 0 });
      }
      const msg = `slot ${imp.slot} is importing on ${m.member.name} from a node that does not own it, and that node holds keys: needs a manual fix`;
      return result(wait('Degraded', 'OpenSlot', msg, { error: msg, requeueMs: 5000 }));
    }
  }

  // 5. Shard masters (shards the spec keeps) must exist; then cover unassigned slots.
  const kept = shards.filter((s) => s.index < spec.shards);
  //    A shard whose master was lost (replaced under a new ID) waits for the cluster to promote a
  //    replica, or takes over (see takeover-plan.ts).
  const memberIds = new Set(byId.keys());
  const orphaned = strandedShards(o.members).filter((st) => st.replicas.some((r) => kept.some((k) => !k.master && k.members.includes(r))));
  // The lost master is no member any more (the platform replaced it), so forcing cannot leave two
  // live masters for the shard. Measured on the test control plane: redis-server 7.0 replicas did
  // not always win an election when the replacement pod reused the lost master's address.
  if (orphaned.length > 0) return result(strandedStep(o, spec, orphaned.slice(0, 1)));
  const noMaster = kept.find((s) => !s.master);
  if (noMaster) return result(wait(growing, 'NoMaster', `shard ${noMaster.index} has no master yet`));
  const targetIds = kept.map((s) => viewOf(s.master!).self.id);
  const frozen = new Set(owners.filter((x): x is string => x !== null && !memberIds.has(x)));
  const moves = planSlotMoves(owners, targetIds, frozen);
  const adds = moves.filter((mv) => mv.from === null);
  if (adds.length > 0) {
    const actions: Action[] = [];
    const rebinds: string[] = [];
    for (const id of targetIds) {
      const slots = adds.filter((a) => a.to === id).map((a) => a.slot);
      if (slots.length === 0) continue;
      // No member claims these slots, but the target's own table may still bind some of them to
      // another node (an owner that gave them up, or whose claim the target missed): ADDSLOTS
      // there fails with "already busy" on every pass. Those are rebound on the target instead.
      const bound = boundOwners(viewOf(byId.get(id)!).lines);
      const free = slots.filter((s) => bound[s] === null);
      const stale = slots.filter((s) => bound[s] !== null);
      const on = byId.get(id)!.member.name;
      if (free.length) actions.push({ kind: 'AddSlots', on, ranges: rangesOf(free) });
      if (stale.length) actions.push({ kind: 'ClaimSlots', on, ranges: rangesOf(stale) });
      for (const s of stale) rebinds.push(`${s} on ${on} to ${bound[s]!.slice(0, 8)}`);
    }
    const message = `assigning ${adds.length} unassigned slot(s)${rebinds.length ? `; ${rebinds.length} still bound to a node that does not claim them (${rebinds.slice(0, 3).join(', ')}${rebinds.length > 3 ? ', ...' : ''})` : ''}`;
    return result({ actions, phase: growing, reason: 'AssigningSlots', message, operation: everReady ? 'Repair' : 'Bootstrap', requeueMs: WAIT_MS });
  }

  // 6. Replicas: every other member of a kept shard replicates the shard's master.
  const replicates: Action[] = [];
  for (const s of kept) {
    const masterView = viewOf(s.master!);
    for (const r of s.replicas) {
      const rv = viewOf(r);
      if (rv.self.masterId === masterView.self.id || followsLostOwner(r, o.members)) continue;
      const known = rv.lines.find((l) => l.id === masterView.self.id);
      if (!known || !isMaster(known)) continue;
      if (isMaster(rv.self) && (rv.self.slots.length > 0 || rv.keys > 0)) continue;
      replicates.push({ kind: 'Replicate', on: r.member.name, masterId: masterView.self.id });
    }
  }
  if (replicates.length > 0) return result({ actions: replicates, phase: growing, reason: 'AttachingReplicas', message: `attaching ${replicates.length} replica(s)`, operation: everReady ? 'Repair' : 'Bootstrap', requeueMs: WAIT_MS });

  // 7. Masters must agree before slots move (replicas only follow; they must agree before Ready).
  const disagree = checkAgreement(views.filter((v) => isMaster(v.self)), owners, views);
  if (disagree) return result(wait(everReady ? 'Healing' : growing, disagree.reason, disagree.message));

  // 8. Rebalance: scale-out fills new masters, scale-in drains leaving ones.
  if (moves.length > 0) {
    const group = firstMoveGroup(moves, spec.migration.slotsPerPass);
    const from = byId.get(group[0]!.from!)!;
    const to = byId.get(group[0]!.to)!;
    const leaving = from.member.shard >= spec.shards;
    if (viewOf(to).clusterOk === false) {
      return result(wait('Scaling', 'TargetClusterDown', `${to.member.name} reports cluster_state:fail (a master that just joined waits up to a node timeout before it serves)`, { operation: leaving ? 'ScaleIn' : 'ScaleOut' }));
    }
    // Our atomic slot migration when both ends offer it; an open (MIGRATING/IMPORTING) slot found
    // in step 4 always resumes the way it was started, key by key.
    const atomic = viewOf(from).atomicSlots === true && viewOf(to).atomicSlots === true;
    const d = migrate(o, from, to, group.map((g) => g.slot), leaving ? 'DrainingShard' : 'Rebalancing', `moving ${group.length} slot(s) ${from.member.name} -> ${to.member.name}${atomic ? ' (atomic)' : ''}`, atomic);
    return result({ ...d, movesLeft: moves.length, operation: leaving ? 'ScaleIn' : 'ScaleOut' });
  }

  // 9. Members the spec no longer wants: forget then delete, replicas first, never one holding data
  //    it alone serves.
  const leavingMembers = o.members
    .filter((m) => !desiredNames.has(m.member.name))
    .sort((a, b) => Number(isMaster(viewOf(a).self)) - Number(isMaster(viewOf(b).self)) || a.member.name.localeCompare(b.member.name));
  for (const m of leavingMembers) {
    const self = viewOf(m).self;
    if (isMaster(self) && (self.slots.length > 0 || viewOf(m).keys > 0)) {
      return result(wait('Scaling', 'DrainingShard', `${m.member.name} still holds ${viewOf(m).keys} key(s)`, { operation: 'ScaleIn' }));
    }
    const followers = o.members.filter((x) => x !== m && viewOf(x).self.masterId === self.id);
    if (followers.some((f) => desiredNames.has(f.member.name))) continue;
    const knowers = o.members.filter((x) => x !== m && viewOf(x).lines.some((l) => l.id === self.id)).map((x) => x.member.name);
    const actions: Action[] = knowers.length ? [{ kind: 'Forget', on: knowers, nodeId: self.id }, { kind: 'DeleteMember', name: m.member.name }] : [{ kind: 'DeleteMember', name: m.member.name }];
    return result({ actions, phase: 'Scaling', reason: 'RemovingMember', message: `removing ${m.member.name}`, operation: 'ScaleIn', requeueMs: WAIT_MS });
  }

  // 10. Steady state: Ready only when the picture is complete and healthy.
  const assigned = owners.filter((x) => x !== null && memberIds.has(x)).length;
  const failing = failingNodes(views);
  const short = kept.find((s) => s.replicas.filter((r) => viewOf(r).self.masterId === viewOf(s.master!).self.id).length < spec.replicasPerShard);
  if (assigned < SLOT_COUNT) {
    const msg = `${SLOT_COUNT - assigned} slot(s) are served by no member`;
    return result(wait('Degraded', 'SlotsUncovered', msg, { error: msg, requeueMs: 2000 }));
  }
  const lagging = checkAgreement(views, owners);
  if (lagging) return result(wait(everReady ? 'Healing' : growing, lagging.reason, lagging.message, { requeueMs: 250 }));
  if (failing.length > 0) return result(wait('Healing', 'NodesFailing', `nodes seen failing: ${failing.map((f) => `${f.host}:${f.port}`).join(', ')}`, { requeueMs: 1000 }));
  const unlinked = checkLinks(views);
  if (unlinked) return result(wait(everReady ? 'Healing' : growing, unlinked.reason, unlinked.message, { requeueMs: 250 }));
  if (short) return result(wait(growing, 'ReplicasMissing', `shard ${short.index} has fewer than ${spec.replicasPerShard} replica(s)`));
  // A replica still loading its first copy cannot take over yet: not Ready until every link is up.
  const syncing = o.members.filter((m) => viewOf(m).linkUp === false);
  if (syncing.length > 0) return result(wait(growing, 'ReplicasSyncing', `waiting for ${syncing.map((m) => m.member.name).join(', ')} to sync with their master`));
  // 11. Rolling update of members started from an older image or config.
  const revision = memberRevision(spec);
  const roll = planRollingUpdate(
    kept.map((s) => ({ index: s.index, master: s.master!, replicas: s.replicas.filter((r) => viewOf(r).self.masterId === viewOf(s.master!).self.id) })),
    revision,
  );
  if (roll) return result(rollDecision(roll, revision));
  return result({ actions: [], phase: 'Ready', reason: 'ClusterReady', message: `${spec.shards} shard(s) x ${spec.replicasPerShard} replica(s), all ${SLOT_COUNT} slots served`, requeueMs: 10_000 });
}

function rollDecision(r: RollPlan, revision: string): Decision {
  const progress = `${r.updated} of ${r.total} members updated`;
  const base = { phase: 'Updating' as const, operation: 'RollingUpdate' as const, membersUpdated: { updated: r.updated, total: r.total } };
  const st = r.step;
  switch (st.kind) {
    case 'Restart':
      return { ...base, actions: [{ kind: 'RestartMember', name: st.member, role: st.role, revision }], reason: st.role === 'replica' ? 'RestartingReplica' : 'RestartingMaster', message: `restarting ${st.role} ${st.member} of shard ${st.shard} (${progress})`, requeueMs: WAIT_MS };
    case 'Promote':
      return { ...base, actions: [{ kind: 'PromoteReplica', on: st.replica, master: st.master }], reason: 'FailingOver', message: `failing shard ${st.shard} over from ${st.master} to ${st.replica} before restarting it (${progress})`, requeueMs: WAIT_MS };
    case 'CatchUp':
      return { ...base, actions: [], reason: 'ReplicaCatchingUp', message: `waiting for ${st.replica} to catch up (${st.lagBytes} bytes behind) before failing shard ${st.shard} over (${progress})`, requeueMs: WAIT_MS };
  }
}

/** Wait for the cluster's own failover, or take over once the grace period is over. */
function strandedStep(o: Observed, spec: Spec, stranded: readonly StrandedShard[]): Decision {
  const t = planTakeover(stranded, spec, o.cluster.status, o.now);
  if (t.kind === 'Wait') return wait('Degraded', AWAITING_FAILOVER, t.message, { error: t.message, requeueMs: 1000 });
  return { actions: t.on.map((on) => ({ kind: 'Failover', on, mode: 'TAKEOVER' }) as const), phase: 'Degraded', reason: AWAITING_FAILOVER, message: t.message, operation: 'Repair', requeueMs: 1000, error: t.message };
}

function migrate(o: Observed, from: MemberObservation, to: MemberObservation, slots: number[], reason: string, message: string, atomic = false): Decision {
  // Every master learns the new owner (redis-cli does the same), so clients stop being redirected
  // to the old one as soon as possible.
  const notify = o.members.filter((m) => m !== from && m !== to && m.view && isMaster(m.view.self)).map((m) => m.member.name);
  return {
    actions: [{ kind: 'MigrateSlots', from: from.member.name, to: to.member.name, fromId: viewOf(from).self.id, toId: viewOf(to).self.id, slots, notify, atomic }],
    phase: 'Scaling',
    reason,
    message,
    operation: 'Rebalance',
    requeueMs: 0,
  };
}
