// Master side of replication: the replication ID and offset, the backlog, attached replicas,
// PSYNC decisions, full synchronisation (an RDB snapshot streamed while the master keeps
// serving, then the writes made since it started) and WAIT bookkeeping.
import type { Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import type { PropagationSink } from '../persistence/propagation.js';
import { Backlog } from './backlog.js';
import { command } from '../../common/resp/encode.js';
import { startSnapshot, type SnapshotStream } from '../persistence/snapshot.js';
import { randomBytes } from 'node:crypto';

/** Longest the snapshot producer runs per event-loop turn. */
const SNAPSHOT_SLICE_MS = 5;

export interface AttachedReplica {
  session: Session;
  state: 'wait_bgsave' | 'send_bulk' | 'online';
  listeningPort: number;
  announcedIp: string | null;
  ackOffset: number;
  ackTime: number;
  /** Stream bytes produced while this replica's snapshot was being sent. */
  pending: Buffer[];
  /** Snapshot sent, stream held in `pending` until the replica's first REPLCONF ACK: a replica
   * reading an EOF-marked snapshot knows it ended only when the last 40 bytes of a read are the
   * mark, so stream bytes arriving in the same read would hide it (redis-server 7.0 replicas then
   * wait forever; Redis masters hold the stream the same way). */
  streamOnAck: boolean;
  snapshot: SnapshotStream | null;
}

export function newReplicationId(): string {
  return randomBytes(20).toString('hex');
}

export interface PsyncDecision {
  kind: 'continue' | 'full';
  reason?: string;
}

/** Pure PSYNC rule: may the stream continue from `offset` for a replica that knew `replid`? */
export function decidePsync(
  req: { replid: string; offset: number },
  me: { replid: string; replid2: string; secondOffset: number; offset: number; backlogFirst: number | null },
): PsyncDecision {
  if (req.replid === '?') return { kind: 'full', reason: 'replica asked for a full sync' };
  const sameHistory = req.replid === me.replid || (req.replid === me.replid2 && req.offset <= me.secondOffset);
  if (!sameHistory) return { kind: 'full', reason: 'replication ID mismatch' };
  if (me.backlogFirst === null || req.offset < me.backlogFirst || req.offset > me.offset + 1) {
    return { kind: 'full', reason: 'requested offset is outside the backlog' };
  }
  return { kind: 'continue' };
}

export class ReplicationPrimary implements PropagationSink {
  replid = newReplicationId();
  replid2 = '0'.repeat(40);
  secondOffset = -1;
  /** master_repl_offset: bytes of replication stream produced. */
  offset = 0;
  backlog: Backlog | null = null;
  readonly replicas = new Map<Session, AttachedReplica>();
  private selectedDb = -1;
  private buf = '';
  private pingTimer: NodeJS.Timeout | null = null;
  private attached = false;

  constructor(private readonly server: Server) {}

  private get log() {
    return this.server.log;
  }

  /** Starts producing a replication stream (when the first replica arrives). */
  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.backlog ??= new Backlog(this.server.config.int('repl-backlog-size'), this.offset);
    this.server.propagator.add(this);
    const period = Math.max(1, this.server.config.int('repl-ping-replica-period')) * 1000;
    this.pingTimer = setInterval(() => {
      // A replica's sub-replicas get its master's pings in the stream it passes on.
      if (this.replicas.size === 0 || this.server.replicaLink !== null) return;
      // The ping goes through the stream so that replicas can tell a silent master from a dead one.
      this.feed(this.selectedDb === -1 ? 0 : this.selectedDb, ['PING']);
      this.beforeReply();
    }, period);
    this.pingTimer.unref();
  }

  feed(db: number, argv: readonly string[]): void {
    // A replica produces no stream of its own: it passes on its master's (see appendApplied).
    if (this.server.replicaLink !== null) return;
    if (db !== this.selectedDb) {
      this.buf += command(['SELECT', String(db)]);
      this.selectedDb = db;
    }
    this.buf += command(argv);
  }

  /** Pushes the buffered stream into the backlog and to every replica. */
  beforeReply(): void {
    if (this.buf.length === 0) return;
    const data = Buffer.from(this.buf, 'latin1');
    this.buf = '';
    this.offset += data.length;
    this.backlog!.append(data);
    for (const r of this.replicas.values()) {
      if (r.state === 'online' && !r.streamOnAck) r.session.socket.write(data);
      else r.pending.push(data);
    }
  }

  /** PSYNC replid offset from a replica (also SYNC, as PSYNC ? -1 without the +FULLRESYNC line). */
  psync(session: Session, replid: string, offset: number, legacySync: boolean): void {
    this.beforeReply();
    const decision = decidePsync(
      { replid, offset },
      { replid: this.replid, replid2: this.replid2, secondOffset: this.secondOffset, offset: this.offset, backlogFirst: this.backlog?.firstOffset ?? null },
    );
    const r: AttachedReplica = this.replicas.get(session) ?? {
      session,
      state: 'wait_bgsave',
      listeningPort: this.pendingPort.get(session) ?? 0,
      announcedIp: this.pendingIp.get(session) ?? null,
      ackOffset: 0,
      ackTime: Date.now(),
      pending: [],
      snapshot: null,
      streamOnAck: false,
    };
    session.kind = 'slave';
    this.replicas.set(session, r);
    this.attach();
    const log = this.log.child({ replica: session.addr });
    const stats = this.server.stats;
    if (decision.kind === 'continue') {
      stats.syncPartialOk++;
      const tail = this.backlog!.readFrom(offset) ?? Buffer.alloc(0);
      log.info({ offset, bytes: tail.length }, 'partial resynchronization accepted');
      session.out.raw(`+CONTINUE ${this.replid}\r\n`);
      this.server.flush(session);
      session.socket.write(tail);
      r.state = 'online';
      return;
    }
    log.info({ reason: decision.reason, offset: this.offset }, 'starting full resynchronization');
    // Redis counts a refused partial request only when the replica asked for one (not "?").
    if (!legacySync && replid !== '?') stats.syncPartialErr++;
    stats.syncFull++;
    if (!legacySync) {
      session.out.raw(`+FULLRESYNC ${this.replid} ${this.offset}\r\n`);
      this.server.flush(session);
    }
    // Force a SELECT at the start of what follows the snapshot.
    this.selectedDb = -1;
    this.sendSnapshot(r, !legacySync);
  }

  /**
   * Streams the snapshot in the EOF-marked diskless form, a slice per tick so the event loop keeps
   * serving; writes made meanwhile queue in r.pending and follow the snapshot.
   */
  private sendSnapshot(r: AttachedReplica, streamOnAck: boolean): void {
    const mark = randomBytes(20).toString('hex');
    const sock = r.session.socket;
    const snap = startSnapshot(this.server);
    r.snapshot = snap;
    r.state = 'send_bulk';
    sock.write(`$EOF:${mark}\r\n`);
    const t0 = Date.now();
    let bytes = 0;
    let maxSliceMs = 0;
    let maxSliceCpuMs = 0;
    // One slice per event-loop turn. A fast replica makes socket writes complete at once, and
    // then 'drain' comes on process.nextTick: resuming straight from it would starve the loop,
    // so every resumption goes through setImmediate.
    const next = (): void => void setImmediate(step);
    const step = (): void => {
      if (sock.destroyed) {
        snap.abort();
        return;
      }
      // Wall and thread CPU time of the longest slice (they differ when the host is busy).
      const s0 = performance.now();
      const c0 = process.threadCpuUsage();
      const chunk = snap.read(SNAPSHOT_SLICE_MS);
      const c1 = process.threadCpuUsage(c0);
      maxSliceMs = Math.max(maxSliceMs, performance.now() - s0);
      maxSliceCpuMs = Math.max(maxSliceCpuMs, (c1.user + c1.system) / 1000);
      if (chunk !== null) {
        bytes += chunk.length;
        if (chunk.length === 0 || sock.write(chunk)) next();
        else sock.once('drain', next);
        return;
      }
      sock.write(mark);
      r.snapshot = null;
      r.state = 'online';
      // A legacy SYNC client (no PSYNC) may never send REPLCONF ACK: it gets the stream at once.
      if (streamOnAck) r.streamOnAck = true;
      else {
        for (const p of r.pending) sock.write(p);
        r.pending = [];
      }
      this.log.info({ replica: r.session.addr, bytes, ms: Date.now() - t0, maxSliceMs: Math.round(maxSliceMs * 10) / 10, maxSliceCpuMs: Math.round(maxSliceCpuMs * 10) / 10 }, 'synchronization with replica succeeded');
    };
    step();
  }

  replconf(session: Session, args: readonly string[]): string | null {
    const r = this.replicas.get(session);
    for (let i = 0; i + 1 < args.length; i += 2) {
      const opt = args[i]!.toLowerCase();
      const val = args[i + 1]!;
      if (opt === 'ack') {
        if (r) {
          if (r.streamOnAck) {
            r.streamOnAck = false;
            for (const p of r.pending) r.session.socket.write(p);
            r.pending = [];
          }
          r.ackOffset = Math.max(r.ackOffset, Number(val));
          r.ackTime = Date.now();
          this.onAck();
        }
        return null; // no reply to ACKs
      }
      if (opt === 'listening-port') this.pendingPort.set(session, Number(val));
      else if (opt === 'ip-address') this.pendingIp.set(session, val);
      else if (opt === 'capa' || opt === 'rdb-only' || opt === 'rdb-filter-only') continue;
      else if (opt === 'getack') continue;
      else return `ERR Unrecognized REPLCONF option: ${args[i]}`;
    }
    if (r) {
      r.listeningPort = this.pendingPort.get(session) ?? r.listeningPort;
      r.announcedIp = this.pendingIp.get(session) ?? r.announcedIp;
    }
    return 'OK';
  }

  private readonly pendingPort = new WeakMap<Session, number>();
  private readonly pendingIp = new WeakMap<Session, string>();

  listeningPortOf(session: Session): number {
    return this.replicas.get(session)?.listeningPort || this.pendingPort.get(session) || 0;
  }

  announcedIpOf(session: Session): string | null {
    return this.replicas.get(session)?.announcedIp ?? this.pendingIp.get(session) ?? null;
  }

  detach(session: Session): void {
    const r = this.replicas.get(session);
    if (!r) return;
    r.snapshot?.abort();
    this.replicas.delete(session);
    this.log.info({ replica: session.addr }, 'connection with replica lost');
  }

  /** Replicas that acknowledged at least `offset`. */
  ackedCount(offset: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** Replicas whose last ACK is within max lag seconds (min-replicas-to-write). */
  goodReplicas(maxLagSec: number): number {
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && now - r.ackTime <= maxLagSec * 1000) n++;
    return n;
  }

  private readonly waiters = new Set<{ offset: number; count: number; done: (n: number) => void; timer: NodeJS.Timeout | null }>();

  /** WAIT: calls done with the number of replicas that acknowledged `offset` (at most at timeout). */
  waitForAcks(offset: number, count: number, timeoutMs: number, done: (n: number) => void): void {
    const now = this.ackedCount(offset);
    if (now >= count) return done(now);
    const w = { offset, count, done, timer: null as NodeJS.Timeout | null };
    this.waiters.add(w);
    if (timeoutMs > 0) {
      w.timer = setTimeout(() => {
        if (this.waiters.delete(w)) done(this.ackedCount(offset));
      }, timeoutMs);
    }
    // Ask replicas to acknowledge now instead of waiting for their next periodic ACK (no stream
    // exists before the first replica attached).
    if (!this.attached) return;
    this.feed(this.selectedDb === -1 ? 0 : this.selectedDb, ['REPLCONF', 'GETACK', '*']);
    this.beforeReply();
  }

  /** A role change ended every WAIT (their clients were sent -UNBLOCKED and closed). */
  dropWaiters(): void {
    for (const w of this.waiters) if (w.timer) clearTimeout(w.timer);
    this.waiters.clear();
  }

  private onAck(): void {
    for (const w of [...this.waiters]) {
      const n = this.ackedCount(w.offset);
      if (n < w.count) continue;
      this.waiters.delete(w);
      if (w.timer) clearTimeout(w.timer);
      w.done(n);
    }
  }

  /** A replica took a full sync: its history restarts at the master's ID and offset. */
  resetHistory(replid: string, offset: number): void {
    this.replid = replid;
    this.replid2 = '0'.repeat(40);
    this.secondOffset = -1;
    this.offset = offset;
    this.backlog = new Backlog(this.server.config.int('repl-backlog-size'), offset);
  }

  /**
   * Bytes of the master's stream a replica applied: kept in the backlog (for PSYNCs after a
   * promotion and from sub-replicas) and passed on verbatim to sub-replicas, so that the whole
   * chain shares one replication ID and offset space.
   */
  appendApplied(data: Buffer): void {
    if (data.length === 0) return;
    this.backlog ??= new Backlog(this.server.config.int('repl-backlog-size'), this.offset);
    this.backlog.append(data);
    this.offset += data.length;
    for (const r of this.replicas.values()) {
      if (r.state === 'online') r.session.socket.write(data);
      else r.pending.push(data);
    }
  }

  /** The master's history changed under this replica: its sub-replicas must sync again. */
  disconnectReplicas(): void {
    for (const s of [...this.replicas.keys()]) this.server.killSession(s);
  }

  /**
   * Partial resync with a master that changed replication ID (it was promoted): the old ID stays
   * valid up to the current offset, for sub-replicas continuing through this node.
   */
  switchReplid(id: string): void {
    if (id === this.replid) return;
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = id;
  }

  /** After a failover makes this node a master: keep serving PSYNCs of the old history. */
  shiftReplicationId(): void {
    // What follows is this node's own stream: start it with a SELECT.
    this.selectedDb = -1;
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = newReplicationId();
  }

  close(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const r of this.replicas.values()) r.snapshot?.abort();
  }
}
