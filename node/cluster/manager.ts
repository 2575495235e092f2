// The only owner of the cluster state: feeds bus messages and timer ticks into the pure
// transitions, carries out their effects (send, save nodes.conf, free links, drop keys, deliver
// PUBLISH), runs the 100 ms cron and answers the server's routing hook.
import { replicaOf } from '../replication/role.js';
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ClusterHooks, Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import { ClusterBus } from '../bus/bus.js';
import type { BusLink } from '../bus/link.js';
import { encodeMessage, MFlag, MsgType, NodeFlag, type BusMessage } from '../bus/messages.js';
import { checkManualFailover, handleReplicaFailover, MANUAL_FAILOVER_TIMEOUT_MS, replaceMyMaster } from './election.js';
import { E } from '../commands/errors.js';
import { keyIndexes, lookupCommand } from '../commands/table.js';
import { keySlot } from '../../common/slots.js';
import { detectPfail } from './failure.js';
import { buildFail, buildHeader, buildPing, buildPublish, buildUpdate, type Announce } from './outgoing.js';
import { BackgroundFsync, ConfWriter, formatConf, lockConf, parseConf, stateFromConf, ConfError } from './nodes-conf.js';
import { receive } from './receive.js';
import { replicaMigrationTarget } from './replica-migration.js';
import { routeBlockedKey, routeCommand } from './routing.js';
import { bumpEpochWithoutConsensus, createState, inHandshake, isMaster, isReplica, masterOf, newManualFailover, randomNodeId, removeNode, setMyMaster, updateState, type ClusterNode, type ClusterOptions, type ClusterState, type Effect } from './state.js';

export const CRON_INTERVAL_MS = 100;

/** How long the importer's PONG after CLUSTER SETSLOT NODE waits (see broadcastPongSoon). */
export const SETSLOT_PONG_DELAY_MS = 5;

const SAVE_RANK = { none: 0, write: 1, lazy: 2, fsync: 3 } as const;
type SaveLevel = keyof typeof SAVE_RANK;

export class ClusterManager implements ClusterHooks {
  state: ClusterState;
  readonly bus: ClusterBus;
  private cron: NodeJS.Timeout | null = null;
  private iteration = 0;
  /**
   * nodes.conf changes not yet on disk: 'write' (a plain write is enough, as Redis does for slot
   * assignments and migration marks) or 'fsync' (epochs, votes, roles). Written once per event
   * loop turn and always before any reply leaves (beforeReply), like Redis's beforeSleep.
   * 'lazy' (slot ownership learned from a peer) is written the same way and fsynced on the
   * thread pool: Redis fsyncs it inline, which during a reshard stalls every master for an fsync
   * per slot moved while redis-cli waits for its SETSLOT replies. A process crash loses nothing
   * either way (the write is in the page cache); a power loss within that fsync can lose the
   * move, which the peers' higher configEpoch then corrects, as for Redis's unsynced SETSLOT.
   */
  private pendingSave: SaveLevel = 'none';
  private saveScheduled = false;
  private pongScheduled = false;
  private readonly bgFsync: BackgroundFsync;
  private readonly confFile: ConfWriter;
  private electionPending = false;
  private stateNeeded = false;
  readonly log: Logger;
  readonly confPath: string;
  private unlock: () => void = () => {};

  constructor(
    readonly server: Server,
    readonly busPort: number,
    log: Logger,
  ) {
    this.log = log.child({ component: 'cluster' });
    this.confPath = server.config.get('cluster-config-file');
    this.state = createState(randomNodeId(), this.options(), Date.now());
    this.confFile = new ConfWriter(this.confPath);
    this.bgFsync = new BackgroundFsync(this.confPath, (e) => this.log.error({ err: e.message, file: this.confPath }, 'could not fsync the cluster configuration'));
    this.bus = new ClusterBus(
      {
        message: (link, msg) => this.onMessage(link, msg),
        protocolError: (link, reason) =>
          this.log.warn({ peer: `${link.peerIp}:${link.socket.remotePort ?? 0}`, node: link.node?.id, reason }, 'Bad message received from Cluster bus; closing the link'),
        closed: () => {},
      },
      this.log,
    );
  }

  /** Loads (or creates) nodes.conf, opens the bus and installs the routing hook. */
  static async start(server: Server, log: Logger): Promise<ClusterManager> {
    const port = server.port;
    const cport = server.config.int('cluster-port') || port + 10000;
    if (cport > 65535) throw new Error(`Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.`);
    const m = new ClusterManager(server, cport, log);
    m.unlock = lockConf(m.confPath);
    m.load();
    m.refreshMyself();
    m.save();
    // Same addresses as the client listener; `-addr` entries may fail to bind.
    const words = server.config.get('bind').split(/\s+/).filter((b) => b !== '');
    const norm = (b: string) => (b === '*' ? '0.0.0.0' : b === '::*' ? '::' : b);
    const hosts = words.length === 0 ? ['0.0.0.0'] : [...new Set(words.map((b) => norm(b.startsWith('-') ? b.slice(1) : b)))];
    const optional = new Set(words.filter((b) => b.startsWith('-')).map((b) => norm(b.slice(1))));
    await m.bus.listen(hosts, cport, (h) => optional.has(h) || (h === '::' && hosts.includes('0.0.0.0')));
    server.cluster = m;
    m.cron = setInterval(() => m.tick(), CRON_INTERVAL_MS);
    m.cron.unref();
    server.config.onChange((name) => {
      if (name.startsWith('cluster-')) {
        m.state.opts = m.options();
        m.refreshMyself();
      }
    });
    return m;
  }

  private options(): ClusterOptions {
    const c = this.server.config;
    return {
      nodeTimeout: c.int('cluster-node-timeout'),
      requireFullCoverage: c.bool('cluster-require-full-coverage'),
      allowReplicaMigration: c.bool('cluster-allow-replica-migration'),
      migrationBarrier: c.int('cluster-migration-barrier'),
      announceIp: c.get('cluster-announce-ip'),
    };
  }

  private load(): void {
    if (!existsSync(this.confPath)) {
      this.log.info({ id: this.state.myself.id, file: this.confPath }, 'No cluster configuration found, I am a new node');
      return;
    }
    const text = readFileSync(this.confPath, 'latin1');
    if (text.trim() === '') return;
    try {
      const conf = parseConf(text);
      for (const w of conf.warnings) this.log.warn(w);
      this.state = stateFromConf(conf, this.options(), Date.now());
      this.log.info({ id: this.state.myself.id, nodes: this.state.nodes.size, currentEpoch: this.state.currentEpoch }, 'Node configuration loaded');
    } catch (e) {
      if (e instanceof ConfError) throw new Error(`Unrecoverable error: corrupted cluster config file: ${e.message}`);
      throw e;
    }
  }

  announce(): Announce {
    const c = this.server.config;
    return {
      ip: c.get('cluster-announce-ip'),
      port: c.int('cluster-announce-port') || this.server.port,
      cport: c.int('cluster-announce-bus-port') || this.busPort,
      hostname: c.get('cluster-announce-hostname'),
    };
  }

  private refreshMyself(): void {
    const a = this.announce();
    const me = this.state.myself;
    if (a.ip !== '' && me.ip !== a.ip) {
      me.ip = a.ip;
      this.requestSave('fsync');
    }
    if (me.port !== a.port || me.cport !== a.cport) {
      me.port = a.port;
      me.cport = a.cport;
      this.requestSave('fsync');
    }
    me.hostname = a.hostname;
  }

  // ---- persistence -------------------------------------------------------------------------------

  /** Writes nodes.conf now, durably (temp file, fsync, rename, fsync dir). */
  save(): void {
    this.pendingSave = 'none';
    try {
      this.confFile.atomic(formatConf(this.state));
    } catch (e) {
      this.log.error({ err: (e as Error).message, file: this.confPath }, 'could not save the cluster configuration');
    }
  }

  /** Marks nodes.conf dirty; it is written before the next reply or at the end of this turn. */
  requestSave(level: Exclude<SaveLevel, 'none'>): void {
    if (SAVE_RANK[level] > SAVE_RANK[this.pendingSave]) this.pendingSave = level;
    if (this.saveScheduled) return;
    this.saveScheduled = true;
    setImmediate(() => {
      this.saveScheduled = false;
      this.flushConfig();
    });
  }

  /** The server calls this before writing replies: what a client was told OK is on disk. */
  beforeReply(): void {
    if (this.pendingSave !== 'none') this.flushConfig();
  }

  private flushConfig(): void {
    const level = this.pendingSave;
    if (level === 'none') return;
    if (level === 'fsync') return this.save();
    this.pendingSave = 'none';
    try {
      this.confFile.inPlace(formatConf(this.state));
      if (level === 'lazy') this.bgFsync.request();
    } catch (e) {
      this.log.error({ err: (e as Error).message, file: this.confPath }, 'could not save the cluster configuration');
    }
  }

  /**
   * Commands call this after changing the state: recompute cluster_state and persist. Durable
   * (the default: epochs, votes, roles) saves and fsyncs now; `durable: false` is for what Redis
   * writes without fsync (slot assignments, migration marks, forgotten nodes), written once per
   * turn before the reply. A broadcast goes out only after the file is written (a new configEpoch
   * must be on disk before it is on the wire, facts §11.7: pass durable then).
   */
  commit(opts: { broadcast?: boolean; durable?: boolean } = {}): void {
    updateState(this.state, Date.now());
    if (opts.durable !== false) this.save();
    else {
      this.requestSave('write');
      if (opts.broadcast) this.flushConfig();
    }
    this.syncReplicationRole();
    if (opts.broadcast) this.broadcastPong();
  }

  /**
   * The cluster decides roles (CLUSTER REPLICATE, failovers, UPDATE messages); the replication
   * layer follows: a replica streams from its master's address, a master stops replicating.
   */
  syncReplicationRole(): void {
    const me = this.state.myself;
    const link = this.server.replicaLink;
    const master = me.masterId !== null ? this.state.nodes.get(me.masterId) : undefined;
    if (master !== undefined && master.ip !== '' && master.port > 0) {
      if (link === null || link.host !== master.ip || link.port !== master.port) replicaOf(this.server, { host: master.ip, port: master.port });
    } else if (me.masterId === null && link !== null) replicaOf(this.server, null);
  }

  // ---- messages ----------------------------------------------------------------------------------

  private onMessage(link: BusLink, msg: BusMessage): void {
    const now = Date.now();
    const db = this.server.dbs[0]!;
    const fx = receive(this.state, { outbound: link.outbound, node: link.node, peerIp: link.peerIp, localIp: link.localIp }, msg, {
      now,
      keysInSlot: (s) => db.countInSlot(s),
    });
    this.run(fx, link);
    this.finish();
  }

  private run(fx: readonly Effect[], link: BusLink | null): void {
    for (const e of fx) {
      switch (e.t) {
        case 'save':
          this.requestSave('fsync');
          break;
        case 'save-slots':
          this.requestSave('lazy');
          break;
        case 'update-state':
          this.stateNeeded = true;
          break;
        case 'reply-pong':
          if (link !== null) this.sendPing(link, MsgType.PONG);
          break;
        case 'send-update': {
          const l = this.bus.outbound.get(e.to);
          if (l !== undefined) this.send(l, buildUpdate(this.state, e.about, this.announce()));
          break;
        }
        case 'send-auth-ack': {
          // The vote must be on disk before it can be seen (facts §11.7).
          this.save();
          const l = this.bus.outbound.get(e.to);
          if (l !== undefined) this.send(l, { header: buildHeader(this.state, MsgType.FAILOVER_AUTH_ACK, this.announce()), body: { kind: 'empty' } });
          break;
        }
        case 'broadcast-pong':
          this.broadcastPong();
          break;
        case 'broadcast-auth-request': {
          this.save();
          const msg: BusMessage = { header: buildHeader(this.state, MsgType.FAILOVER_AUTH_REQUEST, this.announce()), body: { kind: 'empty' } };
          if (e.forceAck) msg.header.mflags |= MFlag.FORCEACK;
          this.broadcast(msg);
          break;
        }
        case 'pong-to-siblings': {
          const me = this.state.myself;
          for (const [n, l] of this.bus.outbound) if (n !== me && isReplica(n) && n.masterId === me.masterId) this.sendPing(l, MsgType.PONG);
          break;
        }
        case 'election-check':
          this.electionPending = true;
          break;
        case 'ping-node': {
          const l = this.bus.outbound.get(e.to);
          if (l !== undefined) this.sendPing(l, MsgType.PING);
          break;
        }
        case 'broadcast-fail':
          this.broadcast(buildFail(this.state, e.id, this.announce()));
          break;
        case 'free-link':
          this.bus.outbound.get(e.node)?.close();
          break;
        case 'bind-inbound':
          if (link !== null && !link.outbound) link.node = e.node;
          break;
        case 'delete-node':
          this.deleteNode(e.node);
          break;
        case 'drop-slot-keys': {
          let keys = 0;
          for (const s of e.slots) keys += this.server.dropSlotKeys(s);
          this.log.warn({ slots: e.slots.length, keys }, 'Deleting keys in slots now owned by another node');
          break;
        }
        case 'publish':
          if (e.sharded) this.server.pubsub.publishShard(e.channel, e.message);
          else this.server.pubsub.publish(e.channel, e.message);
          break;
        case 'log':
          this.log[e.level](e.fields ?? {}, e.msg);
          break;
      }
    }
  }

  private finish(): void {
    if (this.electionPending) {
      this.electionPending = false;
      this.runReplicaFailover(Date.now());
    }
    if (this.stateNeeded) {
      this.stateNeeded = false;
      updateState(this.state, Date.now());
    }
    this.syncReplicationRole();
  }

  deleteNode(node: ClusterNode): void {
    this.bus.freeLinks(node);
    removeNode(this.state, node);
    this.requestSave('write');
  }

  send(link: BusLink, msg: BusMessage): void {
    msg.header.offset = this.replicaOffset();
    const t = msg.header.type;
    if (t < this.state.stats.sent.length) this.state.stats.sent[t]!++;
    link.send(encodeMessage(msg));
  }

  sendPing(link: BusLink, type: number): void {
    if (link.node !== null && type === MsgType.PING) link.node.pingSent = Date.now();
    this.send(link, buildPing(this.state, type, this.announce(), link.node));
  }

  /** Every node with an outbound link except handshake nodes. */
  broadcast(msg: BusMessage, filter: (n: ClusterNode) => boolean = () => true): void {
    msg.header.offset = this.replicaOffset();
    const buf = encodeMessage(msg);
    for (const [n, l] of this.bus.outbound) {
      if (n === this.state.myself || inHandshake(n) || !filter(n)) continue;
      const t = msg.header.type;
      if (t < this.state.stats.sent.length) this.state.stats.sent[t]!++;
      l.send(buf);
    }
  }

  /**
   * A PONG to every node shortly after the reply (CLUSTER SETSLOT NODE on the importer). Redis
   * writes it on its next event-loop pass; we wait SETSLOT_PONG_DELAY_MS. redis-cli sends the
   * same SETSLOT NODE to the source and every other master right after the importer's reply, and
   * when those arrive first each master rebinds the slot as part of that command (one nodes.conf
   * write, no fsync) and the PONG then finds nothing to change. Arriving first, the PONG made
   * every master rebind it as a bus-learned change (write plus fsync) while redis-cli's next
   * request waited behind that work on a busy machine. Slots finished within the delay share
   * one broadcast. Nodes redis-cli does not tell (replicas) learn it a few ms later.
   */
  broadcastPongSoon(): void {
    if (this.pongScheduled) return;
    this.pongScheduled = true;
    setTimeout(() => {
      this.pongScheduled = false;
      this.flushConfig();
      this.broadcastPong();
    }, SETSLOT_PONG_DELAY_MS).unref();
  }

  broadcastPong(): void {
    for (const [n, l] of this.bus.outbound) if (n !== this.state.myself && !inHandshake(n)) this.sendPing(l, MsgType.PONG);
  }

  // ---- cron --------------------------------------------------------------------------------------

  tick(now = Date.now()): void {
    const link = this.server.replicaLink;
    this.state.myself.replOffset = link !== null ? Math.max(0, link.offset) : this.server.replication.offset;
    const st = this.state;
    const timeout = st.opts.nodeTimeout;
    this.iteration++;
    this.refreshMyself();
    const handshakeTimeout = Math.max(timeout, 1000);
    for (const n of [...st.nodes.values()]) {
      if (n === st.myself || n.flags & NodeFlag.NOADDR) continue;
      if (inHandshake(n) && now - n.ctime > handshakeTimeout) {
        this.deleteNode(n);
        continue;
      }
      if (!this.bus.outbound.has(n) && n.ip !== '' && n.cport > 0) this.connect(n, now);
    }
    if (this.iteration % 10 === 0) {
      let min: ClusterNode | null = null;
      const all = [...st.nodes.values()];
      for (let i = 0; i < 5 && all.length > 0; i++) {
        const n = all[Math.floor(Math.random() * all.length)]!;
        if (n === st.myself || inHandshake(n) || !this.bus.outbound.has(n) || n.pingSent !== 0) continue;
        if (min === null || n.pongReceived < min.pongReceived) min = n;
      }
      if (min !== null) this.sendPing(this.bus.outbound.get(min)!, MsgType.PING);
    }
    const fx: Effect[] = [];
    for (const n of st.nodes.values()) {
      if (n === st.myself || n.flags & NodeFlag.NOADDR || inHandshake(n)) continue;
      const link = this.bus.outbound.get(n);
      if (
        link !== undefined &&
        now - link.ctime > timeout &&
        n.pingSent !== 0 &&
        now - n.pingSent > timeout / 2 &&
        now - n.dataReceived > timeout / 2
      ) {
        link.close();
        continue;
      }
      if (link !== undefined && n.pingSent === 0 && now - n.pongReceived > timeout / 2) this.sendPing(link, MsgType.PING);
      detectPfail(st, n, now, fx);
    }
    this.run(fx, null);
    this.manualFailoverCron(now);
    if (isReplica(st.myself)) {
      this.runReplicaFailover(now);
      this.runReplicaMigration(now);
    }
    updateState(st, now);
    this.finish();
  }

  private manualFailoverCron(now: number): void {
    const mf = this.state.mf;
    if (mf.end === 0) return;
    if (mf.end < now) {
      this.log.warn('Manual failover timed out');
      this.state.mf = newManualFailover();
      return;
    }
    if (isReplica(this.state.myself) && mf.masterOffset === -1 && !mf.canStart) {
      // Repeat MFSTART until my master answers with its PAUSED offset (a lost or early MFSTART,
      // e.g. before the master saw me as its replica, must not waste the whole timeout).
      this.sendMfStart();
      return;
    }
    if (isMaster(this.state.myself) && mf.replicaId !== null) {
      // Keep my replica informed of my (paused) offset while it catches up.
      const r = this.state.nodes.get(mf.replicaId);
      const l = r !== undefined ? this.bus.outbound.get(r) : undefined;
      if (l !== undefined) this.sendPing(l, MsgType.PING);
    }
  }

  private replicaOffset(): number {
    const link = this.server.replicaLink;
    return link !== null ? Math.max(0, link.offset) : this.server.replication.offset;
  }

  runReplicaFailover(now: number): void {
    const st = this.state;
    if (!isReplica(st.myself)) return;
    const myOffset = this.replicaOffset();
    checkManualFailover(st, myOffset);
    const link = this.server.replicaLink;
    const cfg = this.server.config;
    const fx = handleReplicaFailover(st, {
      now,
      myOffset,
      dataAgeMs: link === null ? now - this.server.startedAt : link.state === 'connected' ? now - link.lastIoAt : now - link.linkDownSince,
      validityFactor: cfg.int('cluster-replica-validity-factor'),
      replPingPeriodMs: cfg.int('repl-ping-replica-period') * 1000,
      noFailover: cfg.bool('cluster-replica-no-failover'),
      random: Math.random,
    });
    if (fx.length > 0) this.run(fx, null);
  }

  private runReplicaMigration(now: number): void {
    const st = this.state;
    const target = replicaMigrationTarget(st, { now, allow: st.opts.allowReplicaMigration, barrier: st.opts.migrationBarrier ?? 1 });
    if (target === null) return;
    this.log.warn({ node: target.id }, 'Migrating to orphaned master');
    setMyMaster(st, target);
    this.save();
    this.syncReplicationRole();
  }

  /** CLUSTER FAILOVER (called on a replica, checks already done by the command). */
  startManualFailover(mode: 'default' | 'force' | 'takeover', now: number): void {
    const st = this.state;
    st.mf = { ...newManualFailover(), end: now + MANUAL_FAILOVER_TIMEOUT_MS };
    if (mode === 'takeover') {
      const fx: Effect[] = [];
      bumpEpochWithoutConsensus(st);
      replaceMyMaster(st, fx);
      this.run(fx, null);
      this.finish();
      return;
    }
    if (mode === 'force') {
      st.mf.canStart = true;
      this.runReplicaFailover(now);
      this.finish();
      return;
    }
    this.sendMfStart();
  }

  private sendMfStart(): void {
    const st = this.state;
    const master = masterOf(st, st.myself);
    const l = master !== null ? this.bus.outbound.get(master) : undefined;
    if (l !== undefined) this.send(l, { header: buildHeader(st, MsgType.MFSTART, this.announce()), body: { kind: 'empty' } });
  }

  private connect(n: ClusterNode, now: number): void {
    if (n.pingSent === 0 && (n.flags & NodeFlag.MEET) === 0) n.pingSent = now;
    const previousPing = n.pingSent;
    this.bus.connect(n, this.state.opts.nodeTimeout, (link) => {
      if (n.flags & NodeFlag.MEET) {
        n.flags &= ~NodeFlag.MEET;
        this.send(link, buildPing(this.state, MsgType.MEET, this.announce(), link.node));
      } else {
        this.sendPing(link, MsgType.PING);
        if (previousPing !== 0) n.pingSent = previousPing;
      }
    });
  }

  // ---- hooks for the server ----------------------------------------------------------------------

  routeQueued(session: Session, queued: readonly string[][]): string | null {
    const keys: string[] = [];
    let write = false;
    for (const q of queued) {
      const spec = lookupCommand(q[0]!.toLowerCase());
      if (spec === undefined) continue;
      for (const i of keyIndexes(spec, q)) keys.push(q[i]!);
      if (spec.flags.includes('write')) write = true;
    }
    if (keys.length === 0) return null;
    return this.route(session, keys, keys.map((_, i) => i), write ? ['write'] : []);
  }

  writesPaused(): boolean {
    return isMaster(this.state.myself) && this.state.mf.end !== 0 && this.state.mf.replicaId !== null;
  }

  route(session: Session, argv: readonly string[], keyIndexes: readonly number[], flags: readonly string[]): string | null {
    if (keyIndexes.length === 0) return null;
    const st = this.state;
    // Fast path for the common case: healthy cluster, keys in a slot of mine that is not migrating
    // out. routeCommand serves every such command too; it stays fast during a reshard, when some
    // other slot is migrating or importing and clients keep hitting all the rest.
    if (st.ok) {
      const slot = keySlot(argv[keyIndexes[0]!]!);
      let same = true;
      for (let i = 1; i < keyIndexes.length && same; i++) same = keySlot(argv[keyIndexes[i]!]!) === slot;
      const mine = st.owners[slot] === st.myself;
      if (same && mine && !st.migrating.has(slot)) return null;
      // One key in a slot being imported, with ASKING (MIGRATE's RESTORE-ASKING): served whether
      // or not the key exists, as routeCommand decides, without its presence lookups.
      if (keyIndexes.length === 1 && st.importing.has(slot) && !(mine && st.migrating.has(slot)) && (session.asking || flags.includes('asking'))) return null;
    }
    const db = this.server.dbs[0]!;
    const cfg = this.server.config;
    const keys = keyIndexes.map((i) => argv[i]!);
    const name = keyIndexes[0] === 0 ? '' : argv[0]!.toLowerCase();
    const now = Date.now();
    const d = routeCommand(st, {
      keys,
      asking: session.asking,
      readonlyClient: session.readonlyMode,
      isWrite: flags.includes('write'),
      isMigrate: name === 'migrate',
      impliesAsking: flags.includes('asking'),
      shardedPubsub: flags.includes('pubsub'),
      allowReadsWhenDown: cfg.bool('cluster-allow-reads-when-down'),
      allowPubsubshardWhenDown: cfg.bool('cluster-allow-pubsubshard-when-down'),
      keyExists: (k) => {
        if (db.rawGet(k) === undefined) return false;
        const at = db.getExpire(k);
        return at === undefined || at > now;
      },
    });
    switch (d.kind) {
      case 'serve':
        return null;
      case 'moved':
        return E.moved(d.slot, this.endpoint(d.node));
      case 'ask':
        return E.ask(d.slot, this.endpoint(d.node));
      case 'tryagain':
        return E.tryAgain;
      case 'crossslot':
        return E.crossSlot;
      case 'down':
        return d.reason === 'unbound' ? E.clusterDownUnbound : d.reason === 'readonly' ? E.clusterDownReadOnly : E.clusterDown;
    }
  }

  /** The error ending the wait of a client blocked on key, or null while it may keep waiting. */
  redirectBlocked(key: string): string | null {
    const d = routeBlockedKey(this.state, key);
    switch (d.kind) {
      case 'moved':
        return E.moved(d.slot, this.endpoint(d.node));
      case 'down':
        return d.reason === 'unbound' ? E.clusterDownUnbound : E.clusterDown;
      default:
        return null;
    }
  }

  // ---- slot migration state (read by the MIGRATE / RESTORE-ASKING layer) -------------------------
  // The marks live in ClusterState.migrating / .importing (slot -> peer node ID), are set only by
  // CLUSTER SETSLOT, persisted in nodes.conf and shown on the myself line of CLUSTER NODES.

  /** The node serving a slot, or null when unassigned. */
  slotOwner(slot: number): ClusterNode | null {
    return this.state.owners[slot] ?? null;
  }

  /** Target of a slot this node is migrating out (SETSLOT MIGRATING), if any. */
  migratingTo(slot: number): ClusterNode | undefined {
    const id = this.state.migrating.get(slot);
    return id === undefined ? undefined : this.state.nodes.get(id);
  }

  /** Source of a slot this node is importing (SETSLOT IMPORTING), if any. */
  importingFrom(slot: number): ClusterNode | undefined {
    const id = this.state.importing.get(slot);
    return id === undefined ? undefined : this.state.nodes.get(id);
  }

  /** `endpoint:port` as cluster-preferred-endpoint-type says. */
  endpoint(n: ClusterNode): string {
    const type = this.server.config.get('cluster-preferred-endpoint-type');
    const host = type === 'hostname' ? (n.hostname !== '' ? n.hostname : '?') : type === 'unknown-endpoint' ? '' : n.ip;
    return `${host}:${n.port}`;
  }

  publish(channel: string, message: string, sharded: boolean): void {
    const msg = buildPublish(this.state, channel, message, sharded, this.announce());
    if (!sharded) return this.broadcast(msg);
    const st = this.state;
    const myMaster = masterOf(st, st.myself);
    this.broadcast(msg, (n) => {
      const m = masterOf(st, n);
      return m !== null && m === myMaster && (n === myMaster || isReplica(n));
    });
  }

  async close(): Promise<void> {
    if (this.cron) clearInterval(this.cron);
    await this.bus.close();
    this.confFile.close();
    this.unlock();
  }
}
