// Building the messages this node sends (facts §2.2-2.5): own header, PING/PONG/MEET with gossip
// about a few random nodes plus every PFAIL node, FAIL, UPDATE and PUBLISH.
import { MFlag, MsgType, NodeFlag, SLOT_BITMAP_LEN, type BusMessage, type GossipEntry, type Header } from '../bus/messages.js';
import { inHandshake, isMaster, isReplica, masterOf, type ClusterNode, type ClusterState } from './state.js';

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
    flags: me.flags,
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

/** PING/PONG/MEET with max(3, N/10) random healthy entries (capped at N-2) plus all PFAIL nodes. */
export function buildPing(st: ClusterState, type: number, ann: Announce, random: () => number = Math.random): BusMessage {
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
  return { header: buildHeader(st, type, ann), body: { kind: 'ping', gossip, hostname, unknownExtensions: [] } };
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
