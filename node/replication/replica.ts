// Replica side: the link to the master. Handshake (PING, AUTH, REPLCONF, PSYNC), full sync (an
// RDB image, EOF-marked or length-prefixed) or partial continuation, then the command stream,
// applied through the command table by a session that stands for the master. Offsets follow
// the master's byte count so that PSYNC can continue after a disconnect.
import net from 'node:net';
import type { Server } from '../server/server.js';
import { Session } from '../server/session.js';
import { RequestReader } from '../../common/resp/request-reader.js';
import { command } from '../../common/resp/encode.js';
import { execute } from '../commands/dispatch.js';
import { SyncLoad } from './sync-load.js';

export type LinkState = 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

type Phase = 'ping' | 'auth' | 'port' | 'capa' | 'psync' | 'preamble' | 'bulk' | 'stream';

export class ReplicaLink {
  state: LinkState = 'connect';
  private sock: net.Socket | null = null;
  private phase: Phase = 'ping';
  private buf: Buffer = Buffer.alloc(0);
  /** The image being received: EOF mark (or null with a byte count), the bytes held back. */
  private bulk: { mark: Buffer | null; remaining: number; held: Buffer; load: SyncLoad } | null = null;
  private reader: RequestReader | null = null;
  private session: Session | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private pendingReplid = '';
  private pendingOffset = 0;
  lastIoAt = Date.now();
  syncStartedAt = 0;
  linkDownSince = Date.now();
  /** The link was up and then lost (INFO shows master_link_down_since_seconds:-1 before). */
  linkLost = false;
  /** Master replication ID and processed offset (both known once synced). */
  masterReplid = '?';
  offset = -1;

  constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  private get log() {
    return this.server.log.child({ component: 'replica', master: `${this.host}:${this.port}` });
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ackTimer) clearInterval(this.ackTimer);
    this.bulk?.load.abort();
    this.bulk = null;
    this.sock?.destroy();
    this.sock = null;
  }

  private connect(): void {
    if (this.stopped) return;
    this.state = 'connecting';
    this.phase = 'ping';
    this.buf = Buffer.alloc(0);
    const sock = net.connect({ host: this.host, port: this.port });
    this.sock = sock;
    sock.setNoDelay(true);
    sock.on('connect', () => {
      this.state = 'handshake';
      this.send(['PING']);
    });
    sock.on('data', (d: Buffer) => this.onData(d));
    const down = (why: string) => {
      if (this.sock !== sock) return;
      this.sock = null;
      this.bulk?.load.abort();
      this.bulk = null;
      if (this.state === 'connected') {
        this.linkDownSince = Date.now();
        this.linkLost = true;
      }
      this.state = 'connect';
      if (this.session) this.server.closeSession(this.session);
      this.session = null;
      if (this.ackTimer) clearInterval(this.ackTimer);
      if (!this.stopped) {
        this.log.warn({ why }, 'connection with master lost; retrying');
        this.retryTimer = setTimeout(() => this.connect(), 1000);
      }
    };
    sock.on('error', (e) => down(e.message));
    sock.on('close', () => down('closed'));
  }

  private send(args: string[]): void {
    this.sock?.write(Buffer.from(command(args), 'latin1'));
  }

  private onData(d: Buffer): void {
    this.lastIoAt = Date.now();
    if (this.phase === 'stream') return this.applyStream(d);
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    try {
      this.advance();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'replication handshake failed');
      this.sock?.destroy();
    }
  }

  private line(): string | null {
    const i = this.buf.indexOf('\r\n');
    if (i === -1) return null;
    const l = this.buf.toString('latin1', 0, i);
    this.buf = this.buf.subarray(i + 2);
    return l;
  }

  private advance(): void {
    const cfg = this.server.config;
    for (;;) {
      if (this.phase === 'bulk') return this.readBulk();
      if (this.phase === 'stream') {
        const rest = this.buf;
        this.buf = Buffer.alloc(0);
        if (rest.length) this.applyStream(rest);
        return;
      }
      if (this.phase === 'preamble' || this.phase === 'psync') {
        // The master sends bare newlines as keepalives while it prepares the snapshot.
        while (this.buf.length && this.buf[0] === 10) this.buf = this.buf.subarray(1);
      }
      const l = this.line();
      if (l === null) return;
      switch (this.phase) {
        case 'ping':
          if (l.startsWith('-') && !l.startsWith('-NOAUTH') && !l.startsWith('-NOPERM') && !l.startsWith('-ERR operation not permitted')) throw new Error(`master answered PING with ${l}`);
          if (cfg.get('masterauth') !== '') {
            this.phase = 'auth';
            this.send(cfg.get('masteruser') ? ['AUTH', cfg.get('masteruser'), cfg.get('masterauth')] : ['AUTH', cfg.get('masterauth')]);
          } else this.sendListeningPort();
          break;
        case 'auth':
          if (l.startsWith('-')) throw new Error(`unable to AUTH to master: ${l}`);
          this.sendListeningPort();
          break;
        case 'port':
          this.phase = 'capa';
          this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
          break;
        case 'capa': {
          this.phase = 'psync';
          const canContinue = this.masterReplid !== '?' && this.offset >= 0;
          this.send(['PSYNC', canContinue ? this.masterReplid : '?', canContinue ? String(this.offset + 1) : '-1']);
          break;
        }
        case 'psync':
          if (l.startsWith('+FULLRESYNC')) {
            const [, id, off] = l.split(' ');
            this.pendingReplid = id!;
            this.pendingOffset = Number(off);
            this.phase = 'preamble';
            this.state = 'transfer';
            this.syncStartedAt = Date.now();
            this.log.info({ replid: id, offset: off }, 'full resync from master');
          } else if (l.startsWith('+CONTINUE')) {
            const id = l.split(' ')[1];
            if (id && id !== this.masterReplid) {
              // Sub-replicas reconnect and continue with the old ID (kept as replid2).
              this.masterReplid = id;
              this.server.replication.switchReplid(id);
              this.server.replication.disconnectReplicas();
            }
            this.log.info({ offset: this.offset }, 'successful partial resynchronization with master');
            this.enterStream();
          } else if (l.startsWith('-NOMASTERLINK') || l.startsWith('-LOADING')) {
            throw new Error(`master not ready: ${l}`);
          } else throw new Error(`unexpected reply to PSYNC: ${l}`);
          break;
        case 'preamble': {
          if (!l.startsWith('$')) throw new Error(`bad bulk preamble from master: ${l}`);
          const mark = l.startsWith('$EOF:') ? l.slice(5) : null;
          if (mark !== null && mark.length !== 40) throw new Error('bad EOF mark from master');
          const remaining = mark === null ? Number(l.slice(1)) : -1;
          if (mark === null && !(Number.isSafeInteger(remaining) && remaining >= 0)) throw new Error(`bad bulk preamble from master: ${l}`);
          this.bulk = { mark: mark === null ? null : Buffer.from(mark, 'latin1'), remaining, held: Buffer.alloc(0), load: new SyncLoad(this.server) };
          this.phase = 'bulk';
          break;
        }
        default:
          return;
      }
    }
  }

  /**
   * Bytes of the sync payload as Redis reports them: the announced size (-1 before the preamble,
   * 0 for the EOF-marked form) and the bytes read.
   */
  transferProgress(): { total: number; read: number } {
    const b = this.bulk;
    if (b === null) return { total: -1, read: 0 };
    return { total: b.mark === null ? b.load.bytes + b.remaining : 0, read: b.load.bytes + b.held.length };
  }

  private sendListeningPort(): void {
    this.phase = 'port';
    this.send(['REPLCONF', 'listening-port', String(this.server.config.int('replica-announce-port') || this.server.port)]);
  }

  private readBulk(): void {
    const b = this.bulk!;
    let data = this.buf;
    this.buf = Buffer.alloc(0);
    if (b.mark === null) {
      const take = Math.min(b.remaining, data.length);
      b.load.feed(data.subarray(0, take));
      b.remaining -= take;
      if (b.remaining > 0) return;
      this.finishSync(data.subarray(take));
      return;
    }
    // The image ends with the 40-byte mark (writes made meanwhile may follow it in the same
    // read), possibly split across reads: the last 40 bytes are held back until more arrive.
    if (b.held.length) data = Buffer.concat([b.held, data]);
    const at = data.indexOf(b.mark);
    if (at !== -1) {
      b.load.feed(data.subarray(0, at));
      this.finishSync(data.subarray(at + b.mark.length));
      return;
    }
    const keep = Math.max(0, data.length - b.mark.length);
    b.load.feed(data.subarray(0, keep));
    b.held = data.subarray(keep);
  }

  private finishSync(rest: Buffer): void {
    const b = this.bulk!;
    this.bulk = null;
    const t0 = Date.now();
    // Sub-replicas followed the old history: they sync again from the new one.
    this.server.replication.disconnectReplicas();
    const keys = b.load.finish();
    this.offset = this.pendingOffset;
    this.adoptReplid(this.pendingReplid);
    this.server.replication.resetHistory(this.pendingReplid, this.pendingOffset);
    this.log.info({ keys, bytes: b.load.bytes, finishMs: Date.now() - t0, syncMs: Date.now() - this.syncStartedAt }, 'MASTER <-> REPLICA sync: finished with success');
    this.enterStream();
    if (rest.length) this.applyStream(rest);
  }

  private adoptReplid(id: string): void {
    this.masterReplid = id;
    this.server.replication.replid = id;
  }

  private enterStream(): void {
    this.phase = 'stream';
    this.state = 'connected';
    this.reader = new RequestReader({ maxBulkLen: 2 ** 31, maxMultibulk: 2 ** 31, maxInline: 2 ** 31 });
    // A command cut by the end of an earlier link is not part of this stream.
    this.unapplied = Buffer.alloc(0);
    const s = new Session(0, this.sock!);
    s.authenticated = true;
    s.isMaster = true;
    this.session = s;
    this.sendAck();
    this.ackTimer = setInterval(() => this.sendAck(), 1000);
    this.ackTimer.unref();
  }

  private sendAck(): void {
    this.send(['REPLCONF', 'ACK', String(this.offset)]);
  }

  /** Stream bytes received but not yet applied (a command cut across reads). */
  private unapplied: Buffer = Buffer.alloc(0);

  private applyStream(d: Buffer): void {
    const reader = this.reader!;
    const session = this.session!;
    reader.feed(d);
    this.unapplied = this.unapplied.length ? Buffer.concat([this.unapplied, d]) : d;
    let applied = 0;
    for (;;) {
      const argv = reader.next();
      if (argv === null) break;
      // The reader consumes the header and finished arguments of a command that is still arriving
      // (pending shrinks while next() returns null), so a command's size is measured from the end
      // of the previous one, within what is held unapplied (was: bytes consumed by this call only,
      // which lost those bytes from the offset and the backlog, and a manual failover then never
      // saw the replica reach its master's offset).
      const n = this.unapplied.length - reader.pending - applied;
      applied += n;
      this.offset += n;
      if (argv[0]!.toUpperCase() === 'REPLCONF' && (argv[1] ?? '').toUpperCase() === 'GETACK') {
        this.sendAck();
        continue;
      }
      execute(this.server, session, argv);
      session.out.take();
    }
    // The replica keeps the master's stream in its own backlog, so that after a promotion its
    // former siblings can continue from their offsets.
    this.server.replication.appendApplied(this.unapplied.subarray(0, applied));
    this.unapplied = this.unapplied.subarray(applied);
    if (this.server.blocking.hasReadyKeys) this.server.blocking.serveReady();
  }
}
