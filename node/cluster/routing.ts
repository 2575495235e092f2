// Which node serves a keyed command (facts §6.3): a pure decision over the slot table, the
// migration marks, key presence and the client's ASKING / READONLY flags.
import { keySlot } from '../../common/slots.js';
import { isMaster, masterOf, type ClusterNode, type ClusterState } from './state.js';

export type RouteDecision =
  | { kind: 'serve' }
  | { kind: 'moved'; slot: number; node: ClusterNode }
  | { kind: 'ask'; slot: number; node: ClusterNode }
  | { kind: 'tryagain' }
  | { kind: 'crossslot' }
  | { kind: 'down'; reason: 'unbound' | 'down' | 'readonly' };

export interface RouteQuery {
  keys: readonly string[];
  asking: boolean;
  readonlyClient: boolean;
  isWrite: boolean;
  /** MIGRATE (runs locally in a migrating/importing slot). */
  isMigrate: boolean;
  /** The command itself implies ASKING (RESTORE-ASKING). */
  impliesAsking: boolean;
  shardedPubsub: boolean;
  allowReadsWhenDown: boolean;
  allowPubsubshardWhenDown: boolean;
  /** Key presence in db 0, without expiring or touching it. */
  keyExists(key: string): boolean;
}

const SERVE: RouteDecision = { kind: 'serve' };

export function routeCommand(st: ClusterState, q: RouteQuery): RouteDecision {
  if (q.keys.length === 0) return SERVE;
  let slot = -1;
  let owner: ClusterNode | null = null;
  let migratingTo: string | undefined;
  let importingFrom: string | undefined;
  let multipleKeys = false;
  let missing = 0;
  let present = 0;
  const firstKey = q.keys[0]!;
  for (let i = 0; i < q.keys.length; i++) {
    const key = q.keys[i]!;
    const s = keySlot(key);
    if (i === 0) {
      slot = s;
      owner = st.owners[s] ?? null;
      if (owner === null) return { kind: 'down', reason: 'unbound' };
      if (owner === st.myself) migratingTo = st.migrating.get(s);
      if (migratingTo === undefined) importingFrom = st.importing.get(s);
    } else {
      if (s !== slot) return { kind: 'crossslot' };
      if (key !== firstKey) multipleKeys = true;
    }
    if ((migratingTo !== undefined || importingFrom !== undefined) && !q.shardedPubsub) {
      if (q.keyExists(key)) present++;
      else missing++;
    }
  }
  if (!st.ok) {
    if (q.shardedPubsub) {
      if (!q.allowPubsubshardWhenDown) return { kind: 'down', reason: 'down' };
    } else if (!q.allowReadsWhenDown) return { kind: 'down', reason: 'down' };
    else if (q.isWrite) return { kind: 'down', reason: 'readonly' };
  }
  if (q.isMigrate && (migratingTo !== undefined || importingFrom !== undefined)) return SERVE;
  if (migratingTo !== undefined && missing > 0) {
    if (present > 0) return { kind: 'tryagain' };
    const target = st.nodes.get(migratingTo);
    if (target !== undefined) return { kind: 'ask', slot, node: target };
  }
  if (importingFrom !== undefined && (q.asking || q.impliesAsking)) {
    if (multipleKeys && missing > 0) return { kind: 'tryagain' };
    return SERVE;
  }
  const me = st.myself;
  if ((q.readonlyClient || q.shardedPubsub) && !q.isWrite && !isMaster(me) && owner !== null && masterOf(st, me) === owner) return SERVE;
  if (owner === me) return SERVE;
  return { kind: 'moved', slot, node: owner! };
}

/**
 * Whether a client blocked on `key` (BLPOP, BZPOPMIN, ...) may keep waiting on this node. As in
 * Redis 7.0 the wait ends when the cluster is down, or when the key's slot is served by another
 * node and not being imported here (a slot migrating away still counts as ours).
 */
export function routeBlockedKey(st: ClusterState, key: string): RouteDecision {
  if (!st.ok) return { kind: 'down', reason: 'down' };
  const slot = keySlot(key);
  const owner = st.owners[slot] ?? null;
  if (owner === st.myself || st.importing.has(slot)) return SERVE;
  if (owner === null) return { kind: 'down', reason: 'unbound' };
  return { kind: 'moved', slot, node: owner };
}
