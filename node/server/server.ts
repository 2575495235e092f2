// The node process's server: owns databases, sessions, config and the listener. Reads requests,
// dispatches them through the command table and writes the replies at the end of each event-loop turn.
import { Monitors } from './monitors.js';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Logger } from 'pino';
import { ProtocolError } from '../../common/resp/request-reader.js';
import { Config, parseOutputBufferLimits, type OutputBufferLimits } from '../config/config.js';
import { Db, type KeyspaceEvents } from '../store/keyspace.js';
import { Session } from './session.js';
import { onTurnYield } from './turn.js';
import { E } from '../commands/errors.js';
import { execute } from '../commands/dispatch.js';
import { Blocking } from './blocking.js';
import { PubSub } from './pubsub.js';
import { WatchRegistry } from './watch.js';
import { InstantMetric } from './instant-metric.js';
import { MemoryMeter } from '../store/memory.js';
import { runActiveExpireCycle } from '../store/expiry.js';
import { Propagator } from '../persistence/propagation.js';
import type { SnapshotHooks } from '../persistence/snapshot.js';
import { ReplicationPrimary } from '../replication/primary.js';
import type { ReplicaLink } from '../replication/replica.js';
import { checkSavePoints, type SaveState } from '../persistence/rdb-file.js';

export interface CommandStat {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
}

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
  commandCalls: Map<string, CommandStat>;
  /** The same records by command table id (dispatch's fast path; cleared with commandCalls). */
  commandStatsById: (CommandStat | undefined)[];
  /** Error replies by error code (INFO errorstats). */
  errors: Map<string, number>;
  totalErrorReplies: number;
  /** Full resyncs served, partial ones accepted, partial ones refused (INFO stats sync_*). */
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
  instantOps: InstantMetric;
  instantInput: InstantMetric;
  instantOutput: InstantMetric;
}

/** The global `performance` is a lazy accessor in Node: a module constant skips its getter per batch. */
const perf = performance;
/** Redis stops tracking new error codes past this many distinct ones. */
const MAX_ERROR_CODES = 128;

/** Hooks cluster mode installs; standalone leaves them unset. */
export interface ClusterHooks {
  /** Decides whether this node serves the command; returns an error reply text otherwise. */
  route(session: Session, argv: readonly string[], keyIndexes: readonly number[], flags: readonly string[]): string | null;
  /** EXEC: routes every queued command together (all keys in one served slot). */
  routeQueued(session: Session, queued: readonly string[][]): string | null;
  publish(channel: string, message: string, sharded: boolean): void;
  /** The error ending the wait of a client blocked on key (slot moved, cluster down), or null. */
  redirectBlocked?(key: string): string | null;
  /** True while my replica runs a manual failover with me: writers wait so it can reach my offset. */
  writesPaused?(): boolean;
  /** Writes pending nodes.conf changes; runs before replies are written. */
  beforeReply?(): void;
}

export class Server {
  readonly dbs: Db[];
  readonly sessions = new Map<number, Session>();
  readonly blocking = new Blocking(this);
  readonly pubsub = new PubSub();
  readonly memory = new MemoryMeter();
  /** SLOWLOG and LATENCY state (monitors.ts). */
  readonly monitors: Monitors;
  readonly propagator = new Propagator();
  readonly replication: ReplicationPrimary = new ReplicationPrimary(this);
  /** Set while this node replicates another (REPLICAOF / CLUSTER REPLICATE). */
  replicaLink: ReplicaLink | null = null;
  readonly saveState: SaveState = { lastSave: Math.floor(Date.now() / 1000), lastStatus: 'ok', inProgress: false, lastDurationMs: -1 };
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
    commandStatsById: [],
    errors: new Map(),
    totalErrorReplies: 0,
    syncFull: 0,
    syncPartialOk: 0,
    syncPartialErr: 0,
    instantOps: new InstantMetric(),
    instantInput: new InstantMetric(),
    instantOutput: new InstantMetric(),
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
  readonly runId = randomBytes(20).toString('hex');
  /** Set by persistence once it can write the dataset as a new append-only base. */
  rewriteAppendOnly: ((done?: (err: Error | null) => void) => boolean) | null = null;
  /** Filled in by persistence: the append-only file's state for INFO. */
  aofStatus: () => { rewriting: boolean; baseSize: number; incrSize: number } = () => ({ rewriting: false, baseSize: 0, incrSize: 0 });

  /** maxmemory and min-replicas-to-write, which dispatch reads on every write (kept current on CONFIG SET). */
  maxmemory = 0;
  minReplicasToWrite = 0;

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    const events: KeyspaceEvents = {
      modified: (db, key) => this.touchWatched(db.index, key),
      added: (db, key) => this.blocking.signalReady(db.index, key),
      expiring: (db, key) => {
        for (const s of this.snapshots) s.beforeWrite(db, key);
      },
      expired: (db, key) => {
        this.stats.expiredKeys++;
        this.touchWatched(db.index, key);
        if (this.propagator.active) this.propagator.propagate(db.index, ['DEL', key]);
      },
    };
    this.monitors = new Monitors(config);
    const count = config.bool('cluster-enabled') ? 1 : config.int('databases');
    this.dbs = Array.from({ length: count }, (_, i) => new Db(i, events));
    this.outputLimits = parseOutputBufferLimits(config.get('client-output-buffer-limit'));
    this.applyClockSettings();
    this.maxmemory = config.int('maxmemory');
    this.minReplicasToWrite = config.int('min-replicas-to-write');
    config.onChange((name, value) => {
      if (name === 'maxmemory') this.maxmemory = config.int('maxmemory');
      if (name === 'min-replicas-to-write') this.minReplicasToWrite = config.int('min-replicas-to-write');
      if (name === 'client-output-buffer-limit') this.outputLimits = parseOutputBufferLimits(value);
      if (name === 'proto-max-bulk-len') for (const s of this.sessions.values()) s.reader.limits = { ...s.reader.limits, maxBulkLen: Number(value) };
      if (name === 'maxmemory-policy' || name === 'lfu-log-factor' || name === 'lfu-decay-time') this.applyClockSettings();
    });
  }

  /** used_memory: process baseline plus every database's dataset estimate. */
  usedMemory(): number {
    let bytes = 0;
    for (const db of this.dbs) bytes += db.bytes;
    return this.memory.used(bytes);
  }

  private applyClockSettings(): void {
    const lfu = this.config.get('maxmemory-policy').endsWith('-lfu');
    for (const db of this.dbs) {
      db.clock.enableLfu(lfu);
      db.clock.lfuLogFactor = this.config.int('lfu-log-factor');
      db.clock.lfuDecayMinutes = this.config.int('lfu-decay-time');
    }
  }

  get clusterEnabled(): boolean {
    return this.config.bool('cluster-enabled');
  }

  // ---- WATCH -------------------------------------------------------------------------------
  readonly watches = new WatchRegistry();

  watch(session: Session, db: number, key: string, now: number): void {
    this.watches.watch(session, this.dbs[db]!, key, now);
  }

  unwatchAll(session: Session): void {
    this.watches.unwatchAll(session);
  }

  /**
   * Deletes every key of a slot this node no longer serves, as a write (what Redis does when a
   * peer's newer claim takes one of its slots): running snapshots capture each key first, replicas
   * and the AOF get a DEL per key, and watchers see the change. Returns how many keys went.
   */
  dropSlotKeys(slot: number): number {
    const db = this.dbs[0]!;
    const keys = db.keysInSlot(slot, Infinity);
    if (keys.length === 0) return 0;
    for (const s of this.snapshots) for (const k of keys) s.beforeWrite(db, k);
    db.flushSlot(slot);
    for (const k of keys) {
      this.touchWatched(0, k);
      if (this.propagator.active) this.propagator.propagate(0, ['DEL', k]);
    }
    this.dirty += keys.length;
    return keys.length;
  }

  /** One key of a slot this node no longer serves, deleted as dropSlotKeys() deletes them (big slots, a key per step). */
  dropSlotKey(key: string, slot: number): void {
    const db = this.dbs[0]!;
    for (const s of this.snapshots) s.beforeWrite(db, key);
    if (!db.delete(key, slot)) return;
    this.touchWatched(0, key);
    if (this.propagator.active) this.propagator.propagate(0, ['DEL', key]);
    this.dirty++;
  }

  touchWatched(db: number, key: string): void {
    if (this.watches.size === 0) return;
    this.watches.touch(this.dbs[db]!, key);
  }

  /**
   * Call BEFORE emptying a database (FLUSHDB/FLUSHALL; null = every db): watchers of keys that
   * exist in it see their transaction fail.
   */
  touchAllWatched(db: number | null): void {
    if (this.watches.size === 0) return;
    for (const d of this.dbs) if (db === null || d.index === db) this.watches.touchDb(d, null);
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
    this.memory.start();
    this.offTurnYield = onTurnYield(() => this.flushPending());
    this.startCron();
    this.config.onChange((name) => {
      if (name === 'hz' && this.cron !== null) this.startCron();
    });
  }

  private startCron(): void {
    if (this.cron !== null) clearInterval(this.cron);
    const hz = Math.min(500, Math.max(1, this.config.int('hz')));
    this.cron = setInterval(() => this.serverCron(), Math.floor(1000 / hz));
    this.cron.unref();
  }

  /** The bound port, read once: the cluster bus asks for it on every message it sends. */
  private boundPort = 0;

  get port(): number {
    if (this.boundPort !== 0) return this.boundPort;
    const a = this.servers[0]?.address();
    if (typeof a === 'object' && a !== null) return (this.boundPort = a.port);
    return this.config.int('port');
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
    s.out.onError = (msg) => this.countError(msg);
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

  private countError(msg: string): void {
    this.stats.totalErrorReplies++;
    const sp = msg.indexOf(' ');
    const code = sp === -1 ? msg : msg.slice(0, sp);
    const n = this.stats.errors.get(code);
    if (n !== undefined) this.stats.errors.set(code, n + 1);
    else if (this.stats.errors.size < MAX_ERROR_CODES) this.stats.errors.set(code, 1);
  }

  private readonly processing = new Set<Session>();
  private offTurnYield: () => void = () => {};

  /**
   * The wall clock read once per batch of pipelined requests (processInput): commands of the
   * batch take their time as that reading plus the monotonic time elapsed since, which dispatch
   * reads anyway to time each command. Saves a Date.now() per command, and a command's time is
   * never before the batch's lastInteraction stamp. Outside a batch (timers) dispatch reads
   * Date.now() itself.
   */
  batchClock = 0;
  batchPerf = 0;
  batchClockValid = false;

  /** Wall-clock ms at the monotonic reading `perf`, from the batch's clock (batchClockValid). */
  batchTime(perf: number): number {
    return this.batchClock + Math.floor(perf - this.batchPerf);
  }

  /** Runs every complete request in the session's input; the replies go out with the turn's flush. */
  processInput(s: Session): void {
    if (s.closing) return;
    this.processing.add(s);
    // One clock read per batch of pipelined requests (the idle time has 1 s resolution anyway).
    let stamped = false;
    let ownsClock = false;
    let requests = 0;
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
        if (!stamped) {
          if (this.batchClockValid) {
            // A nested batch (another session's, run from this one) keeps the outer reading.
            s.lastInteraction = this.batchTime(perf.now());
          } else {
            s.lastInteraction = this.batchClock = Date.now();
            this.batchPerf = perf.now();
            this.batchClockValid = true;
            ownsClock = true;
          }
          stamped = true;
        }
        execute(this, s, argv);
        requests++;
        s.reader.unauthenticated = !s.authenticated;
        if (this.blocking.hasReadyKeys) this.blocking.serveReady();
      }
    } finally {
      this.processing.delete(s);
      if (ownsClock) this.batchClockValid = false;
    }
    // The replies to a pipelined batch leave at the end of the event-loop turn, with every other
    // client's (as Redis writes them before it sleeps): written one by one between reads, each
    // woke its sleeping client separately, and those wake-ups were the bulk of our kernel time
    // at -P 16. A lone request's reply leaves at once: holding a single write saves nothing, and
    // it would wait for every other socket of the turn.
    if (s.closing) {
      this.flush(s);
      this.closeAfterWrite(s);
    } else if (requests <= 1) this.flush(s);
    else if (s.out.buf.length !== 0) this.scheduleFlush(s);
  }

  scheduleFlush(s: Session): void {
    this.flushQueue.add(s);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushPending());
    }
  }

  /** Writes the replies waiting for the end of the turn (also before sliced work: turn.ts). */
  private flushPending(): void {
    this.flushScheduled = false;
    if (this.flushQueue.size === 0) return;
    for (const q of this.flushQueue) this.flush(q);
    this.flushQueue.clear();
  }

  flush(s: Session): void {
    if (s.out.buf.length === 0) return;
    // Writes reach the append-only file (and replicas) before their replies reach clients.
    if (this.propagator.active) this.propagator.beforeReply();
    this.cluster?.beforeReply?.();
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
    const st = this.stats;
    st.instantOps.track(st.commandsProcessed, now);
    st.instantInput.track(st.netInputBytes, now);
    st.instantOutput.track(st.netOutputBytes, now);
    runActiveExpireCycle(this, now);
    if (this.cluster?.redirectBlocked !== undefined && this.blocking.blockedCount > 0) {
      const cluster = this.cluster;
      this.blocking.redirectBlocked((key) => cluster.redirectBlocked!(key));
    }
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
    this.offTurnYield();
    for (const srv of this.servers) srv.close();
    for (const s of [...this.sessions.values()]) this.killSession(s);
    await Promise.all(this.servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }
}
