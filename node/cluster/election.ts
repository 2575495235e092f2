// Replica failover (facts §5): automatic election when the master is FAIL, manual CLUSTER
// FAILOVER (default / FORCE / TAKEOVER), and taking over the old master's slots on a win.
import { SLOT_COUNT } from '../../common/slots.js';
import { NodeFlag } from '../bus/messages.js';
import { addSlot, delSlot, isFailed, isMaster, isReplica, masterOf, newManualFailover, setAsMaster, type ClusterNode, type ClusterState, type Effect } from './state.js';

export { newElection, newManualFailover } from './state.js';

export const MANUAL_FAILOVER_TIMEOUT_MS = 5000;

export interface ReplicaEnv {
  now: number;
  /** My processed replication offset. */
  myOffset: number;
  /** Milliseconds since the last interaction with the master (or since the link went down). */
  dataAgeMs: number;
  validityFactor: number;
  replPingPeriodMs: number;
  noFailover: boolean;
  random: () => number;
}

/** Other replicas of my master that are ahead of me (they should try first). */
export function replicaRank(st: ClusterState, myOffset: number): number {
  const me = st.myself;
  let rank = 0;
  for (const n of st.nodes.values()) {
    if (n === me || !isReplica(n) || n.masterId !== me.masterId || n.flags & NodeFlag.NOFAILOVER) continue;
    if (n.replOffset > myOffset) rank++;
  }
  return rank;
}

/** The winner's move: become a master and take every slot the old master served. */
export function replaceMyMaster(st: ClusterState, fx: Effect[]): void {
  const me = st.myself;
  const old = masterOf(st, me);
  if (!isReplica(me) || old === null || old === me) return;
  setAsMaster(st, me);
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (st.owners[s] === old) {
      delSlot(st, s);
      addSlot(st, me, s);
    }
  }
  st.mf = newManualFailover();
  fx.push(
    { t: 'log', level: 'warn', msg: 'Failover election won: I am the new master', fields: { oldMaster: old.id, configEpoch: me.configEpoch } },
    { t: 'update-state' },
    { t: 'save' },
    { t: 'broadcast-pong' },
  );
}

/** Replica side of a manual failover: may start once my offset caught up with the paused master. */
export function checkManualFailover(st: ClusterState, myOffset: number): void {
  const mf = st.mf;
  if (mf.end === 0 || mf.canStart || mf.masterOffset === -1) return;
  // The master pauses its writers (writesPaused), so the offsets meet exactly.
  if (myOffset >= mf.masterOffset) mf.canStart = true;
}

/** Runs each cron on a replica (and right after an ACK arrives). */
export function handleReplicaFailover(st: ClusterState, env: ReplicaEnv): Effect[] {
  const fx: Effect[] = [];
  const me = st.myself;
  const master = masterOf(st, me);
  const now = env.now;
  const timeout = st.opts.nodeTimeout;
  const manual = st.mf.end !== 0 && st.mf.canStart;
  if (isMaster(me) || master === null || master === me || (!isFailed(master) && !manual) || (env.noFailover && !manual) || master.numSlots === 0) return fx;
  let age = env.dataAgeMs;
  if (age > timeout) age -= timeout;
  if (env.validityFactor > 0 && age > env.replPingPeriodMs + timeout * env.validityFactor && !manual) return fx;
  const authTimeout = Math.max(timeout * 2, 2000);
  const authRetry = authTimeout * 2;
  const el = st.election;
  if (now - el.authTime > authRetry) {
    el.authTime = now + 500 + Math.floor(env.random() * 500);
    el.authCount = 0;
    el.authSent = false;
    el.authRank = replicaRank(st, env.myOffset);
    el.authTime += el.authRank * 1000;
    if (manual) {
      el.authTime = now;
      el.authRank = 0;
    }
    fx.push({ t: 'log', level: 'warn', msg: 'Start of election delayed', fields: { delayMs: el.authTime - now, rank: el.authRank, offset: env.myOffset } }, { t: 'pong-to-siblings' });
    return fx;
  }
  if (!el.authSent && !manual) {
    const rank = replicaRank(st, env.myOffset);
    if (rank > el.authRank) {
      el.authTime += (rank - el.authRank) * 1000;
      el.authRank = rank;
    }
  }
  if (now < el.authTime) return fx;
  if (now - el.authTime > authTimeout) return fx;
  if (!el.authSent) {
    st.currentEpoch++;
    el.authEpoch = st.currentEpoch;
    el.authSent = true;
    fx.push({ t: 'log', level: 'warn', msg: 'Starting a failover election', fields: { epoch: st.currentEpoch } }, { t: 'save' }, { t: 'broadcast-auth-request', forceAck: manual });
    return fx;
  }
  if (el.authCount >= Math.floor(st.size / 2) + 1) {
    if (me.configEpoch < el.authEpoch) me.configEpoch = el.authEpoch;
    replaceMyMaster(st, fx);
  }
  return fx;
}

/** Counts a FAILOVER_AUTH_ACK from a slot-owning master for the current election. */
export function countAuthAck(st: ClusterState, sender: ClusterNode, senderCurrentEpoch: number): boolean {
  if (!isMaster(sender) || sender.numSlots === 0 || senderCurrentEpoch < st.election.authEpoch) return false;
  st.election.authCount++;
  return true;
}
