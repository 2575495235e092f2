// Replica migration (cluster-migration-barrier, cluster-allow-replica-migration), as Redis 7.0's
// cron does it: a master is orphaned when it serves slots, is marked MIGRATE_TO (state.ts) and
// has no replica without FAIL. If some master keeps more than `barrier` working replicas, the
// replica with the smallest ID among the masters with the most working replicas re-attaches to
// the first orphaned master, once that master has been seen orphaned for MIGRATION_DELAY_MS (time
// for its own replicas, e.g. after a failover, to announce their new master).
import { NodeFlag } from '../bus/messages.js';
import { isFailed, isMaster, isMaybeFailed, isReplica, masterOf, type ClusterNode, type ClusterState } from './state.js';

export const MIGRATION_DELAY_MS = 5000;

export interface MigrationOptions {
  now: number;
  allow: boolean;
  barrier: number;
}

/** Master ID -> its replicas, failed ones included (one pass instead of one per master). */
function replicaTable(st: ClusterState): Map<string, ClusterNode[]> {
  const t = new Map<string, ClusterNode[]>();
  for (const n of st.nodes.values()) {
    if (!isReplica(n) || n.masterId === null) continue;
    const l = t.get(n.masterId);
    if (l === undefined) t.set(n.masterId, [n]);
    else l.push(n);
  }
  return t;
}

/** Replicas not flagged FAIL (PFAIL ones still count, as in Redis). */
function working(replicas: readonly ClusterNode[] | undefined): number {
  let n = 0;
  if (replicas !== undefined) for (const r of replicas) if (!isFailed(r)) n++;
  return n;
}

/**
 * Run on every cron tick of a replica: the master this replica should migrate to now, or null.
 * Updates the masters' orphanedTime as a side effect (only while the checks get that far, like
 * Redis, so the delay counts from the first tick that considered the migration).
 */
export function replicaMigrationTarget(st: ClusterState, o: MigrationOptions): ClusterNode | null {
  const me = st.myself;
  if (!isReplica(me) || !o.allow) return null;
  const myMaster = masterOf(st, me);
  const table = replicaTable(st);
  // Cheap pre-check over the table: any orphaned master, the largest working-replica count, mine.
  let orphaned = 0;
  let maxReplicas = 0;
  let mine = 0;
  for (const n of st.nodes.values()) {
    if (n.flags & (NodeFlag.MYSELF | NodeFlag.NOADDR | NodeFlag.HANDSHAKE)) continue;
    if (!isMaster(n) || isFailed(n)) continue;
    const ok = working(table.get(n.id));
    if (ok === 0 && n.numSlots > 0 && n.flags & NodeFlag.MIGRATE_TO) orphaned++;
    if (ok > maxReplicas) maxReplicas = ok;
    if (n === myMaster) mine = ok;
  }
  // Moving only makes sense away from a master with at least two working replicas.
  if (orphaned === 0 || maxReplicas < 2 || mine !== maxReplicas) return null;

  if (!st.ok || myMaster === null || myMaster === me) return null;
  // My master must keep more than `barrier` replicas that are neither FAIL nor PFAIL.
  let healthy = 0;
  for (const r of table.get(myMaster.id) ?? []) if (!isFailed(r) && !isMaybeFailed(r)) healthy++;
  if (healthy <= o.barrier) return null;

  let target: ClusterNode | null = null;
  let candidate: ClusterNode = me;
  for (const n of st.nodes.values()) {
    const ok = isMaster(n) ? working(table.get(n.id)) : 0;
    const isOrphaned = isMaster(n) && !isFailed(n) && (n.flags & NodeFlag.MIGRATE_TO) !== 0 && ok === 0;
    if (isOrphaned) {
      if (target === null && n.numSlots > 0) target = n;
      if (n.orphanedTime === 0) n.orphanedTime = o.now;
    } else n.orphanedTime = 0;
    // Among the masters with the most working replicas, the smallest replica ID moves.
    if (ok === maxReplicas) for (const r of table.get(n.id) ?? []) if (r.id < candidate.id) candidate = r;
  }
  if (target === null || candidate !== me || o.now - target.orphanedTime <= MIGRATION_DELAY_MS) return null;
  return target;
}
