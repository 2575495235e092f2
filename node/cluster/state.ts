// Cluster state: the node table, slot owners, epochs, migration marks. Transitions are functions of
// (state, input, now) with no I/O; they update the state (owned by the manager alone) and return
// the effects the manager must carry out (send, save, free links, drop keys).
import { randomBytes } from 'node:crypto';
import { SLOT_COUNT } from '../../common/slots.js';
import { NodeFlag, SLOT_BITMAP_LEN, slotBitGet, slotBitSet } from '../bus/messages.js';

export interface ClusterNode {
  id: string;
  flags: number;
  ip: string;
  port: number;
  cport: number;
  pport: number;
  hostname: string;
  /**
   * Shard ID (7.2+): random per master, adopted by its replicas, kept by a replica promoted in its
   * place. Peers that do not send the SHARDID extension (7.0) keep a locally chosen one.
   */
  shardId: string;
  /** The peer understands extensions beyond HOSTNAME (our nodes, 7.2+): SHARDID and FORGOTTEN_NODE go only to such peers. */
  extSupported: boolean;
  /** Master's ID when this node is a replica of a known master. */
  masterId: string | null;
  configEpoch: number;
  slots: Uint8Array;
  numSlots: number;
  /** Bumped by addSlot / delSlot: the cached slot ranges of nodes.conf lines key on it. */
  slotsVersion: number;
  replOffset: number;
  ctime: number;
  pingSent: number;
  pongReceived: number;
  dataReceived: number;
  failTime: number;
  /** When this node (a master) last got my vote for one of its replicas. */
  votedTime: number;
  /** Reporter ID -> time of the latest report that this node is PFAIL/FAIL. */
  failReports: Map<string, number>;
  /** An outbound link exists (maintained by the manager). */
  linked: boolean;
  /** Since when this master has been seen orphaned by the replica-migration check (0 = not). */
  orphanedTime: number;
}

export interface ClusterOptions {
  nodeTimeout: number;
  requireFullCoverage: boolean;
  allowReplicaMigration: boolean;
  /** cluster-migration-barrier: replicas my master keeps before I may migrate away. */
  migrationBarrier?: number;
  announceIp: string;
}

export interface ElectionState {
  /** When the current/next election attempt starts (0 = none scheduled). */
  authTime: number;
  authCount: number;
  authSent: boolean;
  authRank: number;
  authEpoch: number;
}

export interface ManualFailoverState {
  /** Deadline of a manual failover in progress (0 = none). */
  end: number;
  /** Replica side: the election may start now. */
  canStart: boolean;
  /** Replica side: master's offset seen in its first PAUSED packet (-1 = not yet). */
  masterOffset: number;
  /** Master side: the replica performing the manual failover. */
  replicaId: string | null;
}

export function newElection(): ElectionState {
  return { authTime: 0, authCount: 0, authSent: false, authRank: 0, authEpoch: 0 };
}

export function newManualFailover(): ManualFailoverState {
  return { end: 0, canStart: false, masterOffset: -1, replicaId: null };
}

export interface ClusterStats {
  sent: number[];
  received: number[];
}

export interface ClusterState {
  myself: ClusterNode;
  nodes: Map<string, ClusterNode>;
  currentEpoch: number;
  lastVoteEpoch: number;
  owners: (ClusterNode | null)[];
  /** Slot -> target node ID (this node owns the slot and is moving it out). */
  migrating: Map<number, string>;
  /** Slot -> source node ID (this node is taking the slot in). */
  importing: Map<number, string>;
  /** Slots whose owner stopped claiming them (may be taken by any claimant). */
  notClaiming: Uint8Array;
  /** Forgotten node ID -> time (ms) until which gossip about it is ignored. */
  blacklist: Map<string, number>;
  ok: boolean;
  size: number;
  firstStateEval: number;
  minoritySince: number;
  stats: ClusterStats;
  opts: ClusterOptions;
  election: ElectionState;
  mf: ManualFailoverState;
}

export type Effect =
  | { t: 'save' }
  /** Slot ownership learned from a peer: written before the next reply, fsynced off the event loop. */
  | { t: 'save-slots' }
  | { t: 'update-state' }
  | { t: 'reply-pong' }
  | { t: 'send-update'; to: ClusterNode; about: ClusterNode }
  | { t: 'broadcast-pong' }
  | { t: 'broadcast-fail'; id: string }
  | { t: 'free-link'; node: ClusterNode }
  | { t: 'bind-inbound'; node: ClusterNode }
  | { t: 'delete-node'; node: ClusterNode }
  | { t: 'drop-slot-keys'; slots: number[] }
  | { t: 'send-auth-ack'; to: ClusterNode }
  | { t: 'broadcast-auth-request'; forceAck: boolean }
  | { t: 'pong-to-siblings' }
  | { t: 'election-check' }
  | { t: 'ping-node'; to: ClusterNode }
  | { t: 'publish'; channel: string; message: string; sharded: boolean }
  | { t: 'log'; level: 'info' | 'warn'; msg: string; fields?: Record<string, unknown> };

export const FORGET_BAN_MS = 60_000;
export const WRITABLE_DELAY_MS = 2000;
export const FAIL_REPORT_VALIDITY_MULT = 2;
export const FAIL_UNDO_TIME_MULT = 2;

export function randomNodeId(): string {
  return randomBytes(20).toString('hex');
}

export function createNode(id: string, flags: number, now: number): ClusterNode {
  return {
    id,
    flags,
    ip: '',
    port: 0,
    cport: 0,
    pport: 0,
    hostname: '',
    shardId: randomNodeId(),
    extSupported: false,
    masterId: null,
    configEpoch: 0,
    slots: new Uint8Array(SLOT_BITMAP_LEN),
    numSlots: 0,
    slotsVersion: 0,
    replOffset: 0,
    ctime: now,
    pingSent: 0,
    pongReceived: 0,
    dataReceived: 0,
    failTime: 0,
    votedTime: 0,
    failReports: new Map(),
    linked: false,
    orphanedTime: 0,
  };
}

export function createState(myId: string, opts: ClusterOptions, now: number): ClusterState {
  const myself = createNode(myId, NodeFlag.MYSELF | NodeFlag.MASTER, now);
  return {
    myself,
    nodes: new Map([[myId, myself]]),
    currentEpoch: 0,
    lastVoteEpoch: 0,
    owners: new Array<ClusterNode | null>(SLOT_COUNT).fill(null),
    migrating: new Map(),
    importing: new Map(),
    notClaiming: new Uint8Array(SLOT_BITMAP_LEN),
    blacklist: new Map(),
    ok: false,
    size: 0,
    firstStateEval: 0,
    minoritySince: 0,
    stats: { sent: new Array<number>(11).fill(0), received: new Array<number>(11).fill(0) },
    opts,
    election: newElection(),
    mf: newManualFailover(),
  };
}

export const isMaster = (n: ClusterNode): boolean => (n.flags & NodeFlag.MASTER) !== 0;
export const isReplica = (n: ClusterNode): boolean => (n.flags & NodeFlag.SLAVE) !== 0;
export const inHandshake = (n: ClusterNode): boolean => (n.flags & NodeFlag.HANDSHAKE) !== 0;
export const isFailed = (n: ClusterNode): boolean => (n.flags & NodeFlag.FAIL) !== 0;
export const isMaybeFailed = (n: ClusterNode): boolean => (n.flags & NodeFlag.PFAIL) !== 0;

/** The master whose slots and configEpoch a node stands for (itself when a master). */
export function masterOf(st: ClusterState, n: ClusterNode): ClusterNode | null {
  if (!isReplica(n)) return n;
  return n.masterId === null ? null : (st.nodes.get(n.masterId) ?? null);
}

// ---- slots -------------------------------------------------------------------------------------

export function addSlot(st: ClusterState, node: ClusterNode, slot: number): boolean {
  if (st.owners[slot] !== null) return false;
  st.owners[slot] = node;
  if (!slotBitGet(node.slots, slot)) {
    slotBitSet(node.slots, slot, true);
    node.slotsVersion++;
    // A master's first slot makes it a replica-migration target while any master has replicas,
    // so a fresh master added by resharding gets one from a master that has two.
    if (node.numSlots++ === 0 && anyMasterHasReplicas(st)) node.flags |= NodeFlag.MIGRATE_TO;
  }
  return true;
}

export function delSlot(st: ClusterState, slot: number): boolean {
  const n = st.owners[slot];
  if (n === null || n === undefined) return false;
  if (slotBitGet(n.slots, slot)) {
    slotBitSet(n.slots, slot, false);
    n.slotsVersion++;
    n.numSlots--;
  }
  st.owners[slot] = null;
  slotBitSet(st.notClaiming, slot, false);
  return true;
}

/**
 * Binds every slot of start..end to `to` (delSlot + addSlot per slot not already its). One tight
 * loop: the atomic slot migration runs it inside its write pause, where the per-slot calls cost
 * ~10 ms for 4096 slots on their first (unoptimized) run.
 */
export function moveSlots(st: ClusterState, start: number, end: number, to: ClusterNode): void {
  const owners = st.owners;
  const hadNone = to.numSlots === 0;
  for (let s = start; s <= end; s++) {
    const o = owners[s] ?? null;
    if (o === to) continue;
    const i = s >> 3;
    const bit = 1 << (s & 7);
    if (o !== null) {
      if ((o.slots[i]! & bit) !== 0) {
        o.slots[i]! &= ~bit;
        o.slotsVersion++;
        o.numSlots--;
      }
      st.notClaiming[i]! &= ~bit;
    }
    owners[s] = to;
    if ((to.slots[i]! & bit) === 0) {
      to.slots[i]! |= bit;
      to.slotsVersion++;
      to.numSlots++;
    }
  }
  if (hadNone && to.numSlots > 0 && anyMasterHasReplicas(st)) to.flags |= NodeFlag.MIGRATE_TO;
}

export function delNodeSlots(st: ClusterState, node: ClusterNode): number {
  let n = 0;
  for (let s = 0; s < SLOT_COUNT; s++) if (st.owners[s] === node && delSlot(st, s)) n++;
  return n;
}

// ---- node table --------------------------------------------------------------------------------

export function addNode(st: ClusterState, node: ClusterNode): void {
  st.nodes.set(node.id, node);
}

/** Removes a node: its slots, migration marks pointing at it, and its failure reports elsewhere. */
export function removeNode(st: ClusterState, node: ClusterNode): void {
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (st.owners[s] === node) delSlot(st, s);
    if (st.migrating.get(s) === node.id) st.migrating.delete(s);
    if (st.importing.get(s) === node.id) st.importing.delete(s);
  }
  for (const other of st.nodes.values()) {
    other.failReports.delete(node.id);
    if (other.masterId === node.id) other.masterId = null;
  }
  st.nodes.delete(node.id);
  if (isReplica(node)) detachReplica(st, node);
}

// ---- replicas and the MIGRATE_TO flag ----------------------------------------------------------
// MIGRATE_TO marks a master that is supposed to have replicas (it had one, or took over from a
// master that had one, or got slots while masters have replicas): only such a master counts as
// orphaned when it has no working replica. Set when a replica attaches, cleared when its last
// replica leaves (a FAILed replica stays attached, so the master stays marked).

function anyMasterHasReplicas(st: ClusterState): boolean {
  for (const n of st.nodes.values()) {
    if (!isReplica(n) || n.masterId === null) continue;
    const m = st.nodes.get(n.masterId);
    if (m !== undefined && isMaster(m)) return true;
  }
  return false;
}

/** Bookkeeping after `replica` stopped replicating `masterId` (it moved, was promoted or deleted). */
function detachReplica(st: ClusterState, replica: ClusterNode, masterId: string | null = replica.masterId): void {
  if (masterId === null) return;
  const old = st.nodes.get(masterId);
  if (old === undefined) return;
  for (const n of st.nodes.values()) if (n !== replica && n.masterId === old.id && isReplica(n)) return;
  old.flags &= ~NodeFlag.MIGRATE_TO;
}

/** Points a replica at a master (null: unknown master), keeping MIGRATE_TO flags right. */
export function setReplicaOf(st: ClusterState, replica: ClusterNode, masterId: string | null): void {
  const previous = replica.masterId;
  if (previous === masterId) return;
  replica.masterId = masterId;
  detachReplica(st, replica, previous);
  const m = masterId !== null ? st.nodes.get(masterId) : undefined;
  if (m !== undefined && isReplica(replica)) {
    m.flags |= NodeFlag.MIGRATE_TO;
    replica.shardId = m.shardId;
  }
}

/**
 * A node's shard ID as it announced it (or its master's when it announced none); a replica of
 * that node here follows it. True when something changed (nodes.conf must be saved).
 */
export function updateShardId(st: ClusterState, n: ClusterNode, shardId: string): boolean {
  let changed = false;
  if (n.shardId !== shardId) {
    n.shardId = shardId;
    changed = true;
  }
  const me = st.myself;
  if (n !== me && isReplica(me) && me.masterId === n.id && me.shardId !== shardId) {
    me.shardId = shardId;
    changed = true;
  }
  return changed;
}

export function renameNode(st: ClusterState, node: ClusterNode, id: string): void {
  st.nodes.delete(node.id);
  node.id = id;
  st.nodes.set(id, node);
}

export function blacklisted(st: ClusterState, id: string, now: number): boolean {
  for (const [k, until] of st.blacklist) if (until <= now) st.blacklist.delete(k);
  return st.blacklist.has(id);
}

export function setAsMaster(st: ClusterState, n: ClusterNode): void {
  if (isMaster(n)) return;
  const previous = n.masterId;
  n.flags = (n.flags & ~NodeFlag.SLAVE) | NodeFlag.MASTER;
  n.masterId = null;
  if (previous !== null && st.nodes.has(previous)) {
    detachReplica(st, n, previous);
    // A promoted replica took over a master that had replicas: it should get one back.
    if (n !== st.myself) n.flags |= NodeFlag.MIGRATE_TO;
  }
}

/** Starts a handshake with ip:port@cport; false when one with the same address is in progress. */
export function startHandshake(st: ClusterState, ip: string, port: number, cport: number, now: number): boolean {
  for (const n of st.nodes.values()) if (inHandshake(n) && n.ip === ip && n.port === port && n.cport === cport) return false;
  const n = createNode(randomNodeId(), NodeFlag.HANDSHAKE | NodeFlag.MEET, now);
  n.ip = ip;
  n.port = port;
  n.cport = cport;
  addNode(st, n);
  return true;
}

// ---- epochs ------------------------------------------------------------------------------------

export function maxConfigEpoch(st: ClusterState): number {
  let m = 0;
  for (const n of st.nodes.values()) if (n.configEpoch > m) m = n.configEpoch;
  return m;
}

/** Bump without consensus (facts §4.5): true when the epoch changed. */
export function bumpEpochWithoutConsensus(st: ClusterState): boolean {
  const max = Math.max(maxConfigEpoch(st), st.currentEpoch);
  const mine = st.myself.configEpoch;
  let unique = true;
  for (const n of st.nodes.values()) if (n !== st.myself && n.configEpoch === mine) unique = false;
  if (mine === 0 || mine !== max || !unique) {
    st.currentEpoch++;
    st.myself.configEpoch = st.currentEpoch;
    return true;
  }
  return false;
}

/** Makes myself a replica of `master` (role only: data sync belongs to the replication layer). */
export function setMyMaster(st: ClusterState, master: ClusterNode): void {
  const me = st.myself;
  if (isMaster(me)) {
    me.flags = (me.flags & ~(NodeFlag.MASTER | NodeFlag.MIGRATE_TO)) | NodeFlag.SLAVE;
    st.importing.clear();
    st.migrating.clear();
  }
  setReplicaOf(st, me, master.id);
  me.shardId = master.shardId;
  // A manual failover in progress belonged to my previous role.
  st.mf = newManualFailover();
}

// ---- cluster_state -----------------------------------------------------------------------------

export function updateState(st: ClusterState, now: number): void {
  if (st.firstStateEval === 0) st.firstStateEval = now;
  if (isMaster(st.myself) && !st.ok && now - st.firstStateEval < WRITABLE_DELAY_MS) return;
  let ok = true;
  if (st.opts.requireFullCoverage) {
    // Every slot has exactly one owner and numSlots counts them (addSlot/delSlot), so full
    // coverage by live owners is a sum over the nodes; the slot scan only runs when it is not.
    let live = 0;
    for (const n of st.nodes.values()) if (!isFailed(n)) live += n.numSlots;
    if (live !== SLOT_COUNT) {
      for (let s = 0; s < SLOT_COUNT; s++) {
        const o = st.owners[s];
        if (o === null || o === undefined || isFailed(o)) {
          ok = false;
          break;
        }
      }
    }
  }
  let size = 0;
  let reachable = 0;
  for (const n of st.nodes.values()) {
    if (isMaster(n) && n.numSlots > 0) {
      size++;
      if ((n.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) === 0) reachable++;
    }
  }
  st.size = size;
  if (reachable < Math.floor(size / 2) + 1) {
    ok = false;
    st.minoritySince = now;
  }
  if (ok !== st.ok) {
    const rejoinDelay = Math.min(Math.max(st.opts.nodeTimeout, 500), 5000);
    if (ok && isMaster(st.myself) && now - st.minoritySince < rejoinDelay) return;
    st.ok = ok;
  }
}
