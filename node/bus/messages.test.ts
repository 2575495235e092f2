import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMessage,
  FrameReader,
  HEADER_LEN,
  MAX_FRAME_LEN,
  MsgType,
  SLOT_BITMAP_LEN,
  type Body,
  type BusMessage,
  type Header,
} from './messages.js';

const hexId = fc.stringMatching(/^[0-9a-f]{40}$/);
const u16 = fc.integer({ min: 0, max: 0xffff });
const epoch = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const ipText = fc.oneof(fc.constant(''), fc.ipV4(), fc.ipV6());
const bitmap = fc.uint8Array({ minLength: SLOT_BITMAP_LEN, maxLength: SLOT_BITMAP_LEN });
const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 64 });

const header = (type: fc.Arbitrary<number>): fc.Arbitrary<Header> =>
  fc.record({
    type,
    port: u16,
    currentEpoch: epoch,
    configEpoch: epoch,
    offset: epoch,
    sender: hexId,
    myslots: bitmap,
    slaveof: fc.option(hexId, { nil: null }),
    myip: ipText,
    pport: u16,
    cport: u16,
    flags: u16,
    state: fc.integer({ min: 0, max: 1 }),
    mflags: fc.integer({ min: 0, max: 7 }),
  });

const gossip = fc.record({
  id: hexId,
  pingSent: fc.integer({ min: 0, max: 0xffffffff }),
  pongReceived: fc.integer({ min: 0, max: 0xffffffff }),
  ip: ipText,
  port: u16,
  cport: u16,
  flags: u16,
  pport: u16,
});

const message: fc.Arbitrary<BusMessage> = fc.oneof(
  fc.record({
    header: header(fc.constantFrom(MsgType.PING, MsgType.PONG, MsgType.MEET)),
    body: fc.record({
      kind: fc.constant('ping' as const),
      gossip: fc.array(gossip, { maxLength: 8 }),
      hostname: fc.option(fc.stringMatching(/^[a-z0-9.-]{1,40}$/), { nil: null }),
      unknownExtensions: fc.constant([] as number[]),
      forgotten: fc.array(fc.record({ id: hexId, ttl: epoch }), { minLength: 1, maxLength: 3 }),
      shardId: hexId,
    }, { requiredKeys: ['kind', 'gossip', 'hostname', 'unknownExtensions'] }),
  }),
  fc.record({ header: header(fc.constant(MsgType.FAIL)), body: fc.record({ kind: fc.constant('fail' as const), id: hexId }) }),
  fc.record({
    header: header(fc.constantFrom(MsgType.PUBLISH, MsgType.PUBLISHSHARD)),
    body: fc.record({ kind: fc.constant('publish' as const), channel: latin1, message: latin1 }),
  }),
  fc.record({
    header: header(fc.constant(MsgType.UPDATE)),
    body: fc.record({ kind: fc.constant('update' as const), configEpoch: epoch, id: hexId, slots: bitmap }),
  }),
  fc.record({ header: header(fc.constantFrom(MsgType.FAILOVER_AUTH_REQUEST, MsgType.FAILOVER_AUTH_ACK, MsgType.MFSTART)), body: fc.constant({ kind: 'empty' } as Body) }),
);

function normalise(m: BusMessage): BusMessage {
  // EXT_DATA is derived from the body by the encoder (a PING/PONG/MEET may carry it with no extension).
  if (m.body.kind !== 'ping') return { header: { ...m.header, mflags: m.header.mflags & ~4 }, body: m.body };
  const ext = m.body.hostname !== null || m.body.forgotten !== undefined || m.body.shardId !== undefined;
  return { header: { ...m.header, mflags: ext ? m.header.mflags | 4 : m.header.mflags }, body: m.body };
}

describe('bus message codec', () => {
  it('round-trips every message kind', () => {
    fc.assert(
      fc.property(message, (m) => {
        const buf = encodeMessage(m);
        const r = decodeMessage(buf);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const want = normalise(m);
        expect({ ...r.msg.header, myslots: [...r.msg.header.myslots] }).toEqual({ ...want.header, myslots: [...want.header.myslots] });
        if (m.body.kind === 'update' && r.msg.body.kind === 'update') expect([...r.msg.body.slots]).toEqual([...m.body.slots]);
        else expect(r.msg.body).toEqual(m.body);
        expect(encodeMessage(r.msg).equals(buf)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes and only accepts well-formed frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const r = decodeMessage(Buffer.from(bytes));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated valid frames', () => {
    fc.assert(
      fc.property(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), (m, edits, cut) => {
        const buf = Buffer.from(encodeMessage(m));
        for (const [pos, val] of edits) buf[pos % buf.length] = val;
        decodeMessage(buf);
        const truncated = buf.subarray(0, cut % buf.length);
        const r = decodeMessage(truncated);
        expect(r.ok).toBe(false);
        const reader = new FrameReader();
        reader.feed(buf);
        for (let i = 0; i < 4; i++) {
          const f = reader.take();
          if (f === null) break;
          decodeMessage(f);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects bad signatures, short and oversized lengths at the framing layer', () => {
    const good = encodeMessage({
      header: { type: 0, port: 1, currentEpoch: 0, configEpoch: 0, offset: 0, sender: 'a'.repeat(40), myslots: new Uint8Array(SLOT_BITMAP_LEN), slaveof: null, myip: '', pport: 0, cport: 2, flags: 17, state: 1, mflags: 0 },
      body: { kind: 'ping', gossip: [], hostname: null, unknownExtensions: [] },
    });
    const bad = Buffer.from(good);
    bad.write('XXXX', 0, 'latin1');
    const r1 = new FrameReader();
    r1.feed(bad);
    expect(r1.take()).toBeNull();
    expect(r1.error).toMatch(/signature/);
    const short = Buffer.from(good);
    short.writeUInt32BE(100, 4);
    const r2 = new FrameReader();
    r2.feed(short);
    expect(r2.take()).toBeNull();
    expect(r2.error).toMatch(/length/);
    const big = Buffer.from(good);
    big.writeUInt32BE(MAX_FRAME_LEN + 1, 4);
    const r3 = new FrameReader();
    r3.feed(big);
    expect(r3.take()).toBeNull();
    expect(r3.error).toMatch(/limit/);
  });

  it('splits back-to-back frames fed in arbitrary chunks', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 10 }), (msgs, cuts) => {
        const stream = Buffer.concat(msgs.map(encodeMessage));
        const reader = new FrameReader();
        const frames: Buffer[] = [];
        let off = 0;
        let i = 0;
        while (off < stream.length) {
          const n = cuts[i++ % cuts.length]!;
          reader.feed(stream.subarray(off, off + n));
          off += n;
          for (let f = reader.take(); f !== null; f = reader.take()) frames.push(Buffer.from(f));
        }
        expect(frames.length).toBe(msgs.length);
        expect(Buffer.concat(frames).equals(stream)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('lays out the header at the offsets of facts §2.2', () => {
    const slots = new Uint8Array(SLOT_BITMAP_LEN);
    for (let s = 0; s <= 5460; s++) slots[s >> 3]! |= 1 << (s & 7);
    const buf = encodeMessage({
      header: { type: 1, port: 31001, currentEpoch: 7, configEpoch: 3, offset: 0, sender: 'b'.repeat(40), myslots: slots, slaveof: null, myip: '', pport: 0, cport: 41001, flags: 17, state: 0, mflags: 0 },
      body: { kind: 'ping', gossip: [], hostname: 'node-a.example', unknownExtensions: [] },
    });
    expect(buf.length).toBe(HEADER_LEN + 24);
    expect(buf.toString('latin1', 0, 4)).toBe('RCmb');
    expect(buf.readUInt16BE(10)).toBe(31001);
    expect(buf[80 + 681]).toBe(0xff);
    expect(buf[80 + 682]).toBe(0x1f);
    expect(buf.readUInt16BE(2214)).toBe(1);
    expect(buf.readUInt16BE(2248)).toBe(41001);
    expect(buf.readUInt16BE(2250)).toBe(17);
    expect(buf[2253]).toBe(4);
    expect(buf.subarray(HEADER_LEN).toString('hex')).toBe('00000018' + '0000' + '0000' + Buffer.from('node-a.example').toString('hex') + '0000');
  });
});
