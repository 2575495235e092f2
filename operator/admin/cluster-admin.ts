// Redis Cluster administration over the public commands only (so it drives Debian's redis-server
// and our redshard-node alike). Every action is logged with the node and its arguments.
import type { Logger } from '../../common/log.js';
import type { SlotRange } from '../../common/slots.js';
import { NodeClient, NodeReplyError, type Reply } from './node-client.js';
import { parseClusterNodes } from '../reconcile/observed.js';

export class MigrationError extends Error {}

const IMPORT_TIMEOUT_MS = 10 * 60_000;

/** A rolling update's failover did not complete (replica never caught up or never became master). */
export class FailoverError extends Error {}

export class ClusterAdmin {
  private readonly clients = new Map<string, NodeClient>();

  constructor(
    private readonly log: Logger,
    private readonly password: string | null = null,
    private readonly timeoutMs = 10_000,
  ) {}

  client(host: string, port: number): NodeClient {
    const key = `${host}:${port}`;
    let c = this.clients.get(key);
    if (!c) {
      c = new NodeClient({ host, port, password: this.password, timeoutMs: this.timeoutMs });
      this.clients.set(key, c);
    }
    return c;
  }

  /**
   * A second connection to a node for CLUSTER IMPORT-SLOTS, which replies only when the slots
   * have moved (seconds for big slots): it must neither hit the short per-request timeout nor
   * hold up other commands to that node. The node ends a stalled import by itself (no data from
   * the source for 15 s), so the long deadline here is only a backstop.
   */
  importClient(host: string, port: number): NodeClient {
    const key = `import:${host}:${port}`;
    let c = this.clients.get(key);
    if (!c) {
      c = new NodeClient({ host, port, password: this.password, timeoutMs: IMPORT_TIMEOUT_MS });
      this.clients.set(key, c);
    }
    return c;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  clusterNodes(c: NodeClient): Promise<string> {
    return c.callString('CLUSTER', 'NODES');
  }

  dbsize(c: NodeClient): Promise<number> {
    return c.callInteger('DBSIZE');
  }

  /**
   * Probes for CLUSTER IMPORT-SLOTS without side effects: a call with too few arguments is an
   * arity error on a node that has the subcommand and "unknown subcommand" on one that has not
   * (redis-server 7.0). Asked every pass, so a node replaced by another program is seen at once.
   */
  async supportsAtomicSlots(c: NodeClient): Promise<boolean> {
    try {
      await c.call('CLUSTER', 'IMPORT-SLOTS');
      return false;
    } catch (e) {
      if (e instanceof NodeReplyError) return !/unknown subcommand/i.test(e.reply);
      throw e;
    }
  }

  /**
   * Atomic whole-range move (our node only): the target pulls the slots from the source and
   * replies once it owns them; clients never see ASK and the source keeps nothing behind. A failure
   * leaves the source owning the slots with its keys (the target drops what it received).
   */
  async importSlots(target: NodeClient, range: SlotRange, sourceHost: string, sourcePort: number): Promise<void> {
    this.log.debug({ node: target.address, start: range.start, end: range.end, from: `${sourceHost}:${sourcePort}` }, 'CLUSTER IMPORT-SLOTS');
    const r = await target.call('CLUSTER', 'IMPORT-SLOTS', range.start, range.end, 'FROM', sourceHost, sourcePort);
    if (r !== 'OK') throw new MigrationError(`${target.address}: IMPORT-SLOTS replied ${JSON.stringify(r)}`);
  }

  async meet(c: NodeClient, host: string, port: number): Promise<void> {
    this.log.info({ node: c.address, meet: `${host}:${port}` }, 'CLUSTER MEET');
    await c.call('CLUSTER', 'MEET', host, port);
  }

  async addSlots(c: NodeClient, ranges: readonly SlotRange[]): Promise<void> {
    this.log.info({ node: c.address, ranges: ranges.map((r) => `${r.start}-${r.end}`).join(' ') }, 'CLUSTER ADDSLOTSRANGE');
    try {
      await c.call('CLUSTER', 'ADDSLOTSRANGE', ...ranges.flatMap((r) => [r.start, r.end]));
    } catch (e) {
      const busy = e instanceof NodeReplyError ? /Slot (\d+) is already busy/.exec(e.reply) : null;
      if (!busy) throw e;
      // The next pass plans from a fresh view (a slot bound on this node is claimed, not added);
      // what the node says about the slot is logged for the diagnosis.
      const slot = Number(busy[1]);
      const holder = await this.clusterNodes(c).then(
        (text) => parseClusterNodes(text).find((l) => l.slots.some((r) => r.start <= slot && slot <= r.end)),
        () => undefined,
      );
      this.log.warn({ node: c.address, slot, boundTo: holder ? `${holder.id} ${holder.host}:${holder.port} ${[...holder.flags].join(',')}` : null }, 'ADDSLOTSRANGE: slot already bound on the node');
      throw e;
    }
  }

  /**
   * Takes slots that no node claims but that this node's table still binds to another node
   * (ADDSLOTS refuses them as busy): unbound, added, and this node's configEpoch bumped so that
   * nodes holding the same stale binding accept the new claim (redis-cli --cluster fix does the same).
   */
  async claimSlots(c: NodeClient, ranges: readonly SlotRange[]): Promise<void> {
    const args = ranges.flatMap((r) => [r.start, r.end]);
    this.log.warn({ node: c.address, ranges: ranges.map((r) => `${r.start}-${r.end}`).join(' ') }, 'claiming slots still bound to a node that does not claim them (CLUSTER DELSLOTSRANGE + ADDSLOTSRANGE + BUMPEPOCH)');
    await c.call('CLUSTER', 'DELSLOTSRANGE', ...args);
    await c.call('CLUSTER', 'ADDSLOTSRANGE', ...args);
    await c.call('CLUSTER', 'BUMPEPOCH');
  }

  async setSlot(c: NodeClient, slot: number, state: 'IMPORTING' | 'MIGRATING' | 'NODE' | 'STABLE', nodeId?: string): Promise<void> {
    this.log.debug({ node: c.address, slot, state, nodeId }, 'CLUSTER SETSLOT');
    await c.call('CLUSTER', 'SETSLOT', slot, state, ...(nodeId ? [nodeId] : []));
  }

  async replicate(c: NodeClient, masterId: string): Promise<void> {
    this.log.info({ node: c.address, masterId }, 'CLUSTER REPLICATE');
    await c.call('CLUSTER', 'REPLICATE', masterId);
  }

  /** Tolerates "Unknown node" (already forgotten): forgetting is idempotent from our side. */
  async forget(c: NodeClient, nodeId: string): Promise<void> {
    this.log.info({ node: c.address, nodeId }, 'CLUSTER FORGET');
    try {
      await c.call('CLUSTER', 'FORGET', nodeId);
    } catch (e) {
      if (e instanceof NodeReplyError && /Unknown node/.test(e.reply)) return;
      throw e;
    }
  }

  async failover(c: NodeClient, mode?: 'FORCE' | 'TAKEOVER'): Promise<void> {
    this.log.info({ node: c.address, mode }, 'CLUSTER FAILOVER');
    await c.call('CLUSTER', 'FAILOVER', ...(mode ? [mode] : []));
  }

  private async replOffset(c: NodeClient, field: 'master_repl_offset' | 'slave_repl_offset'): Promise<number> {
    const info = await c.callString('INFO', 'replication');
    const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
    if (!m) throw new FailoverError(`${c.address}: INFO replication has no ${field}`);
    return Number(m[1]);
  }

  /**
   * Waits until the replica has processed everything its master had produced when asked (master
   * offset read first, replica offset after it), polling; throws after timeoutMs.
   */
  async waitCaughtUp(master: NodeClient, replica: NodeClient, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.replOffset(master, 'master_repl_offset');
      const r = await this.replOffset(replica, 'slave_repl_offset');
      if (r >= m) return;
      if (Date.now() > deadline) throw new FailoverError(`${replica.address} is still ${m - r} bytes behind ${master.address} after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** Waits until the node reports itself a master (INFO replication role:master). */
  async waitMaster(c: NodeClient, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (/^role:master/m.test(await c.callString('INFO', 'replication'))) return;
      if (Date.now() > deadline) throw new FailoverError(`${c.address} did not become master within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /**
   * Promotes a replica without losing an acknowledged write: waits until it has caught up, then a
   * manual CLUSTER FAILOVER (the master pauses its writers until the replica has its exact
   * offset). When that does not complete (seen with our node replicating redis-server 7.0 under
   * write load), the operator does the same handshake itself where the master offers it: writes
   * paused on the master (CLIENT PAUSE WRITE), the replica's offset matched, CLUSTER FAILOVER
   * FORCE, then the master unpaused (its parked writers then get MOVED to the new master).
   */
  async promoteReplica(master: NodeClient, replica: NodeClient, opts: { catchUpMs: number; failoverMs: number }): Promise<'manual' | 'paused-force'> {
    await this.waitCaughtUp(master, replica, opts.catchUpMs);
    await this.failover(replica);
    try {
      await this.waitMaster(replica, opts.failoverMs);
      return 'manual';
    } catch (e) {
      if (!(e instanceof FailoverError)) throw e;
      this.log.warn({ replica: replica.address, master: master.address, err: e.message }, 'manual failover did not complete; retrying with writes paused on the master');
    }
    const pauseMs = opts.catchUpMs + opts.failoverMs;
    try {
      await master.call('CLIENT', 'PAUSE', pauseMs, 'WRITE');
    } catch (e) {
      if (e instanceof NodeReplyError) throw new FailoverError(`${replica.address} did not become master (manual failover) and ${master.address} cannot pause writes: ${e.reply}`);
      throw e;
    }
    try {
      await this.waitCaughtUp(master, replica, opts.catchUpMs);
      await this.failover(replica, 'FORCE');
      await this.waitMaster(replica, opts.failoverMs);
      return 'paused-force';
    } finally {
      await master.call('CLIENT', 'UNPAUSE').catch((e: unknown) => this.log.warn({ node: master.address, err: String(e) }, 'CLIENT UNPAUSE failed (the pause ends by itself)'));
    }
  }

  /** Up to `count` keys of a slot on the node (latin1 strings, byte-exact). */
  async keysInSlot(c: NodeClient, slot: number, count: number): Promise<string[]> {
    const r: Reply = await c.call('CLUSTER', 'GETKEYSINSLOT', slot, count);
    if (!Array.isArray(r)) throw new MigrationError(`${c.address}: GETKEYSINSLOT returned no array`);
    return r.map(String);
  }

  /**
   * Moves one batch of keys with MIGRATE ... KEYS. REPLACE is safe here: while a slot is migrating,
   * a key that still exists on the source is only ever written there, so the source copy is the
   * current one, and a copy on the target can only be a leftover of an earlier attempt that timed
   * out after the target had stored it.
   */
  async migrateBatch(source: NodeClient, targetHost: string, targetPort: number, keys: readonly string[], timeoutMs: number): Promise<void> {
    const auth = this.password ? ['AUTH', this.password] : [];
    const r = await source.call('MIGRATE', targetHost, targetPort, '', 0, timeoutMs, 'REPLACE', ...auth, 'KEYS', ...keys);
    if (r !== 'OK' && r !== 'NOKEY') throw new MigrationError(`${source.address}: MIGRATE replied ${JSON.stringify(r)}`);
  }

  /**
   * Moves one slot from source to target the way redis-cli does (7.0): target IMPORTING, source
   * MIGRATING, keys in batches until none are left, then NODE on target, source and the other
   * masters. A failed MIGRATE throws and leaves the slot open: the next pass resumes it, and a slot
   * is never handed over while the source still holds keys for it.
   */
  async migrateSlot(
    source: NodeClient,
    sourceId: string,
    target: NodeClient,
    targetId: string,
    targetHost: string,
    targetPort: number,
    slot: number,
    others: readonly NodeClient[],
    opts: { batchKeys: number; timeoutMs: number },
  ): Promise<number> {
    await this.setSlot(target, slot, 'IMPORTING', sourceId);
    // Same connection, so MIGRATING is applied before the key listing is taken (pipelined).
    const [, first] = await Promise.all([this.setSlot(source, slot, 'MIGRATING', targetId), this.keysInSlot(source, slot, opts.batchKeys)]);
    let moved = 0;
    for (let keys = first; keys.length > 0; keys = await this.keysInSlot(source, slot, opts.batchKeys)) {
      await this.migrateBatch(source, targetHost, targetPort, keys, opts.timeoutMs);
      moved += keys.length;
    }
    // Target first: it bumps its epoch and broadcasts the new owner; then everyone else at once.
    await this.setSlot(target, slot, 'NODE', targetId);
    await Promise.all([
      this.setSlot(source, slot, 'NODE', targetId),
      ...others.map((o) =>
        this.setSlot(o, slot, 'NODE', targetId).catch((e: unknown) => {
          // A master that is gone or turned replica learns the owner from gossip instead.
          this.log.warn({ node: o.address, slot, err: String(e) }, 'SETSLOT NODE on another master failed');
        }),
      ),
    ]);
    return moved;
  }
}
