// Rolling update: members started from an older spec (another image or config passthrough) are
// restarted one at a time, replicas first; a shard's master is restarted only after a manual
// CLUSTER FAILOVER handed its slots to a caught-up replica of the new revision (then it is a
// replica itself). The planner calls this only when the whole cluster is healthy (every member
// up and synced, all nodes agreeing), so a step is taken only after the previous one settled and
// never more than one shard is disrupted at a time. Pure.
import type { MemberObservation } from './observed.js';

export interface RollShard {
  index: number;
  master: MemberObservation;
  /** Members replicating this shard's master. */
  replicas: MemberObservation[];
}

/** A replica may be promoted once its offset is within this many bytes of its master's; the manual
 * failover then waits for the exact offset with the master's writers paused. */
export const CATCH_UP_BYTES = 1 << 20;

export type RollStep =
  | { kind: 'Restart'; member: string; shard: number; role: 'replica' | 'master' }
  | { kind: 'Promote'; replica: string; master: string; shard: number }
  | { kind: 'CatchUp'; replica: string; shard: number; lagBytes: number };

export interface RollPlan {
  step: RollStep;
  /** Members already at the wanted revision, of all that report one. */
  updated: number;
  total: number;
}

function stale(m: MemberObservation, revision: string): boolean {
  return m.member.revision !== undefined && m.member.revision !== revision;
}

/** The next step of a rolling update to `revision`, or null when every member runs it (members
 * whose platform reports no revision are left alone). */
export function planRollingUpdate(shards: readonly RollShard[], revision: string): RollPlan | null {
  const all = shards.flatMap((s) => [s.master, ...s.replicas]).filter((m) => m.member.revision !== undefined);
  const updated = all.filter((m) => !stale(m, revision)).length;
  if (updated === all.length) return null;
  const plan = (step: RollStep): RollPlan => ({ step, updated, total: all.length });
  for (const s of shards) {
    const r = [...s.replicas].sort((a, b) => a.member.name.localeCompare(b.member.name, 'en', { numeric: true })).find((x) => stale(x, revision));
    if (r) return plan({ kind: 'Restart', member: r.member.name, shard: s.index, role: 'replica' });
  }
  for (const s of shards) {
    if (!stale(s.master, revision)) continue;
    const fresh = s.replicas.filter((x) => !stale(x, revision) && x.view?.linkUp === true);
    // A shard without replicas can only be restarted in place (its slots are down meanwhile).
    if (fresh.length === 0) return plan({ kind: 'Restart', member: s.master.member.name, shard: s.index, role: 'master' });
    const masterOffset = s.master.view?.replOffset ?? 0;
    const lag = (x: MemberObservation) => Math.max(0, masterOffset - (x.view?.replOffset ?? 0));
    const best = [...fresh].sort((a, b) => lag(a) - lag(b) || a.member.ordinal - b.member.ordinal)[0]!;
    if (lag(best) > CATCH_UP_BYTES) return plan({ kind: 'CatchUp', replica: best.member.name, shard: s.index, lagBytes: lag(best) });
    return plan({ kind: 'Promote', replica: best.member.name, master: s.master.member.name, shard: s.index });
  }
  return null;
}
