// Building the messages this node sends (facts §2.2-2.5): own header, PING/PONG/MEET with gossip
// about a few random nodes plus every PFAIL node, FAIL, UPDATE and PUBLISH.
import { MFlag, MsgType, NodeFlag, SLOT_BITMAP_LEN, type BusMessage, type ForgottenNode, type GossipEntry, type Header } from '../bus/messages.js';
import { FORGET_BAN_MS, inHandshake, isMaster, isReplica, masterOf, type ClusterNode, type ClusterState } from './state.js';

export interface Announce {
  ip: string;
  port: number;
  cport: number;
  hostname: string;
}

const EMPTY_SLOTS = new Uint8Array(SLOT_BITMAP_LEN);

export function buildHeader(st: ClusterState, type: number, ann: Announce): Header {
  const me = st.myself;
  const master = masterOf(st, me);
  return {
    type,
    port: ann.port,
    currentEpoch: st.currentEpoch,
    configEpoch: master?.configEpoch ?? 0,
    offset: me.replOffset,
    sender: me.id,
    myslots: master?.slots ?? EMPTY_SLOTS,
    slaveof: isReplica(me) ? me.masterId : null,
    myip: ann.ip,
    pport: 0,
    cport: ann.cport,
    // Tells our other nodes that we understand every extension (see receive.ts).
    flags: me.flags | NodeFlag.EXTENSIONS_SUPPORTED,
    state: st.ok ? 0 : 1,
    // PAUSED tells my replica doing a manual failover which offset to reach.
    mflags: isMaster(me) && st.mf.end !== 0 ? MFlag.PAUSED : 0,
  };
}

function gossipOf(n: ClusterNode): GossipEntry {
  return {
    id: n.id,
    pingSent: Math.floor(n.pingSent / 1000),
    pongReceived: Math.floor(n.pongReceived / 1000),
    ip: n.ip,
    port: n.port,
    cport: n.cport,
    flags: n.flags & ~NodeFlag.MYSELF,
    pport: n.pport,
  };
}

/**
 * PING/PONG/MEET with max(3, N/10) random healthy entries (capped at N-2) plus all PFAIL nodes.
 * Extensions: HOSTNAME to everyone (a 7.0 node forgets a hostname missing from any ping); SHARDID
 * and one FORGOTTEN_NODE per banned node only to `to` when it understands them (7.2 does the
 * same to every peer, and a 7.0 peer logs a warning per unknown extension). EXT_DATA is always
 * set, as 7.2.7+ does, so that those nodes send us theirs.
 */
export function buildPing(st: ClusterState, type: number, ann: Announce, to: ClusterNode | null = null, now = Date.now(), random: () => number = Math.random): BusMessage {
  const all = [...st.nodes.values()];
  const freshNodes = all.length - 2;
  let wanted = Math.max(3, Math.floor(all.length / 10));
  if (wanted > freshNodes) wanted = freshNodes;
  const picked = new Set<ClusterNode>();
  const gossip: GossipEntry[] = [];
  for (let tries = wanted * 3; tries > 0 && picked.size < wanted; tries--) {
    const n = all[Math.floor(random() * all.length)]!;
    if (n === st.myself || n.flags & NodeFlag.PFAIL) continue;
    if (inHandshake(n) || n.flags & NodeFlag.NOADDR || (!n.linked && n.numSlots === 0)) continue;
    if (picked.has(n)) continue;
    picked.add(n);
    gossip.push(gossipOf(n));
  }
  for (const n of all) if (n.flags & NodeFlag.PFAIL && n !== st.myself && !inHandshake(n)) gossip.push(gossipOf(n));
  const hostname = ann.hostname === '' ? null : ann.hostname;
  const header = buildHeader(st, type, ann);
  header.mflags |= MFlag.EXT_DATA;
  const body: BusMessage['body'] = { kind: 'ping', gossip, hostname, unknownExtensions: [] };
  if (to !== null && to.extSupported) {
    body.shardId = st.myself.shardId;
    const forgotten = forgottenNodes(st, now);
    if (forgotten.length > 0) body.forgotten = forgotten;
  }
  return { header, body };
}

/**
 * A ban goes out once it is this old. `redis-cli --cluster del-node` sends CLUSTER FORGET to every
 * node in turn and gives up at the first "Unknown node" error: a ban gossiped at once (a PONG
 * answers every PING) could reach a node before redis-cli does.
 */
export const FORGET_GOSSIP_DELAY_MS = 1000;

/** Banned node IDs with the ban's remaining whole seconds (Redis keeps the deadline in seconds). */
function forgottenNodes(st: ClusterState, now: number): ForgottenNode[] {
  const out: ForgottenNode[] = [];
  for (const [id, until] of st.blacklist) {
    if (until <= now || until - now > FORGET_BAN_MS - FORGET_GOSSIP_DELAY_MS) continue;
    out.push({ id, ttl: Math.floor((until - now) / 1000) });
  }
  return out;
}

export function buildFail(st: ClusterState, id: string, ann: Announce): BusMessage {
  return { header: buildHeader(st, MsgType.FAIL, ann), body: { kind: 'fail', id } };
}

export function buildUpdate(st: ClusterState, about: ClusterNode, ann: Announce): BusMessage {
  const slots = new Uint8Array(about.slots);
  for (let i = 0; i < slots.length; i++) slots[i]! &= ~st.notClaiming[i]!;
  return { header: buildHeader(st, MsgType.UPDATE, ann), body: { kind: 'update', configEpoch: about.configEpoch, id: about.id, slots } };
}

export function buildPublish(st: ClusterState, channel: string, message: string, sharded: boolean, ann: Announce): BusMessage {
  return { header: buildHeader(st, sharded ? MsgType.PUBLISHSHARD : MsgType.PUBLISH, ann), body: { kind: 'publish', channel, message } };
}
