// Status from one pass: what the nodes report (shards, slots, roles) plus the planner's decision.
// Pure; transition times are kept from the previous status when a condition did not change, so an
// unchanged cluster yields an identical status and the controller writes nothing.
import { formatSlotRanges } from '../../common/slots.js';
import type { Condition, Operation, ShardStatus, Status } from '../api/v1alpha1.js';
import type { MemberObservation, Observed } from './observed.js';
import type { PlanResult } from './plan.js';

function memberStatus(m: MemberObservation): { name: string; id?: string; address?: string } {
  return {
    name: m.member.name,
    ...(m.view ? { id: m.view.self.id } : {}),
    ...(m.member.host ? { address: `${m.member.host}:${m.member.port}` } : {}),
  };
}

export function condition(prev: Condition[] | undefined, type: Condition['type'], status: Condition['status'], reason: string, message: string, now: string, generation: number | undefined): Condition {
  const old = prev?.find((c) => c.type === type);
  const same = old && old.status === status;
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: same ? old.lastTransitionTime : now,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

export function buildStatus(o: Observed, plan: PlanResult): Status {
  const prev = o.cluster.status;
  const now = new Date(o.now).toISOString();
  const gen = o.cluster.metadata.generation;
  const d = plan.decision;
  const ready = d.phase === 'Ready';
  const progressing = d.actions.length > 0 || (d.requeueMs !== null && d.requeueMs <= 1000 && !ready);
  const degraded = d.phase === 'Degraded' || d.phase === 'Invalid';
  const conditions: Condition[] = [
    condition(prev?.conditions, 'Ready', ready ? 'True' : 'False', d.reason, d.message, now, gen),
    condition(prev?.conditions, 'Progressing', progressing ? 'True' : 'False', progressing ? d.reason : 'Idle', progressing ? d.message : 'nothing to do', now, gen),
    condition(prev?.conditions, 'Degraded', degraded ? 'True' : 'False', degraded ? d.reason : 'Healthy', degraded ? d.message : 'no problem seen', now, gen),
  ];
  const status: Status = { phase: d.phase, conditions };
  if (gen !== undefined) status.observedGeneration = gen;
  if (plan.owners) {
    status.slotsAssigned = plan.owners.filter((x) => x !== null).length;
    const shards: ShardStatus[] = plan.shards.map((s) => {
      const ranges = s.master?.view?.self.slots ?? [];
      let count = 0;
      for (const r of ranges) count += r.end - r.start + 1;
      return {
        index: s.index,
        ...(s.master ? { master: memberStatus(s.master) } : {}),
        replicas: s.replicas.map(memberStatus),
        slots: formatSlotRanges(ranges),
        slotCount: count,
      };
    });
    status.shards = shards;
  } else if (prev?.slotsAssigned !== undefined && d.phase !== 'Deleting') {
    status.slotsAssigned = prev.slotsAssigned;
    if (prev.shards) status.shards = prev.shards;
  }
  const total = o.members.length;
  const up = o.members.filter((m) => m.member.ready && m.view).length;
  if (total > 0) status.readyMembers = `${up}/${total}`;
  if (d.operation && !ready) {
    const prevOp = prev?.operation;
    // Resuming or closing a slot is part of whatever scale operation is under way.
    const type = d.operation === 'Rebalance' && (prevOp?.type === 'ScaleOut' || prevOp?.type === 'ScaleIn') ? prevOp.type : d.operation;
    const op: Operation = { type, message: d.message, startedAt: prevOp?.type === type ? prevOp.startedAt : now };
    if (d.movesLeft !== undefined) {
      const total = prevOp?.type === type && prevOp.slotsTotal !== undefined && prevOp.slotsTotal >= d.movesLeft ? prevOp.slotsTotal : d.movesLeft;
      op.slotsTotal = total;
      op.slotsMoved = total - d.movesLeft;
    } else if (prevOp?.type === type && prevOp.slotsTotal !== undefined) {
      op.slotsTotal = prevOp.slotsTotal;
      op.slotsMoved = prevOp.slotsMoved ?? 0;
    }
    if (d.membersUpdated) {
      op.membersTotal = d.membersUpdated.total;
      op.membersUpdated = d.membersUpdated.updated;
    }
    const open = o.members.flatMap((m) => (m.view ? m.view.self.migrating.map((x) => ({ slot: x.slot, from: m.member.name, to: x.to.slice(0, 8) })) : []));
    if (open.length) op.migrating = open.slice(0, 64);
    status.operation = op;
  }
  else if (!ready && prev?.operation && d.phase !== 'Deleting') {
    // A wait between two steps (e.g. for gossip to settle) is part of the same operation.
    status.operation = prev.operation;
  }
  if (d.error) status.lastError = d.error;
  return status;
}

/** Status equality ignoring key order, so unchanged status is never written. */
export function sameStatus(a: Status | undefined, b: Status): boolean {
  return stable(a) === stable(b);
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y))) : val,
  );
}

