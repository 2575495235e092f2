// The node process's server: owns databases, sessions, config and the listener. Reads requests,
// dispatches them through the command table and writes replies once per tick per connection.
import net from 'node:net';
import type { Logger } from 'pino';
import { ProtocolError } from '../../common/resp/request-reader.js';
import { Config, parseOutputBufferLimits, type OutputBufferLimits } from '../config/config.js';
import { Db, type KeyspaceEvents } from '../store/keyspace.js';
import { Session } from './session.js';
import { E } from '../commands/errors.js';
import { execute } from '../commands/dispatch.js';
import { Blocking } from './blocking.js';
import { PubSub } from './pubsub.js';
import { runActiveExpireCycle } from '../store/expiry.js';
import { Propagator } from '../persistence/propagation.js';
import type { SnapshotHooks } from '../persistence/snapshot.js';
import { ReplicationPrimary } from '../replication/primary.js';
import type { ReplicaLink } from '../replication/replica.js';
import { checkSavePoints, type SaveState } from '../persistence/rdb-file.js';

export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  expiredKeys: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  commandCalls: Map<string, { calls: number; usec: number; failed: number; rejected: number }>;
}

/** Hooks cluster mode installs; standalone leaves them unset. */
export interface ClusterHooks {
  /** Decides whether this node serves the command; returns an error reply text otherwise. */
  route(session: Session, argv: readonly string[], keyIndexes: readonly number[], flags: readonly string[]): string | null;
  publish(channel: string, message: string, sharded: boolean): void;
}

export class Server {
  readonly dbs: Db[];
  readonly sessions = new Map<number, Session>();
  readonly blocking = new Blocking(this);
  readonly pubsub = new PubSub();
  readonly propagator = new Propagator();
  readonly replication: ReplicationPrimary = new ReplicationPrimary(this);
  /** Set while this node replicates another (REPLICAOF / CLUSTER REPLICATE). */
  replicaLink: ReplicaLink | null = null;
  readonly saveState: SaveState = { lastSave: Math.floor(Date.now() / 1000), lastStatus: 'ok', dirtyAtSave: 0, inProgress: false, lastDurationMs: -1 };
  /** Snapshots in progress; writes notify them first (see persistence/snapshot.ts). */
  readonly snapshots = new Set<SnapshotHooks>();
  readonly startedAt = Date.now();
  readonly stats: ServerStats = {
    connectionsReceived: 0,
    commandsProcessed: 0,
    expiredKeys: 0,
    evictedKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    commandCalls: new Map(),
  };
  /** Count of changes to the dataset (for INFO, saves and replication). */
  dirty = 0;
  cluster: ClusterHooks | null = null;
  private nextClientId = 1;
  private readonly servers: net.Server[] = [];
  private readonly flushQueue = new Set<Session>();
  private flushScheduled = false;
  private cron: NodeJS.Timeout | null = null;
  outputLimits: OutputBufferLimits;
  /** Persistence and cluster layers chain their shutdown work here (save, flush, nodes.conf). */
  onShutdown: ((opts: { save?: boolean }) => Promise<void>) | null = null;
  readonly runId = randomHex(40);
  /** Set by persistence once it can write the dataset as a new append-only base. */
  rewriteAppendOnly: ((done?: (err: Error | null) => void) => boolean) | null = null;
  /** Filled in by persistence: the append-only file's state for INFO. */
  aofStatus: () => { rewriting: boolean; baseSize: number; incrSize: number } = () => ({ rewriting: false, baseSize: 0, incrSize: 0 });

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    const events: KeyspaceEvents = {
      modified: (db, key) => this.touchWatched(db.index, key),
      expiring: (db, key) => {
        for (const s of this.snapshots) s.beforeWrite(db, key);
      },
      expired: (db, key) => {
        this.stats.expiredKeys++;
        this.touchWatched(db.index, key);
        if (this.propagator.active) this.propagator.propagate(db.index, ['DEL', key]);
      },
    };
    const count = config.bool('cluster-enabled') ? 1 : config.int('databases');
    this.dbs = Array.from({ length: count }, (_, i) => new Db(i, events));
    this.outputLimits = parseOutputBufferLimits(config.get('client-output-buffer-limit'));
    config.onChange((name, value) => {
      if (name === 'client-output-buffer-limit') this.outputLimits = parseOutputBufferLimits(value);
    });
  }

  get clusterEnabled(): boolean {
    return this.config.bool('cluster-enabled');
  }

  // ---- WATCH -------------------------------------------------------------------------------
  private readonly watchers = new Map<string, Set<Session>>();

  watch(session: Session, db: number, key: string): void {
    const k = `${db}\0${key}`;
    session.watched ??= new Map();
    if (session.watched.has(k)) return;
    session.watched.set(k, db);
    let set = this.watchers.get(k);
    if (!set) this.watchers.set(k, (set = new Set()));
    set.add(session);
  }

  unwatchAll(session: Session): void {
    if (session.watched === null) return;
    for (const k of session.watched.keys()) {
      const set = this.watchers.get(k);
      if (set) {
        set.delete(session);
        if (set.size === 0) this.watchers.delete(k);
      }
    }
    session.watched = null;
    session.dirtyCas = false;
  }

  touchWatched(db: number, key: string): void {
    if (this.watchers.size === 0) return;
    const set = this.watchers.get(`${db}\0${key}`);
    if (set) for (const s of set) s.dirtyCas = true;
  }

  /** FLUSHDB/FLUSHALL/SWAPDB: every watcher of the db sees its keys as modified. */
  touchAllWatched(db: number | null): void {
    for (const set of this.watchers.values()) for (const s of set) if (db === null || [...s.watched!.values()].includes(db)) s.dirtyCas = true;
  }

  // ---- network ------------------------------------------------------------------------------
  async listen(): Promise<void> {
    const port = this.config.int('port');
    const binds = this.config
      .get('bind')
      .split(/\s+/)
      .filter((b) => b !== '')
      .map((b) => (b.startsWith('-') ? b.slice(1) : b));
    const hosts = binds.length === 0 ? ['0.0.0.0'] : binds.map((b) => (b === '*' ? '0.0.0.0' : b === '::*' ? '::' : b));
    const optional = new Set(this.config.get('bind').split(/\s+/).filter((b) => b.startsWith('-')).map((b) => b.slice(1)));
    for (const host of [...new Set(hosts)]) {
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      srv.maxConnections = this.config.int('maxclients') + 32;
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port, host, backlog: this.config.int('tcp-backlog') }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        if (optional.has(host === '::' ? '::*' : host) || (host === '::' && hosts.includes('0.0.0.0'))) continue;
        throw e;
      }
      this.servers.push(srv);
    }
    if (this.servers.length === 0) throw new Error('could not bind any address');
    this.cron = setInterval(() => this.serverCron(), Math.max(1, Math.floor(1000 / Math.max(1, this.config.int('hz')))));
    this.cron.unref();
  }

  get port(): number {
    const a = this.servers[0]?.address();
    return typeof a === 'object' && a !== null ? a.port : this.config.int('port');
  }

  private accept(socket: net.Socket): void {
    this.stats.connectionsReceived++;
    if (this.sessions.size >= this.config.int('maxclients')) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const s = new Session(this.nextClientId++, socket);
    s.authenticated = this.config.get('requirepass') === '';
    s.reader.unauthenticated = !s.authenticated;
    s.reader.limits = { ...s.reader.limits, maxBulkLen: this.config.int('proto-max-bulk-len') };
    s.out.onDirty = () => {
      if (!this.processing.has(s)) this.scheduleFlush(s);
    };
    this.sessions.set(s.id, s);
    const keepAlive = this.config.int('tcp-keepalive');
    if (keepAlive > 0) socket.setKeepAlive(true, keepAlive * 1000);
    socket.on('data', (chunk: Buffer) => {
      this.stats.netInputBytes += chunk.length;
      s.reader.feed(chunk);
      if (s.reader.pending > this.config.int('client-query-buffer-limit')) {
        this.log.warn({ client: s.id }, 'closing client that reached max query buffer length');
        this.closeSession(s);
        return;
      }
      this.processInput(s);
    });
    socket.on('error', () => this.closeSession(s));
    socket.on('close', () => this.closeSession(s));
  }

  private readonly processing = new Set<Session>();

  /** Runs every complete request in the session's input, then writes the replies in one go. */
  processInput(s: Session): void {
    if (s.closing) return;
    this.processing.add(s);
    try {
      while (s.blocked === null && !s.closing) {
        let argv: string[] | null;
        try {
          argv = s.reader.next();
        } catch (e) {
          if (e instanceof ProtocolError) {
            this.log.info({ client: s.id, addr: s.addr, reason: e.reason }, 'protocol error from client');
            s.out.error(E.protocol(e.reason));
            s.closing = true;
            break;
          }
          throw e;
        }
        if (argv === null) break;
        s.lastInteraction = Date.now();
        execute(this, s, argv);
        s.reader.unauthenticated = !s.authenticated;
        if (this.blocking.hasReadyKeys) this.blocking.serveReady();
      }
    } finally {
      this.processing.delete(s);
    }
    this.flush(s);
    if (s.closing) this.closeAfterWrite(s);
  }

  scheduleFlush(s: Session): void {
    this.flushQueue.add(s);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        for (const q of this.flushQueue) this.flush(q);
        this.flushQueue.clear();
      });
    }
  }

  flush(s: Session): void {
    if (s.out.buf.length === 0) return;
    // Writes reach the append-only file (and replicas) before their replies reach clients.
    if (this.propagator.active) this.propagator.beforeReply();
    const data = s.out.take();
    this.stats.netOutputBytes += data.length;
    if (s.socket.destroyed) return;
    s.socket.write(data, 'latin1');
    this.checkOutputLimits(s);
  }

  private checkOutputLimits(s: Session): void {
    const cls = s.subscriptionCount > 0 && s.kind === 'normal' ? 'pubsub' : s.kind;
    const lim = this.outputLimits[cls];
    const used = s.socket.writableLength;
    if (lim.hard > 0 && used >= lim.hard) return this.dropForOutputLimit(s, used);
    if (lim.soft > 0 && used >= lim.soft) {
      const now = Date.now();
      if (s.softLimitSince === 0) s.softLimitSince = now;
      else if (now - s.softLimitSince >= lim.softSeconds * 1000) return this.dropForOutputLimit(s, used);
    } else s.softLimitSince = 0;
  }

  private dropForOutputLimit(s: Session, used: number): void {
    this.log.warn({ client: s.id, addr: s.addr, outputBytes: used }, 'client scheduled to be closed for overcoming of output buffer limits');
    this.closeSession(s);
    s.socket.destroy();
  }

  private closeAfterWrite(s: Session): void {
    s.socket.end();
    this.closeSession(s);
  }

  closeSession(s: Session): void {
    if (!this.sessions.has(s.id)) return;
    s.closing = true;
    this.sessions.delete(s.id);
    if (s.kind === 'slave') this.replication.detach(s);
    this.unwatchAll(s);
    this.blocking.unblock(s);
    this.pubsub.unsubscribeAll(s);
    if (!s.socket.destroyed && s.socket.writableLength === 0) s.socket.end();
  }

  /** Kills a client from another connection (CLIENT KILL, output limits). */
  killSession(s: Session): void {
    this.closeSession(s);
    s.socket.destroy();
  }

  private serverCron(): void {
    const now = Date.now();
    runActiveExpireCycle(this, now);
    checkSavePoints(this);
    const timeout = this.config.int('timeout');
    if (timeout > 0) {
      for (const s of this.sessions.values()) {
        if (s.blocked === null && s.subscriptionCount === 0 && s.kind === 'normal' && now - s.lastInteraction > timeout * 1000) {
          this.killSession(s);
        }
      }
    }
    for (const s of this.sessions.values()) if (s.softLimitSince !== 0) this.checkOutputLimits(s);
  }

  async close(): Promise<void> {
    if (this.cron) clearInterval(this.cron);
    for (const srv of this.servers) srv.close();
    for (const s of [...this.sessions.values()]) this.killSession(s);
    await Promise.all(this.servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }
}

function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
