// Ordered safety checks the planner runs before it may change anything: a valid spec, every
// member up and answering, and all nodes agreeing on membership and slot ownership. Each check
// returns null when it passes, or why the pass must stop there.
import { SLOT_COUNT } from '../../common/slots.js';
import { SpecSchema, type Spec } from '../api/v1alpha1.js';
import { isFailed, isMaster, type MemberObservation, type NodeLine, type NodeView } from './observed.js';

export type SpecCheck = { ok: true; spec: Spec } | { ok: false; message: string };

export function checkSpec(spec: unknown): SpecCheck {
  const r = SpecSchema.safeParse(spec ?? {});
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, message: r.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ') };
}

export interface Blocker {
  reason: string;
  message: string;
}

/** Members that exist but are not yet running and answering. */
export function checkMembersUp(obs: readonly MemberObservation[]): Blocker | null {
  const down = obs.filter((o) => !o.member.ready || !o.view);
  if (down.length === 0) return null;
  const names = down.map((o) => `${o.member.name}${o.error ? ` (${o.error})` : o.member.ready ? '' : ` (${o.member.phase})`}`);
  return { reason: 'MembersNotReady', message: `waiting for ${names.join(', ')}` };
}

/** Owner of every slot according to one node's view (null = unassigned). */
export function slotOwners(lines: readonly NodeLine[]): (string | null)[] {
  const owners: (string | null)[] = new Array<string | null>(SLOT_COUNT).fill(null);
  for (const l of lines) {
    if (!isMaster(l)) continue;
    for (const r of l.slots) for (let s = r.start; s <= r.end; s++) owners[s] = l.id;
  }
  return owners;
}

/** What one node's table binds each slot to, whatever the role its view gives the holder: the
 * node refuses ADDSLOTS for every slot bound here (null = free on that node). */
export function boundOwners(lines: readonly NodeLine[]): (string | null)[] {
  const owners: (string | null)[] = new Array<string | null>(SLOT_COUNT).fill(null);
  for (const l of lines) for (const r of l.slots) for (let s = r.start; s <= r.end; s++) owners[s] = l.id;
  return owners;
}

/** Authoritative owners: each reachable master's claim about itself, then (for slots no member
 * claims) what the views say about nodes that are not members (failed or foreign nodes). */
export function authoritativeOwners(views: readonly NodeView[]): (string | null)[] {
  const owners: (string | null)[] = new Array<string | null>(SLOT_COUNT).fill(null);
  const memberIds = new Set(views.map((v) => v.self.id));
  for (const v of views) {
    if (!isMaster(v.self)) continue;
    for (const r of v.self.slots) for (let s = r.start; s <= r.end; s++) owners[s] = v.self.id;
  }
  for (const v of views) {
    for (const l of v.lines) {
      if (memberIds.has(l.id) || !isMaster(l)) continue;
      for (const r of l.slots) for (let s = r.start; s <= r.end; s++) if (owners[s] === null) owners[s] = l.id;
    }
  }
  return owners;
}

/** Every member knows every other member (handshake finished) with the role that member reports
 * itself (a node that still sees a replica as a master would refuse to vote for it), and agrees on
 * the slot map. `all` = every member's view (the roles are taken from these). */
export function checkAgreement(views: readonly NodeView[], owners: readonly (string | null)[], all: readonly NodeView[] = views): Blocker | null {
  for (const v of views) {
    const known = new Map(v.lines.map((l) => [l.id, l]));
    for (const other of all) {
      const id = other.self.id;
      const l = known.get(id);
      if (!l || l.flags.has('handshake')) return { reason: 'Converging', message: `${v.self.host}:${v.self.port} does not know ${id.slice(0, 8)} yet` };
      // A node restarted on a new address (a pod IP changes) keeps its ID; peers that still list
      // the old address cannot reach it, so the views agree only once every address is current.
      if (other.self.host && (l.host !== other.self.host || l.port !== other.self.port)) {
        return { reason: 'Converging', message: `${v.self.host}:${v.self.port} still lists ${id.slice(0, 8)} at ${l.host}:${l.port}, not ${other.self.host}:${other.self.port}` };
      }
      if (l.masterId !== other.self.masterId) return { reason: 'Converging', message: `${v.self.host}:${v.self.port} does not yet see ${other.self.host}:${other.self.port} as ${other.self.masterId ? 'a replica' : 'a master'}` };
    }
    const mine = slotOwners(v.lines);
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (mine[s] !== owners[s]) return { reason: 'Converging', message: `${v.self.host}:${v.self.port} sees slot ${s} elsewhere` };
    }
  }
  return null;
}

/** Nodes some member sees as failing. */
export function failingNodes(views: readonly NodeView[]): NodeLine[] {
  const out = new Map<string, NodeLine>();
  for (const v of views) for (const l of v.lines) if (isFailed(l)) out.set(l.id, l);
  return [...out.values()];
}

/** A member some other member lists under the same node ID at an address that is not the one the
 * member has now (its pod was recreated on a new IP). A CLUSTER MEET of the current address from
 * the stale viewer makes it update the address once the handshake reveals the known ID. */
export interface StaleAddress {
  viewer: MemberObservation;
  member: MemberObservation;
  listed: string;
}

export function staleAddresses(obs: readonly MemberObservation[]): StaleAddress[] {
  const out: StaleAddress[] = [];
  for (const viewer of obs) {
    if (!viewer.view) continue;
    const lines = new Map(viewer.view.lines.map((l) => [l.id, l]));
    for (const member of obs) {
      if (member === viewer || !member.view || !member.member.host) continue;
      const l = lines.get(member.view.self.id);
      if (!l || l.flags.has('handshake')) continue;
      if (l.host !== member.member.host || l.port !== member.member.port) out.push({ viewer, member, listed: `${l.host}:${l.port}` });
    }
  }
  return out;
}

/** Ready needs every member's view to show every other member with a live bus link and no failure
 * flag (a node can list the right address yet not be talking to it, e.g. right after a restart). */
export function checkLinks(views: readonly NodeView[]): Blocker | null {
  const ids = new Set(views.map((v) => v.self.id));
  for (const v of views) {
    for (const l of v.lines) {
      if (l === v.self || !ids.has(l.id)) continue;
      if (!l.connected || isFailed(l)) return { reason: 'Converging', message: `${v.self.host}:${v.self.port} has no live link to ${l.id.slice(0, 8)} (${l.host}:${l.port})` };
    }
  }
  return null;
}
