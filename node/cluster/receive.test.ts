import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SLOT_COUNT } from '../../common/slots.js';
import { receive, type LinkView } from './receive.js';
import { addSlot, createNode, createState, setMyMaster, startHandshake, updateState, type ClusterNode, type ClusterState } from './state.js';
import { decodeMessage, encodeMessage, MFlag, MsgType, NodeFlag, SLOT_BITMAP_LEN, slotBitGet, slotBitSet, type BusMessage, type GossipEntry, type Header } from '../bus/messages.js';
import { buildPing } from './outgoing.js';
import { FORGET_BAN_MS } from './state.js';
import { detectPfail } from './failure.js';

const ID = (c: string) => c.repeat(40);
const OPTS = { nodeTimeout: 1000, requireFullCoverage: true, allowReplicaMigration: true, announceIp: '' };
const env = (now: number) => ({ now, keysInSlot: () => 0 });

function hdr(over: Partial<Header>): Header {
  return {
    type: MsgType.PING,
    port: 7001,
    currentEpoch: 0,
    configEpoch: 0,
    offset: 0,
    sender: ID('b'),
    myslots: new Uint8Array(SLOT_BITMAP_LEN),
    slaveof: null,
    myip: '',
    pport: 0,
    cport: 17001,
    flags: NodeFlag.MASTER | NodeFlag.MYSELF,
    state: 0,
    mflags: 0,
    ...over,
  };
}

function ping(over: Partial<Header>, gossip: GossipEntry[] = []): BusMessage {
  return { header: hdr(over), body: { kind: 'ping', gossip, hostname: null, unknownExtensions: [] } };
}

function known(st: ClusterState, c: string, port: number): ClusterNode {
  const n = createNode(ID(c), NodeFlag.MASTER, 0);
  Object.assign(n, { ip: '127.0.0.1', port, cport: port + 10000 });
  st.nodes.set(n.id, n);
  return n;
}

const inbound = (node: ClusterNode | null = null): LinkView => ({ outbound: false, node, peerIp: '127.0.0.1', localIp: '127.0.0.1' });

describe('receive', () => {
  it('MEET from an unknown node: handshake entry, own IP learned, PONG reply', () => {
    const st = createState(ID('a'), OPTS, 0);
    const fx = receive(st, inbound(), ping({ type: MsgType.MEET }), env(10));
    expect(st.myself.ip).toBe('127.0.0.1');
    const hs = [...st.nodes.values()].find((n) => n.flags & NodeFlag.HANDSHAKE)!;
    expect(hs.port).toBe(7001);
    expect(hs.cport).toBe(17001);
    expect(fx.some((e) => e.t === 'reply-pong')).toBe(true);
  });

  it('PONG on the outbound link of a handshake node renames it and copies its role', () => {
    const st = createState(ID('a'), OPTS, 0);
    startHandshake(st, '127.0.0.1', 7001, 17001, 0);
    const hs = [...st.nodes.values()].find((n) => n.flags & NodeFlag.HANDSHAKE)!;
    receive(st, { outbound: true, node: hs, peerIp: '127.0.0.1', localIp: '127.0.0.1' }, ping({ type: MsgType.PONG }), env(10));
    expect(st.nodes.get(ID('b'))).toBe(hs);
    expect(hs.flags & NodeFlag.HANDSHAKE).toBe(0);
    expect(hs.flags & NodeFlag.MASTER).toBe(NodeFlag.MASTER);
    expect(hs.pongReceived).toBe(10);
  });

  it('handshake with an already known node drops the handshake entry', () => {
    const st = createState(ID('a'), OPTS, 0);
    known(st, 'b', 7001);
    startHandshake(st, '127.0.0.1', 7001, 17001, 0);
    const hs = [...st.nodes.values()].find((n) => n.flags & NodeFlag.HANDSHAKE)!;
    const fx = receive(st, { outbound: true, node: hs, peerIp: '127.0.0.1', localIp: '127.0.0.1' }, ping({ type: MsgType.PONG }), env(10));
    expect(fx).toContainEqual({ t: 'delete-node', node: hs });
  });

  it('learns gossiped nodes from known senders, except blacklisted ones', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    st.blacklist.set(ID('d'), 60_000);
    const g = (c: string): GossipEntry => ({ id: ID(c), pingSent: 0, pongReceived: 0, ip: '127.0.0.1', port: 7002, cport: 17002, flags: NodeFlag.MASTER, pport: 0 });
    receive(st, inbound(b), ping({}, [g('c'), g('d')]), env(10));
    expect(st.nodes.has(ID('c'))).toBe(true);
    expect(st.nodes.has(ID('d'))).toBe(false);
  });

  it('FORGOTTEN_NODE extension from a known sender: bans and drops the node, never myself or my master', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    const c = known(st, 'c', 7002);
    known(st, 'd', 7003);
    st.myself.flags = NodeFlag.SLAVE | NodeFlag.MYSELF;
    st.myself.masterId = ID('d');
    const msg = ping({});
    if (msg.body.kind === 'ping') msg.body.forgotten = [{ id: ID('c'), ttl: 50 }, { id: ID('a'), ttl: 50 }, { id: ID('d'), ttl: 50 }, { id: ID('e'), ttl: 50 }];
    const fx = receive(st, inbound(b), msg, env(1000));
    expect(fx).toContainEqual({ t: 'delete-node', node: c });
    expect(fx.filter((e) => e.t === 'delete-node')).toHaveLength(1);
    expect(st.blacklist.get(ID('c'))).toBe(51_000);
    expect(st.blacklist.has(ID('d'))).toBe(false);
    // A forgotten node is not learned back from gossip while banned.
    const g: GossipEntry = { id: ID('c'), pingSent: 0, pongReceived: 0, ip: '127.0.0.1', port: 7002, cport: 17002, flags: NodeFlag.MASTER, pport: 0 };
    st.nodes.delete(ID('c'));
    receive(st, inbound(b), ping({}, [g]), env(2000));
    expect(st.nodes.has(ID('c'))).toBe(false);
  });

  it('takes slots from a sender with a higher configEpoch and sends UPDATE to a stale claimer', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    const c = known(st, 'c', 7002);
    c.configEpoch = 5;
    addSlot(st, c, 10);
    const slots = new Uint8Array(SLOT_BITMAP_LEN);
    slotBitSet(slots, 10, true);
    slotBitSet(slots, 11, true);
    const fx = receive(st, inbound(b), ping({ configEpoch: 3, myslots: slots }), env(10));
    expect(st.owners[11]).toBe(b);
    expect(st.owners[10]).toBe(c);
    expect(fx).toContainEqual({ t: 'send-update', to: b, about: c });
    receive(st, inbound(b), ping({ configEpoch: 6, myslots: slots }), env(20));
    expect(st.owners[10]).toBe(b);
  });

  it('sends UPDATE about the first claimed slot a newer node holds (byte-skipping scan vs the per-slot rule)', () => {
    // Owners are drawn per 64-slot block so that some bytes are wholly the sender's, some mixed.
    const table = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: SLOT_COUNT / 64, maxLength: SLOT_COUNT / 64 });
    const claims = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: SLOT_BITMAP_LEN, maxLength: SLOT_BITMAP_LEN });
    fc.assert(
      fc.property(table, claims, fc.integer({ min: 0, max: 6 }), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 2, maxLength: 2 }), (blocks, bytes, senderEpoch, epochs) => {
        const st = createState(ID('a'), OPTS, 0);
        const b = known(st, 'b', 7001);
        const c = known(st, 'c', 7002);
        const d = known(st, 'd', 7003);
        b.configEpoch = senderEpoch;
        c.configEpoch = epochs[0]!;
        d.configEpoch = epochs[1]!;
        const who = [null, b, c, d];
        for (let s = 0; s < SLOT_COUNT; s++) {
          const n = who[blocks[s >> 6]!];
          if (n) addSlot(st, n, s);
        }
        const slots = Uint8Array.from(bytes);
        const fx = receive(st, inbound(b), ping({ configEpoch: senderEpoch, myslots: slots }), env(10));
        let expected: ClusterNode | null = null;
        for (let s = 0; s < SLOT_COUNT && expected === null; s++) {
          if (!slotBitGet(slots, s)) continue;
          const o = st.owners[s];
          if (o && o !== b && o.configEpoch > senderEpoch) expected = o;
        }
        const updates = fx.filter((e) => e.t === 'send-update');
        expect(updates).toEqual(expected === null ? [] : [{ t: 'send-update', to: b, about: expected }]);
      }),
      { numRuns: 200 },
    );
  });

  it('resolves a configEpoch collision: the node with the smaller ID moves', () => {
    const st = createState(ID('a'), OPTS, 0);
    st.myself.configEpoch = 2;
    st.currentEpoch = 2;
    const b = known(st, 'b', 7001);
    receive(st, inbound(b), ping({ configEpoch: 2, currentEpoch: 2 }), env(10));
    expect(st.myself.configEpoch).toBe(3);
    expect(st.currentEpoch).toBe(3);
  });

  it('UPDATE with a newer epoch rebinds the slots it lists', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    const c = known(st, 'c', 7002);
    addSlot(st, b, 1);
    const slots = new Uint8Array(SLOT_BITMAP_LEN);
    slotBitSet(slots, 1, true);
    receive(st, inbound(b), { header: hdr({ type: MsgType.UPDATE }), body: { kind: 'update', configEpoch: 9, id: c.id, slots } }, env(10));
    expect(c.configEpoch).toBe(9);
    expect(st.owners[1]).toBe(c);
  });

  it('PFAIL after the node timeout, FAIL with a majority of reports, FAIL message from others', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    const c = known(st, 'c', 7002);
    const d = known(st, 'd', 7003);
    for (let s = 0; s < 16384; s++) addSlot(st, s < 5000 ? st.myself : s < 10000 ? b : c, s);
    st.firstStateEval = -10_000;
    updateState(st, 0);
    expect(st.size).toBe(3);
    c.pingSent = 100;
    c.dataReceived = 50;
    const fx: never[] = [];
    detectPfail(st, c, 1200, fx);
    expect(c.flags & NodeFlag.PFAIL).toBe(NodeFlag.PFAIL);
    const report: GossipEntry = { id: c.id, pingSent: 0, pongReceived: 0, ip: '127.0.0.1', port: 7002, cport: 17002, flags: NodeFlag.MASTER | NodeFlag.PFAIL, pport: 0 };
    const out = receive(st, inbound(b), ping({}, [report]), env(1300));
    expect(c.flags & NodeFlag.FAIL).toBe(NodeFlag.FAIL);
    expect(out).toContainEqual({ t: 'broadcast-fail', id: c.id });
    receive(st, inbound(b), { header: hdr({ type: MsgType.FAIL }), body: { kind: 'fail', id: d.id } }, env(1400));
    expect(d.flags & NodeFlag.FAIL).toBe(NodeFlag.FAIL);
    updateState(st, 1500);
    expect(st.ok).toBe(false);
  });

  it('a replica sender loses its slots and points at its master', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    const c = known(st, 'c', 7002);
    addSlot(st, b, 3);
    receive(st, inbound(b), ping({ slaveof: c.id, flags: NodeFlag.SLAVE | NodeFlag.MYSELF }), env(10));
    expect(b.flags & NodeFlag.SLAVE).toBe(NodeFlag.SLAVE);
    expect(b.masterId).toBe(c.id);
    expect(st.owners[3]).toBeNull();
  });

  it('a master turned replica of a newer master hands its slots to it: no unassigned slot meanwhile', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    const c = known(st, 'c', 7002);
    b.configEpoch = 2;
    c.configEpoch = 7;
    addSlot(st, b, 3);
    addSlot(st, c, 4);
    // b gave slot 3 to c and became c's replica; b's PING is read before c's claim.
    receive(st, inbound(b), ping({ slaveof: c.id, configEpoch: 7, flags: NodeFlag.SLAVE | NodeFlag.MYSELF }), env(10));
    expect(b.flags & NodeFlag.SLAVE).toBe(NodeFlag.SLAVE);
    expect(st.owners[3]).toBe(c);
    expect(st.owners[4]).toBe(c);
    expect(b.numSlots).toBe(0);
  });
});

describe('ping extensions beyond HOSTNAME', () => {
  const withBody = (over: Partial<Header>, body: Partial<Extract<BusMessage['body'], { kind: 'ping' }>>): BusMessage => {
    const m = ping(over);
    Object.assign(m.body, body);
    return m;
  };

  it('marks a peer as understanding them from what it sends, never a 7.0 node sending only HOSTNAME', () => {
    const cases: [string, BusMessage, boolean][] = [
      ['7.0, no hostname', ping({}), false],
      ['7.0 with a hostname', withBody({ mflags: MFlag.EXT_DATA }, { hostname: 'h' }), false],
      ['7.2.0: SHARDID', withBody({ mflags: MFlag.EXT_DATA }, { shardId: ID('9') }), true],
      ['7.2: HUMAN_NODENAME', withBody({ mflags: MFlag.EXT_DATA }, { hostname: 'h', unknownExtensions: [1] }), true],
      ['7.2.7+: EXT_DATA with no extension', ping({ mflags: MFlag.EXT_DATA }), true],
      ['ours: header flag, hostname only', withBody({ mflags: MFlag.EXT_DATA, flags: NodeFlag.MASTER | NodeFlag.MYSELF | NodeFlag.EXTENSIONS_SUPPORTED }, { hostname: 'h' }), true],
    ];
    for (const [what, msg, want] of cases) {
      const st = createState(ID('a'), OPTS, 0);
      const b = known(st, 'b', 7001);
      receive(st, inbound(b), msg, env(10));
      expect([what, b.extSupported]).toEqual([what, want]);
    }
  });

  it('SHARDID sets the sender shard and mine when the sender is my master; without it a replica joins its master shard', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    setMyMaster(st, b);
    expect(st.myself.shardId).toBe(b.shardId);
    const fx = receive(st, inbound(b), withBody({ mflags: MFlag.EXT_DATA }, { shardId: ID('9') }), env(10));
    expect(b.shardId).toBe(ID('9'));
    expect(st.myself.shardId).toBe(ID('9'));
    expect(fx).toContainEqual({ t: 'save' });
    const c = known(st, 'c', 7002);
    receive(st, inbound(c), ping({ flags: NodeFlag.SLAVE | NodeFlag.MYSELF, slaveof: ID('b') }), env(20));
    expect(c.shardId).toBe(ID('9'));
    // A junk shard ID is ignored.
    receive(st, inbound(b), withBody({ mflags: MFlag.EXT_DATA }, { shardId: 'x'.repeat(39) + '!' }), env(30));
    expect(b.shardId).toBe(ID('9'));
  });

  it('buildPing sends SHARDID and FORGOTTEN_NODE only to a peer that understands them, EXT_DATA always', () => {
    const st = createState(ID('a'), OPTS, 0);
    const b = known(st, 'b', 7001);
    st.blacklist.set(ID('c'), 40_500);
    st.blacklist.set(ID('d'), 500);
    // Just banned (CLUSTER FORGET a moment ago): not yet, redis-cli may still be sending FORGETs.
    st.blacklist.set(ID('e'), 1000 + FORGET_BAN_MS - 200);
    const ann = { ip: '', port: 7000, cport: 17000, hostname: 'a.example' };
    const plain = buildPing(st, MsgType.PING, ann, b, 1000);
    expect(plain.header.mflags & MFlag.EXT_DATA).toBe(MFlag.EXT_DATA);
    expect(plain.header.flags & NodeFlag.EXTENSIONS_SUPPORTED).toBe(NodeFlag.EXTENSIONS_SUPPORTED);
    expect(plain.body).toMatchObject({ hostname: 'a.example' });
    expect(plain.body).not.toHaveProperty('shardId');
    expect(plain.body).not.toHaveProperty('forgotten');
    b.extSupported = true;
    const full = buildPing(st, MsgType.PING, ann, b, 1000);
    expect(full.body).toMatchObject({ hostname: 'a.example', shardId: st.myself.shardId, forgotten: [{ id: ID('c'), ttl: 39 }] });
    // The frame a 7.0 node gets carries HOSTNAME only.
    const r = decodeMessage(encodeMessage(plain));
    expect(r.ok && r.msg.body.kind === 'ping' && r.msg.body.hostname).toBe('a.example');
    expect(encodeMessage(plain).readUInt16BE(2214)).toBe(1);
  });
});
