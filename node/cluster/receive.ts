// What a bus message does to the cluster state (facts §2.8, §3, §4): sender identification,
// epochs, handshake completion, roles, slot ownership, gossip, FAIL, UPDATE and PUBLISH.
import { SLOT_COUNT } from '../../common/slots.js';
import { MFlag, MsgType, NodeFlag, slotBitGet, slotBitSet, type BusMessage, type ForgottenNode, type GossipEntry, type Header } from '../bus/messages.js';
import { countAuthAck, MANUAL_FAILOVER_TIMEOUT_MS } from './election.js';
import { addFailureReport, clearFailureIfNeeded, markFailingIfNeeded, removeFailureReport } from './failure.js';
import {
  addNode,
  addSlot,
  blacklisted,
  createNode,
  delSlot,
  delNodeSlots,
  inHandshake,
  isMaster,
  isReplica,
  masterOf,
  renameNode,
  setAsMaster,
  setMyMaster,
  setReplicaOf,
  updateShardId,
  type ClusterNode,
  type ClusterState,
  type Effect,
} from './state.js';

/** What the receiver knows about the link a message arrived on. */
export interface LinkView {
  outbound: boolean;
  /** The node the link belongs to (outbound: always; inbound: once identified). */
  node: ClusterNode | null;
  peerIp: string;
  localIp: string;
}

export interface ReceiveEnv {
  now: number;
  keysInSlot(slot: number): number;
}

export function receive(st: ClusterState, link: LinkView, msg: BusMessage, env: ReceiveEnv): Effect[] {
  const fx: Effect[] = [];
  const { header: h, body } = msg;
  const now = env.now;
  const type = h.type;
  if (type < st.stats.received.length) st.stats.received[type]!++;
  else {
    fx.push({ t: 'log', level: 'warn', msg: 'Received unknown packet type', fields: { type } });
    return fx;
  }
  let sender: ClusterNode | null = link.node !== null && !inHandshake(link.node) ? link.node : (st.nodes.get(h.sender) ?? null);
  if (sender !== null && inHandshake(sender)) sender = null;
  if (sender !== null && !link.outbound && link.node === null) fx.push({ t: 'bind-inbound', node: sender });
  if (sender !== null) sender.dataReceived = now;

  // A replica's header carries its master's configEpoch: what the sender had before this message
  // tells whether a master turning replica hands its slots to a newer master (applyRole).
  const senderEpochBefore = sender?.configEpoch ?? 0;
  if (sender !== null) {
    if (h.currentEpoch > st.currentEpoch) {
      st.currentEpoch = h.currentEpoch;
      fx.push({ t: 'save' });
    }
    if (h.configEpoch > sender.configEpoch) {
      sender.configEpoch = h.configEpoch;
      fx.push({ t: 'save' });
    }
    sender.replOffset = h.offset;
    if (isMaster(sender) && st.myself.masterId === sender.id && h.mflags & MFlag.PAUSED && st.mf.end !== 0 && st.mf.masterOffset === -1) {
      st.mf.masterOffset = h.offset;
      fx.push({ t: 'log', level: 'warn', msg: 'Received replication offset for paused master manual failover', fields: { offset: h.offset } });
    }
  }

  const pingLike = type === MsgType.PING || type === MsgType.PONG || type === MsgType.MEET;
  if (pingLike && body.kind === 'ping') {
    if ((type === MsgType.PING || type === MsgType.MEET) && (st.myself.ip === '' || type === MsgType.MEET) && st.opts.announceIp === '' && link.localIp !== '') {
      if (st.myself.ip !== link.localIp) {
        st.myself.ip = link.localIp;
        fx.push({ t: 'log', level: 'info', msg: 'IP address for this node updated', fields: { ip: link.localIp } }, { t: 'save' });
      }
    }
    if (sender === null && type === MsgType.MEET) {
      const n = createNode(randomHandshakeId(), NodeFlag.HANDSHAKE, now);
      n.ip = h.myip !== '' ? h.myip : link.peerIp;
      n.port = h.port;
      n.pport = h.pport;
      n.cport = h.cport;
      addNode(st, n);
      fx.push({ t: 'save' });
      processGossip(st, null, body.gossip, now, fx);
    }
    if (type === MsgType.PING || type === MsgType.MEET) fx.push({ t: 'reply-pong' });

    if (link.outbound && link.node !== null) {
      const ln = link.node;
      if (inHandshake(ln)) {
        if (sender !== null) {
          // Already known under its real name: refresh the address and drop the handshake entry.
          updateAddress(st, sender, linkAddress(h, link), h, fx);
          fx.push({ t: 'delete-node', node: ln });
          return fx;
        }
        fx.push({ t: 'log', level: 'info', msg: 'Handshake with node completed', fields: { node: h.sender } });
        renameNode(st, ln, h.sender);
        ln.flags &= ~NodeFlag.HANDSHAKE;
        ln.flags |= h.flags & (NodeFlag.MASTER | NodeFlag.SLAVE);
        fx.push({ t: 'save' });
      } else if (ln.id !== h.sender) {
        fx.push({ t: 'log', level: 'warn', msg: 'PONG from an unexpected node ID; marking the address invalid', fields: { expected: ln.id, got: h.sender } });
        ln.flags |= NodeFlag.NOADDR;
        ln.ip = '';
        ln.port = 0;
        ln.pport = 0;
        ln.cport = 0;
        fx.push({ t: 'free-link', node: ln }, { t: 'save' });
        return fx;
      }
    }
    if (sender !== null) {
      sender.hostname = body.hostname ?? '';
      if (!sender.extSupported && understandsExtensions(h, body)) sender.extSupported = true;
      // Without a SHARDID extension (7.0), a replica is in its master's shard, a master keeps
      // the ID chosen here for it.
      const shardId = body.shardId !== undefined && validNodeId(body.shardId) ? body.shardId : masterOf(st, sender)?.shardId;
      if (shardId !== undefined && updateShardId(st, sender, shardId)) fx.push({ t: 'save' });
    }
    if (sender !== null && body.forgotten !== undefined) forgetGossiped(st, body.forgotten, now, fx);
    if (!link.outbound && type === MsgType.PING && sender !== null) updateAddress(st, sender, linkAddress(h, link), h, fx);

    if (link.outbound && link.node !== null && type === MsgType.PONG) {
      const ln = link.node;
      ln.pongReceived = now;
      ln.pingSent = 0;
      if (ln.flags & NodeFlag.PFAIL) {
        ln.flags &= ~NodeFlag.PFAIL;
        fx.push({ t: 'update-state' });
      } else clearFailureIfNeeded(st, ln, now, fx);
    }

    if (sender === null) return fx;
    applyRole(st, sender, h, senderEpochBefore, fx);

    const senderMaster = masterOf(st, sender);
    const dirty = senderMaster !== null && !bitmapEquals(senderMaster.slots, h.myslots);
    if (isMaster(sender) && dirty) updateSlotsFrom(st, sender, h.configEpoch, h.myslots, env, fx);
    if (dirty) {
      // Slots the sender claims but another node holds. A node's bitmap mirrors the owner table
      // (addSlot/delSlot), so whole bytes it already holds are skipped: every node runs this
      // for each slot move it hears of during a reshard.
      const claims = h.myslots;
      const held = sender.slots;
      scan: for (let i = 0; i < claims.length; i++) {
        if ((claims[i]! & ~held[i]!) === 0) continue;
        for (let s = i << 3; s < (i + 1) << 3; s++) {
          if (!slotBitGet(claims, s)) continue;
          const owner = st.owners[s];
          if (owner === null || owner === undefined || owner === sender) continue;
          if (owner.configEpoch > h.configEpoch) {
            fx.push({ t: 'send-update', to: sender, about: owner });
            break scan;
          }
        }
      }
    }
    if (isMaster(sender) && isMaster(st.myself) && h.configEpoch === st.myself.configEpoch && sender.id > st.myself.id) {
      st.currentEpoch++;
      st.myself.configEpoch = st.currentEpoch;
      fx.push({ t: 'log', level: 'warn', msg: 'configEpoch collision resolved', fields: { with: sender.id, configEpoch: st.myself.configEpoch } }, { t: 'save' });
    }
    processGossip(st, sender, body.gossip, now, fx);
    return fx;
  }

  if (sender === null) return fx;
  switch (body.kind) {
    case 'fail': {
      const failing = st.nodes.get(body.id);
      if (failing !== undefined && failing !== st.myself && (failing.flags & NodeFlag.FAIL) === 0) {
        fx.push({ t: 'log', level: 'info', msg: 'FAIL message received', fields: { from: sender.id, about: failing.id } });
        failing.flags = (failing.flags | NodeFlag.FAIL) & ~NodeFlag.PFAIL;
        failing.failTime = now;
        fx.push({ t: 'update-state' }, { t: 'save' });
      }
      break;
    }
    case 'publish':
      fx.push({ t: 'publish', channel: body.channel, message: body.message, sharded: type === MsgType.PUBLISHSHARD });
      break;
    case 'empty':
      if (type === MsgType.FAILOVER_AUTH_REQUEST) voteIfNeeded(st, sender, h, now, fx);
      else if (type === MsgType.FAILOVER_AUTH_ACK) {
        if (countAuthAck(st, sender, h.currentEpoch)) fx.push({ t: 'election-check' });
      } else if (type === MsgType.MFSTART) {
        // Only my own replica may start a manual failover with me.
        if (isReplica(sender) && sender.masterId === st.myself.id && isMaster(st.myself)) {
          // The replica repeats MFSTART until it sees my PAUSED offset: keep the first deadline.
          if (st.mf.end === 0 || st.mf.replicaId !== sender.id) {
            st.mf = { end: now + MANUAL_FAILOVER_TIMEOUT_MS, canStart: false, masterOffset: -1, replicaId: sender.id };
            fx.push({ t: 'log', level: 'warn', msg: 'Manual failover requested by replica', fields: { replica: sender.id } });
          }
          fx.push({ t: 'ping-node', to: sender });
        }
      }
      break;
    case 'update': {
      const n = st.nodes.get(body.id);
      if (n === undefined || n.configEpoch >= body.configEpoch) break;
      if (isReplica(n)) setAsMaster(st, n);
      n.configEpoch = body.configEpoch;
      fx.push({ t: 'save' });
      updateSlotsFrom(st, n, body.configEpoch, body.slots, env, fx);
      break;
    }
    default:
      break;
  }
  return fx;
}

/** Grants a replica's failover request when every rule of facts §5.2 holds. */
function voteIfNeeded(st: ClusterState, requester: ClusterNode, h: Header, now: number, fx: Effect[]): void {
  const me = st.myself;
  if (!isMaster(me) || me.numSlots === 0) return;
  if (h.currentEpoch < st.currentEpoch || st.lastVoteEpoch === st.currentEpoch) return;
  const master = isReplica(requester) && requester.masterId !== null ? st.nodes.get(requester.masterId) : undefined;
  if (master === undefined) return;
  if ((master.flags & NodeFlag.FAIL) === 0 && (h.mflags & MFlag.FORCEACK) === 0) return;
  if (now - master.votedTime < st.opts.nodeTimeout * 2) return;
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (!slotBitGet(h.myslots, s)) continue;
    const owner = st.owners[s];
    if (owner === null || owner === undefined || owner.configEpoch <= h.configEpoch) continue;
    return;
  }
  st.lastVoteEpoch = st.currentEpoch;
  master.votedTime = now;
  fx.push({ t: 'log', level: 'warn', msg: 'Failover auth granted', fields: { to: requester.id, epoch: st.currentEpoch } }, { t: 'send-auth-ack', to: requester });
}

function randomHandshakeId(): string {
  let s = '';
  for (let i = 0; i < 40; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

function linkAddress(h: Header, link: LinkView): string {
  return h.myip !== '' ? h.myip : link.peerIp;
}

function updateAddress(st: ClusterState, n: ClusterNode, ip: string, h: Header, fx: Effect[]): void {
  if (n === st.myself) return;
  if (n.ip === ip && n.port === h.port && n.cport === h.cport && n.pport === h.pport) return;
  n.ip = ip;
  n.port = h.port;
  n.cport = h.cport;
  n.pport = h.pport;
  n.flags &= ~NodeFlag.NOADDR;
  fx.push({ t: 'log', level: 'info', msg: 'Address updated for node', fields: { node: n.id, ip, port: h.port } }, { t: 'free-link', node: n }, { t: 'save' });
}

function applyRole(st: ClusterState, sender: ClusterNode, h: Header, senderEpochBefore: number, fx: Effect[]): void {
  if (h.slaveof === null) {
    if (isReplica(sender)) {
      setAsMaster(st, sender);
      fx.push({ t: 'update-state' }, { t: 'save' });
    }
    return;
  }
  const master = st.nodes.get(h.slaveof);
  if (isMaster(sender)) {
    // A master that gave its last slot away turns into a replica of the slot's taker (SETSLOT
    // NODE or gossip with replica migration). Its role change and the taker's claim come over
    // different links: if the role change is read first, Redis leaves the sender's slots
    // unassigned until the claim arrives, and clients asking this node meanwhile get
    // "CLUSTERDOWN Hash slot not served" (and CLUSTER SLOTS has a hole, which node-redis trips
    // on). The slots go to the new master instead when its configEpoch is newer.
    if (master !== undefined && master !== sender && isMaster(master) && master.configEpoch > senderEpochBefore) {
      for (let s = 0; s < SLOT_COUNT; s++) {
        if (st.owners[s] !== sender) continue;
        delSlot(st, s);
        addSlot(st, master, s);
      }
    } else delNodeSlots(st, sender);
    sender.flags = (sender.flags & ~(NodeFlag.MASTER | NodeFlag.MIGRATE_TO)) | NodeFlag.SLAVE;
    fx.push({ t: 'update-state' }, { t: 'save' });
  }
  const mid = master !== undefined ? master.id : null;
  if (sender.masterId !== mid) {
    setReplicaOf(st, sender, mid);
    fx.push({ t: 'save' });
  }
}

/** Set bits of every byte value. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x !== 0; x &= x - 1) n++;
  return n;
});

function bitmapEquals(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Rebinds slots claimed by `sender` whose current binding has a lower configEpoch (facts §4.2). */
export function updateSlotsFrom(st: ClusterState, sender: ClusterNode, senderEpoch: number, slots: Uint8Array, env: ReceiveEnv, fx: Effect[]): void {
  const me = st.myself;
  if (sender === me) return;
  const curMaster = isMaster(me) ? me : masterOf(st, me);
  let newMaster: ClusterNode | null = null;
  let migratedOurs = 0;
  let senderSlots = 0;
  const dirty: number[] = [];
  for (let i = 0; i < slots.length; i++) {
    const claimed = slots[i]!;
    if (claimed === sender.slots[i]) {
      // The common case, a byte of slots already bound to the sender (its bitmap mirrors the
      // owner table): nothing to rebind, and nothing here that it stopped claiming.
      if (claimed !== 0) {
        senderSlots += POPCOUNT[claimed]!;
        st.notClaiming[i]! &= ~claimed;
      }
      continue;
    }
    for (let s = i << 3; s < (i + 1) << 3; s++) {
      if (slotBitGet(slots, s)) {
        senderSlots++;
        const owner = st.owners[s] ?? null;
        if (owner === sender) {
          slotBitSet(st.notClaiming, s, false);
          continue;
        }
        if (st.importing.has(s)) continue;
        if (owner === null || owner.configEpoch < senderEpoch || slotBitGet(st.notClaiming, s)) {
          if (owner === me && env.keysInSlot(s) > 0) dirty.push(s);
          if (owner !== null && owner === curMaster) {
            newMaster = sender;
            migratedOurs++;
          }
          delSlot(st, s);
          addSlot(st, sender, s);
          fx.push({ t: 'update-state' }, { t: 'save-slots' });
        }
      } else if (st.owners[s] === sender) {
        slotBitSet(st.notClaiming, s, true);
      }
    }
  }
  if (newMaster !== null && curMaster !== null && curMaster.numSlots === 0 && (st.opts.allowReplicaMigration || senderSlots === migratedOurs)) {
    fx.push({ t: 'log', level: 'warn', msg: 'Configuration change detected. Reconfiguring myself as a replica', fields: { master: sender.id } });
    setMyMaster(st, sender);
    fx.push({ t: 'update-state' }, { t: 'save' });
  } else if (dirty.length > 0) {
    fx.push({ t: 'drop-slot-keys', slots: dirty });
  }
}

function processGossip(st: ClusterState, sender: ClusterNode | null, gossip: readonly GossipEntry[], now: number, fx: Effect[]): void {
  for (const g of gossip) {
    const node = st.nodes.get(g.id);
    if (node !== undefined) {
      if (sender !== null && isMaster(sender) && node !== st.myself) {
        if (g.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) {
          addFailureReport(node, sender, now);
          markFailingIfNeeded(st, node, now, fx);
        } else removeFailureReport(node, sender);
      }
      if ((g.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) === 0 && node.pingSent === 0 && node.failReports.size === 0) {
        const pongTime = g.pongReceived * 1000;
        if (pongTime <= now + 500 && pongTime > node.pongReceived) node.pongReceived = pongTime;
      }
      if (
        node !== st.myself &&
        node.flags & (NodeFlag.FAIL | NodeFlag.PFAIL) &&
        (g.flags & (NodeFlag.NOADDR | NodeFlag.FAIL | NodeFlag.PFAIL)) === 0 &&
        (node.ip !== g.ip || node.port !== g.port || node.cport !== g.cport)
      ) {
        node.ip = g.ip;
        node.port = g.port;
        node.cport = g.cport;
        node.pport = g.pport;
        node.flags &= ~NodeFlag.NOADDR;
        fx.push({ t: 'free-link', node });
      }
    } else if (sender !== null && (g.flags & NodeFlag.NOADDR) === 0 && !blacklisted(st, g.id, now) && validNodeId(g.id)) {
      const n = createNode(g.id, g.flags & (NodeFlag.MASTER | NodeFlag.SLAVE | NodeFlag.NOFAILOVER), now);
      n.ip = g.ip;
      n.port = g.port;
      n.cport = g.cport;
      n.pport = g.pport;
      addNode(st, n);
      fx.push({ t: 'log', level: 'info', msg: 'Node learned from gossip', fields: { node: g.id, from: sender.id } }, { t: 'save' });
    }
  }
}

/** A 7.2+ peer's FORGET travels in its pings: ban and drop the node here too (not myself or my master). */
function forgetGossiped(st: ClusterState, forgotten: readonly ForgottenNode[], now: number, fx: Effect[]): void {
  for (const f of forgotten) {
    const n = st.nodes.get(f.id);
    if (n === undefined || n === st.myself || (isReplica(st.myself) && st.myself.masterId === n.id)) continue;
    st.blacklist.set(f.id, now + f.ttl * 1000);
    fx.push({ t: 'log', level: 'info', msg: 'Forgetting node at the request of a peer', fields: { node: f.id, ttl: f.ttl } }, { t: 'delete-node', node: n }, { t: 'update-state' }, { t: 'save' });
  }
}

/**
 * Whether a PING/PONG/MEET shows that its sender understands extensions beyond HOSTNAME: our
 * nodes say so in their header flags, Redis 7.2.0-7.2.6 always sends SHARDID, 7.2.7+ and Valkey
 * set EXT_DATA on every message (with no extension until they know we understand them). A 7.0
 * node sets EXT_DATA only to carry HOSTNAME, and must never get the other types: it logs a
 * warning for every unknown extension it receives.
 */
function understandsExtensions(h: Header, body: { hostname: string | null; unknownExtensions: readonly number[]; forgotten?: readonly ForgottenNode[]; shardId?: string }): boolean {
  if (h.flags & NodeFlag.EXTENSIONS_SUPPORTED) return true;
  if ((h.mflags & MFlag.EXT_DATA) === 0) return false;
  const beyondHostname = body.unknownExtensions.length + (body.forgotten?.length ?? 0) + (body.shardId !== undefined ? 1 : 0);
  return beyondHostname > 0 || body.hostname === null;
}

function validNodeId(id: string): boolean {
  return /^[0-9a-z]{40}$/.test(id);
}
