// Redis 7.0 cluster bus codec (facts §2): a fixed 2256-byte header followed by a type-specific body.
// Pure: bytes in, typed message out (or a typed reason why the frame is unusable), and back.
import { SLOT_COUNT } from '../../common/slots.js';

export const SIGNATURE = 'RCmb';
export const HEADER_LEN = 2256;
export const GOSSIP_LEN = 104;
export const NODE_ID_LEN = 40;
export const IP_LEN = 46;
export const SLOT_BITMAP_LEN = SLOT_COUNT / 8;
/** Largest frame accepted; PUBLISH payloads beyond this close the link. */
export const MAX_FRAME_LEN = 64 * 1024 * 1024;
/** Most gossip entries / extensions a frame may claim (bounded by MAX_FRAME_LEN anyway). */
export const MAX_EXTENSIONS = 64;

export const MsgType = {
  PING: 0,
  PONG: 1,
  MEET: 2,
  FAIL: 3,
  PUBLISH: 4,
  FAILOVER_AUTH_REQUEST: 5,
  FAILOVER_AUTH_ACK: 6,
  UPDATE: 7,
  MFSTART: 8,
  MODULE: 9,
  PUBLISHSHARD: 10,
} as const;
export const MSG_TYPE_NAMES = ['ping', 'pong', 'meet', 'fail', 'publish', 'auth-req', 'auth-ack', 'update', 'mfstart', 'module', 'publishshard'] as const;

export const NodeFlag = {
  MASTER: 1,
  SLAVE: 2,
  PFAIL: 4,
  FAIL: 8,
  MYSELF: 16,
  HANDSHAKE: 32,
  NOADDR: 64,
  MEET: 128,
  MIGRATE_TO: 256,
  NOFAILOVER: 512,
  /**
   * Local mark (Redis 7.2.7+) of a peer known to understand extension types beyond HOSTNAME.
   * Our own header carries it too, so that two of our nodes recognise each other even when
   * the only extension they send one another is HOSTNAME (which a 7.0 node sends as well).
   */
  EXTENSIONS_SUPPORTED: 1024,
} as const;

export const MFlag = { PAUSED: 1, FORCEACK: 2, EXT_DATA: 4 } as const;
/** FORGOTTEN_NODE extension data: node ID + u64 TTL in seconds. */
const FORGOTTEN_LEN = 48;
export const ExtType = { HOSTNAME: 0, HUMAN_NODENAME: 1, FORGOTTEN_NODE: 2, SHARDID: 3 } as const;

export interface Header {
  type: number;
  port: number;
  currentEpoch: number;
  configEpoch: number;
  offset: number;
  sender: string;
  /** 2048-byte slot bitmap: slot s is bit (s & 7) of byte (s >> 3). */
  myslots: Uint8Array;
  /** Master's ID for a replica sender, null for a master (all-zero field). */
  slaveof: string | null;
  /** Announced IP, '' when the field is all zero. */
  myip: string;
  pport: number;
  cport: number;
  flags: number;
  /** 0 = ok, 1 = fail. */
  state: number;
  mflags: number;
}

export interface GossipEntry {
  id: string;
  pingSent: number; // seconds
  pongReceived: number; // seconds
  ip: string;
  port: number;
  cport: number;
  flags: number;
  pport: number;
}

export type Body =
  | {
      kind: 'ping';
      gossip: GossipEntry[];
      hostname: string | null;
      unknownExtensions: number[];
      /** 7.2+ FORGOTTEN_NODE extensions: node IDs the sender banned, with the ban's remaining seconds. */
      forgotten?: ForgottenNode[];
      /** 7.2+ SHARDID extension. */
      shardId?: string;
    }
  | { kind: 'fail'; id: string }
  | { kind: 'publish'; channel: string; message: string }
  | { kind: 'update'; configEpoch: number; id: string; slots: Uint8Array }
  | { kind: 'empty' }
  | { kind: 'unknown' };

export interface ForgottenNode {
  id: string;
  ttl: number;
}

export interface BusMessage {
  header: Header;
  body: Body;
}

export type DecodeResult = { ok: true; msg: BusMessage } | { ok: false; ignore: boolean; reason: string };

/**
 * Validates the first 8 bytes of a frame. Returns the total frame length, or a reason to drop the
 * link (bad signature, length below the header size or above MAX_FRAME_LEN).
 */
export function frameLength(buf: Buffer): number | string {
  if (buf.length < 8) throw new RangeError('need 8 bytes');
  if (buf.toString('latin1', 0, 4) !== SIGNATURE) return 'bad signature';
  const len = buf.readUInt32BE(4);
  if (len < HEADER_LEN) return `bad message length ${len}`;
  if (len > MAX_FRAME_LEN) return `message length ${len} exceeds the limit`;
  return len;
}

function readId(buf: Buffer, off: number): string {
  return buf.toString('latin1', off, off + NODE_ID_LEN);
}

function readCString(buf: Buffer, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && buf[end] !== 0) end++;
  return buf.toString('latin1', off, end);
}

function isAllZero(buf: Buffer, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) if (buf[i] !== 0) return false;
  return true;
}

function u64(buf: Buffer, off: number): number {
  // Epochs and offsets stay far below 2^53 in practice; clamp rather than lose the frame.
  const v = buf.readBigUInt64BE(off);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Decodes one whole frame (exactly totlen bytes, as delimited by frameLength). */
export function decodeMessage(frame: Buffer): DecodeResult {
  if (frame.length < HEADER_LEN) return { ok: false, ignore: false, reason: `frame of ${frame.length} bytes is shorter than the header` };
  const fl = frameLength(frame);
  if (typeof fl === 'string') return { ok: false, ignore: false, reason: fl };
  if (fl !== frame.length) return { ok: false, ignore: false, reason: `frame length ${frame.length} differs from totlen ${fl}` };
  const ver = frame.readUInt16BE(8);
  if (ver !== 1) return { ok: false, ignore: true, reason: `unsupported protocol version ${ver}` };
  const header: Header = {
    type: frame.readUInt16BE(12),
    port: frame.readUInt16BE(10),
    currentEpoch: u64(frame, 16),
    configEpoch: u64(frame, 24),
    offset: u64(frame, 32),
    sender: readId(frame, 40),
    myslots: new Uint8Array(frame.subarray(80, 80 + SLOT_BITMAP_LEN)),
    slaveof: isAllZero(frame, 2128, NODE_ID_LEN) ? null : readId(frame, 2128),
    myip: readCString(frame, 2168, IP_LEN),
    pport: frame.readUInt16BE(2246),
    cport: frame.readUInt16BE(2248),
    flags: frame.readUInt16BE(2250),
    state: frame[2252]!,
    mflags: frame[2253]!,
  };
  const count = frame.readUInt16BE(14);
  const extCount = frame.readUInt16BE(2214);
  const len = frame.length;
  const bad = (reason: string): DecodeResult => ({ ok: false, ignore: false, reason: `${MSG_TYPE_NAMES[header.type] ?? header.type}: ${reason}` });
  switch (header.type) {
    case MsgType.PING:
    case MsgType.PONG:
    case MsgType.MEET: {
      let off = HEADER_LEN + count * GOSSIP_LEN;
      if (off > len) return bad(`length ${len} too short for ${count} gossip entries`);
      const gossip: GossipEntry[] = [];
      for (let i = 0; i < count; i++) {
        const g = HEADER_LEN + i * GOSSIP_LEN;
        gossip.push({
          id: readId(frame, g),
          pingSent: frame.readUInt32BE(g + 40),
          pongReceived: frame.readUInt32BE(g + 44),
          ip: readCString(frame, g + 48, IP_LEN),
          port: frame.readUInt16BE(g + 94),
          cport: frame.readUInt16BE(g + 96),
          flags: frame.readUInt16BE(g + 98),
          pport: frame.readUInt16BE(g + 100),
        });
      }
      let hostname: string | null = null;
      const unknownExtensions: number[] = [];
      const forgotten: ForgottenNode[] = [];
      let shardId: string | null = null;
      if (header.mflags & MFlag.EXT_DATA) {
        if (extCount > MAX_EXTENSIONS) return bad(`${extCount} extensions exceed the limit`);
        for (let i = 0; i < extCount; i++) {
          if (off + 8 > len) return bad('truncated extension header');
          const elen = frame.readUInt32BE(off);
          const etype = frame.readUInt16BE(off + 4);
          if (elen < 8 || elen % 8 !== 0 || off + elen > len) return bad(`bad extension length ${elen}`);
          if (etype === ExtType.HOSTNAME) hostname = readCString(frame, off + 8, elen - 8);
          else if (etype === ExtType.FORGOTTEN_NODE) {
            if (elen < 8 + FORGOTTEN_LEN) return bad(`forgotten node extension of ${elen} bytes`);
            forgotten.push({ id: readId(frame, off + 8), ttl: Number(frame.readBigUInt64BE(off + 8 + NODE_ID_LEN)) });
          } else if (etype === ExtType.SHARDID) {
            if (elen < 8 + NODE_ID_LEN) return bad(`shard id extension of ${elen} bytes`);
            shardId = readId(frame, off + 8);
          } else unknownExtensions.push(etype);
          off += elen;
        }
      }
      if (off !== len) return bad(`length ${len} but expected ${off}`);
      const body: Body = { kind: 'ping', gossip, hostname, unknownExtensions, ...(forgotten.length > 0 ? { forgotten } : {}), ...(shardId !== null ? { shardId } : {}) };
      return { ok: true, msg: { header, body } };
    }
    case MsgType.FAIL:
      if (len !== HEADER_LEN + NODE_ID_LEN) return bad(`length ${len}`);
      return { ok: true, msg: { header, body: { kind: 'fail', id: readId(frame, HEADER_LEN) } } };
    case MsgType.PUBLISH:
    case MsgType.PUBLISHSHARD: {
      if (len < HEADER_LEN + 8) return bad(`length ${len}`);
      const clen = frame.readUInt32BE(HEADER_LEN);
      const mlen = frame.readUInt32BE(HEADER_LEN + 4);
      if (HEADER_LEN + 8 + clen + mlen !== len) return bad(`length ${len} does not match channel ${clen} + message ${mlen}`);
      const c0 = HEADER_LEN + 8;
      return {
        ok: true,
        msg: { header, body: { kind: 'publish', channel: frame.toString('latin1', c0, c0 + clen), message: frame.toString('latin1', c0 + clen, c0 + clen + mlen) } },
      };
    }
    case MsgType.UPDATE:
      if (len !== HEADER_LEN + 8 + NODE_ID_LEN + SLOT_BITMAP_LEN) return bad(`length ${len}`);
      return {
        ok: true,
        msg: {
          header,
          body: {
            kind: 'update',
            configEpoch: u64(frame, HEADER_LEN),
            id: readId(frame, HEADER_LEN + 8),
            slots: new Uint8Array(frame.subarray(HEADER_LEN + 48, HEADER_LEN + 48 + SLOT_BITMAP_LEN)),
          },
        },
      };
    case MsgType.FAILOVER_AUTH_REQUEST:
    case MsgType.FAILOVER_AUTH_ACK:
    case MsgType.MFSTART:
      if (len !== HEADER_LEN) return bad(`length ${len}`);
      return { ok: true, msg: { header, body: { kind: 'empty' } } };
    case MsgType.MODULE:
      if (len < HEADER_LEN + 13 || HEADER_LEN + 13 + frame.readUInt32BE(HEADER_LEN + 8) !== len) return bad(`length ${len}`);
      return { ok: true, msg: { header, body: { kind: 'unknown' } } };
    default:
      return { ok: true, msg: { header, body: { kind: 'unknown' } } };
  }
}

function writeId(buf: Buffer, off: number, id: string): void {
  buf.write(id.padEnd(NODE_ID_LEN, '\0').slice(0, NODE_ID_LEN), off, NODE_ID_LEN, 'latin1');
}

function writeCString(buf: Buffer, off: number, len: number, s: string): void {
  buf.write(s.slice(0, len - 1), off, len - 1, 'latin1');
}

function ceil8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Encodes a message; the counts are derived from the body, and so is mflags EXT_DATA, except that
 * a PING/PONG/MEET keeps an EXT_DATA the caller set with no extension (7.2.7+ always sets it:
 * it tells the receiver that the sender understands extensions).
 */
export function encodeMessage(msg: BusMessage): Buffer {
  const { header: h, body } = msg;
  let bodyLen = 0;
  let hostExtLen = 0;
  let extCount = 0;
  let extLen = 0;
  switch (body.kind) {
    case 'ping':
      if (body.hostname !== null && body.hostname !== '') hostExtLen = 8 + ceil8(body.hostname.length + 1);
      extCount = (hostExtLen > 0 ? 1 : 0) + (body.forgotten?.length ?? 0) + (body.shardId !== undefined ? 1 : 0);
      extLen = hostExtLen + (body.forgotten?.length ?? 0) * (8 + FORGOTTEN_LEN) + (body.shardId !== undefined ? 8 + NODE_ID_LEN : 0);
      bodyLen = body.gossip.length * GOSSIP_LEN + extLen;
      break;
    case 'fail':
      bodyLen = NODE_ID_LEN;
      break;
    case 'publish':
      bodyLen = 8 + body.channel.length + body.message.length;
      break;
    case 'update':
      bodyLen = 8 + NODE_ID_LEN + SLOT_BITMAP_LEN;
      break;
    default:
      bodyLen = 0;
  }
  const buf = Buffer.alloc(HEADER_LEN + bodyLen);
  buf.write(SIGNATURE, 0, 'latin1');
  buf.writeUInt32BE(buf.length, 4);
  buf.writeUInt16BE(1, 8);
  buf.writeUInt16BE(h.port, 10);
  buf.writeUInt16BE(h.type, 12);
  buf.writeUInt16BE(body.kind === 'ping' ? body.gossip.length : 0, 14);
  buf.writeBigUInt64BE(BigInt(h.currentEpoch), 16);
  buf.writeBigUInt64BE(BigInt(h.configEpoch), 24);
  buf.writeBigUInt64BE(BigInt(h.offset), 32);
  writeId(buf, 40, h.sender);
  buf.set(h.myslots.subarray(0, SLOT_BITMAP_LEN), 80);
  if (h.slaveof !== null) writeId(buf, 2128, h.slaveof);
  writeCString(buf, 2168, IP_LEN, h.myip);
  buf.writeUInt16BE(extCount, 2214);
  buf.writeUInt16BE(h.pport, 2246);
  buf.writeUInt16BE(h.cport, 2248);
  buf.writeUInt16BE(h.flags, 2250);
  buf[2252] = h.state;
  buf[2253] = extCount > 0 ? h.mflags | MFlag.EXT_DATA : body.kind === 'ping' ? h.mflags : h.mflags & ~MFlag.EXT_DATA;
  let off = HEADER_LEN;
  switch (body.kind) {
    case 'ping':
      for (const g of body.gossip) {
        writeId(buf, off, g.id);
        buf.writeUInt32BE(g.pingSent >>> 0, off + 40);
        buf.writeUInt32BE(g.pongReceived >>> 0, off + 44);
        writeCString(buf, off + 48, IP_LEN, g.ip);
        buf.writeUInt16BE(g.port, off + 94);
        buf.writeUInt16BE(g.cport, off + 96);
        buf.writeUInt16BE(g.flags, off + 98);
        buf.writeUInt16BE(g.pport, off + 100);
        off += GOSSIP_LEN;
      }
      if (hostExtLen > 0) {
        buf.writeUInt32BE(hostExtLen, off);
        buf.writeUInt16BE(ExtType.HOSTNAME, off + 4);
        buf.write(body.hostname!, off + 8, 'latin1');
        off += hostExtLen;
      }
      for (const f of body.forgotten ?? []) {
        buf.writeUInt32BE(8 + FORGOTTEN_LEN, off);
        buf.writeUInt16BE(ExtType.FORGOTTEN_NODE, off + 4);
        writeId(buf, off + 8, f.id);
        buf.writeBigUInt64BE(BigInt(f.ttl), off + 8 + NODE_ID_LEN);
        off += 8 + FORGOTTEN_LEN;
      }
      if (body.shardId !== undefined) {
        buf.writeUInt32BE(8 + NODE_ID_LEN, off);
        buf.writeUInt16BE(ExtType.SHARDID, off + 4);
        writeId(buf, off + 8, body.shardId);
      }
      break;
    case 'fail':
      writeId(buf, off, body.id);
      break;
    case 'publish':
      buf.writeUInt32BE(body.channel.length, off);
      buf.writeUInt32BE(body.message.length, off + 4);
      buf.write(body.channel, off + 8, 'latin1');
      buf.write(body.message, off + 8 + body.channel.length, 'latin1');
      break;
    case 'update':
      buf.writeBigUInt64BE(BigInt(body.configEpoch), off);
      writeId(buf, off + 8, body.id);
      buf.set(body.slots.subarray(0, SLOT_BITMAP_LEN), off + 48);
      break;
    default:
      break;
  }
  return buf;
}

/**
 * Splits a byte stream into frames. Feed chunks; take() yields whole frames; a framing error
 * (bad signature or length) is reported once and the stream is then unusable.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  error: string | null = null;

  feed(chunk: Buffer): void {
    if (this.error !== null) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  get pending(): number {
    return this.size;
  }

  /** Next whole frame, or null when more bytes are needed or the stream failed (see error). */
  take(): Buffer | null {
    if (this.error !== null || this.size < 8) return null;
    if (this.chunks[0]!.length < 8) this.chunks = [Buffer.concat(this.chunks, this.size)];
    const len = frameLength(this.chunks[0]!);
    if (typeof len === 'string') {
      this.error = len;
      this.chunks = [];
      this.size = 0;
      return null;
    }
    // Concatenate only once the whole frame is in, so a large frame is copied once.
    if (this.size < len) return null;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    const buf = this.chunks[0]!;
    const frame = buf.subarray(0, len);
    const rest = buf.subarray(len);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return frame;
  }
}

export function slotBitGet(bitmap: Uint8Array, slot: number): boolean {
  return (bitmap[slot >> 3]! & (1 << (slot & 7))) !== 0;
}

export function slotBitSet(bitmap: Uint8Array, slot: number, on: boolean): void {
  if (on) bitmap[slot >> 3]! |= 1 << (slot & 7);
  else bitmap[slot >> 3]! &= ~(1 << (slot & 7));
}
