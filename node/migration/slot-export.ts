// Source side of the atomic whole-slot migration (CLUSTER EXPORT-SLOTS, sent by the target's
// CLUSTER IMPORT-SLOTS). Instead of replaying every write command on the target (which would
// need a routing bypass for every command group), the source ships *values*: every key once, by a walk
// over the slots' keys (the snapshot), and again after every write to it, when it is "pending" (fed by the propagation layer,
// filtered by key slot); the sender drains the pending set as `RESTORE key at payload ABSTTL
// REPLACE`, or `DEL key` when the key is gone. Hot keys coalesce, and once the set is empty the
// target holds exactly the source's data. When the set is empty, an `EXPORT-SYNC n` round trip
// (answered by `CLUSTER EXPORT-ACK n`) makes sure the target has applied the stream so far, so
// the pause only covers what was written during that round trip. Then the slots are frozen
// (commands on them park), the last pending keys are flushed, and `EXPORT-PAUSED` tells the
// target to claim the slots;
// its `CLUSTER EXPORT-COMMIT` makes the source give them up and release the parked writes,
// which then get -MOVED. Clients never see -ASK.
//
// Once EXPORT-PAUSED is out, the target may claim the slots at any moment, so a broken link or a
// missing commit must not release the parked writes here (they would be acknowledged, then lost
// when the target's claim arrives). The source keeps the slots frozen and asks the target over a
// fresh connection (`CLUSTER EXPORT-OUTCOME`, see outcome.ts) until it learns whether the target
// claimed them (give them up) or aborted the import for good (keep them), or sees the claim in
// the cluster state.
import type { Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import type { PropagationSink } from '../persistence/propagation.js';
import type { ClusterManager } from '../cluster/manager.js';
import { moveSlots, type ClusterNode } from '../cluster/state.js';
import { keySlot } from '../../common/slots.js';
import { command as encodeCommand } from '../../common/resp/encode.js';
import { lookupCommand, keyIndexes } from '../commands/table.js';
import { encodingThresholds } from '../commands/thresholds.js';
import { encodeDumpPayload, encodeDumpPayloadSteps, ENCODE_SLICE } from './dump-payload.js';
import { sourceOfStored } from './value-convert.js';
import { freezeSlots, thawSlots } from './key-freeze.js';
import { runSliced } from './slices.js';
import { yieldTurn } from '../server/turn.js';
import { Pacer } from './pacing.js';
import { ChunkWriter, SHORT_STRING, writeDel, writeRestore, writeRestoreString } from './export-chunk.js';
import { askOutcome } from './outcome.js';
import { bulkLoadBegin, bulkLoadEnd } from '../persistence/bulk-load-heap.js';

/**
 * Work per turn (bytes, and STREAM_BUDGET_MS of time in slices) before the stream sleeps. On a
 * busy machine (4 nodes and the clients on 2 cores) unsliced 2 ms turns gave clients a p99 of
 * 25-40 ms while 1,000,000 keys moved; the pace, not this bound, normally ends a turn.
 */
const CHUNK_BYTES = 64 << 10;
/**
 * Idle time between two turns. Each turn costs a socket write here, a read on the target and a
 * wakeup of both processes (which take a core from the clients) whatever it carries: profiled
 * at 65,000 keys/s with 1 ms, the chunk writes were 40% of the source's CPU for the stream. With
 * 2 ms a turn carries ~140 keys, done in SLICE_MS slices. 5 ms turns showed no better client
 * p99 on a busy machine, and late timers slowed the pace more often.
 */
const TURN_IDLE_MS = 2;
const STREAM_BUDGET_MS = 1.5;
/**
 * A turn's work is done in slices of this much CPU with the node's I/O served in between: a
 * client request arriving during a turn waits for the end of a slice, not of the turn. Each
 * source key costs ~1.5 us, so a slice carries ~60 keys.
 */
const SLICE_MS = 0.1;
/**
 * Default pace of the stream in keys per second (`RATE` of IMPORT-SLOTS; 0 = unpaced). Unpaced,
 * the source and the target each took most of a core and clients starved (p99 25-40 ms on a
 * 2-core machine running 4 nodes and the clients); paced, a 250,000-key rebalance still runs at
 * over twice the keys/s of redis-cli rebalance on redis-server 7.0 there (bench/rebalance.ts:
 * 65,000 gave 2.0-2.2x with 1,000,000 keys, the handover of each range adding ~0.1 s). The
 * clients' p99 measured the same at 15,000 keys/s as at 65,000 (it follows the stream's turns,
 * not its pace); late timers slow the pace on a congested machine (pacing.ts).
 */
export const DEFAULT_EXPORT_RATE = 70_000;
/** Slots with at most this many keys are dropped in one step after the handover (~20 us at 64 keys). */
const DROP_WHOLE_SLOT = 128;
/** Pause writers only when at most this many keys changed during the last sync round trip. */
const PAUSE_BELOW_PENDING = 1000;
/** A paused export whose target has not committed after this asks the target for the outcome. */
export const EXPORT_PAUSE_TIMEOUT_MS = 10_000;
/** Delay between two outcome queries while the target cannot be asked. */
const OUTCOME_RETRY_MS = 200;

const exports = new WeakMap<Session, SlotExport>();
/** Exports streaming (not finished), for abortExportsOf. */
const streaming = new Set<SlotExport>();

/** Aborts `m`'s exports covering `slot` (a SETSLOT of it takes the slot in hand, see cluster.ts). */
export function abortExportsOf(m: ClusterManager, slot: number, reason: string): void {
  if (streaming.size === 0) return;
  for (const e of [...streaming]) if (e.manager === m && e.start <= slot && slot <= e.end) e.abort(reason);
}

export function exportOf(session: Session): SlotExport | undefined {
  return exports.get(session);
}

export class SlotExport implements PropagationSink {
  private readonly pending = new Set<string>();
  private wakeUp: (() => void) | null = null;
  private syncSeq = 0;
  private paused = false;
  /** EXPORT-PAUSED was written: the target may have claimed the slots. */
  private pausedSent = false;
  private resolving = false;
  private ended = false;
  private pauseTimer: NodeJS.Timeout | null = null;
  private heapLifted = false;
  /** The snapshot walk: the slot being listed and its keys. */
  private scanSlot: number;
  private scan: string[] = [];
  private scanAt = 0;
  private pacer: Pacer | null = null;
  private startedAt = 0;
  failure: string | null = null;
  sent = 0;

  constructor(
    private readonly server: Server,
    private readonly m: ClusterManager,
    private readonly session: Session,
    readonly start: number,
    readonly end: number,
    private readonly target: ClusterNode,
    /** Keys per second, 0 = unpaced. */
    private readonly rate = DEFAULT_EXPORT_RATE,
  ) {
    this.scanSlot = start;
  }

  get manager(): ClusterManager {
    return this.m;
  }

  feed(db: number, argv: readonly string[]): void {
    if (db !== 0 || this.ended) return;
    const name = argv[0]!.toLowerCase();
    if (name === 'flushall' || name === 'flushdb') {
      this.abort('dataset flushed during slot export');
      return;
    }
    const spec = lookupCommand(name);
    if (spec === undefined) return;
    for (const i of keyIndexes(spec, argv)) {
      const k = argv[i]!;
      const s = keySlot(k);
      if (s >= this.start && s <= this.end) this.pending.add(k);
    }
  }

  /** The target applied the stream up to EXPORT-SYNC `seq`. */
  ack(seq: number): void {
    if (seq === this.syncSeq) this.wake();
  }

  beforeReply(): void {}

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Streams snapshot + changes until the pause; resolves when EXPORT-PAUSED went out. */
  async run(): Promise<void> {
    exports.set(this.session, this);
    streaming.add(this);
    // Every key streamed leaves garbage (payload, chunk): V8's size mode answered with a scavenge
    // dozens of times a second, each a pause for this node's clients. Lifted while streaming.
    bulkLoadBegin();
    this.heapLifted = true;
    const db = this.server.dbs[0]!;
    this.server.propagator.add(this);
    this.session.socket.once('close', () => this.abort('target connection closed'));
    const th = encodingThresholds(this.server.config);
    const sock = this.session.socket;
    const pacer = new Pacer(this.rate, performance.now());
    this.pacer = pacer;
    this.startedAt = performance.now();
    // The idle pause between turns, timed: a late timer slows the pace (pacing.ts).
    const idle = async (ms: number): Promise<void> => {
      const t = performance.now();
      await new Promise<void>((r) => setTimeout(r, ms));
      pacer.observeTimer(ms, performance.now() - t);
    };
    for (;;) {
      while (!this.ended && (this.walking() || this.pending.size !== 0)) {
        let allowed = pacer.available(performance.now());
        if (allowed < 1) {
          await idle(pacer.waitMs());
          continue;
        }
        const chunk = new ChunkWriter(16 << 10, true);
        let now = Date.now();
        let t0 = performance.now();
        let busy = 0;
        let n = 0;
        for (let k = this.nextKey(); k !== undefined; k = this.nextKey()) {
          const v = db.peek(k, now);
          // Most keys: the payload built in place, no garbage.
          if (typeof v === 'string' && v.length <= SHORT_STRING) writeRestoreString(chunk, k, db.getExpire(k) ?? 0, v);
          else if (v === undefined || sourceOfStored(v) === null) writeDel(chunk, k);
          else {
            const src = sourceOfStored(v)!;
            const at = db.getExpire(k) ?? 0;
            // Big values are encoded over several turns; a write meanwhile re-queues the key,
            // so a payload mixing old and new elements is always followed by a fresh one.
            const big = src.type !== 'string' && src.size > ENCODE_SLICE;
            const payload = big ? await runSliced(encodeDumpPayloadSteps(src, th), SLICE_MS) : encodeDumpPayload(src, th);
            writeRestore(chunk, k, at, payload);
            if (big) {
              n++;
              break;
            }
          }
          n++;
          if (--allowed < 1 || chunk.len >= CHUNK_BYTES) break;
          if ((n & 7) === 0) {
            const t = performance.now();
            if (t - t0 >= SLICE_MS) {
              busy += t - t0;
              if (busy >= STREAM_BUDGET_MS) break;
              // Requests that came in meanwhile are served before the next slice (the chunk
              // is still written once per turn: one socket write, one wakeup of the target).
              await yieldTurn();
              if (this.ended) break;
              now = Date.now();
              t0 = performance.now();
            }
          }
        }
        this.sent += n;
        pacer.spend(n);
        if (this.ended) return;
        if (sock.destroyed) return this.abort('target connection closed');
        if (!sock.write(chunk.take())) await new Promise<void>((r) => sock.once('drain', r));
        // A timer rather than setImmediate: the idle moment leaves the CPU to clients (and to
        // the target, often on the same machine) even when the pace allows more.
        else await idle(TURN_IDLE_MS);
      }
      if (this.ended) return;
      if (this.paused) break;
      // Caught up here: wait until the target has applied everything sent, then pause writers
      // if little changed meanwhile (else stream the changes and sync again).
      const seq = ++this.syncSeq;
      const acked = new Promise<void>((r) => (this.wakeUp = r));
      sock.write(encodeCommand(['EXPORT-SYNC', String(seq)]), 'latin1');
      await acked;
      if (this.ended) return;
      if (this.pending.size > PAUSE_BELOW_PENDING) continue;
      this.paused = true;
      freezeSlots(this.start, this.end);
      this.pauseTimer = setTimeout(() => this.abort('target did not commit in time'), EXPORT_PAUSE_TIMEOUT_MS);
    }
    this.pausedSent = true;
    sock.write(encodeCommand(['EXPORT-PAUSED', String(Date.now())]), 'latin1');
  }

  /**
   * The next key to send: the next of the walk over the slots' keys (the snapshot), then the keys
   * changed since. Each slot's keys are listed when the walk reaches it (tens of keys per slot
   * with a million keys; listing the whole range up front grew a big array that cost major
   * collections). Not iterated live: a Set iterator visits a key deleted and added again once
   * more, so a slot whose keys churn could keep the walk going for ever; a key created after its
   * slot was listed is pending anyway (fed by propagation).
   */
  /** The snapshot walk has keys or slots left. */
  private walking(): boolean {
    return this.scanAt < this.scan.length || this.scanSlot <= this.end;
  }

  private nextKey(): string | undefined {
    for (;;) {
      if (this.scanAt < this.scan.length) return this.scan[this.scanAt++];
      if (this.scanSlot > this.end) break;
      const keys = this.server.dbs[0]!.slotKeys(this.scanSlot++);
      this.scan = keys === undefined ? [] : Array.from(keys);
      this.scanAt = 0;
    }
    for (const k of this.pending) {
      this.pending.delete(k);
      return k;
    }
    return undefined;
  }

  /** The target owns the slots now: give them up, release writers, drop the keys in the background. */
  commit(): boolean {
    if (!this.pausedSent || this.ended || this.pending.size !== 0 || this.walking()) return false;
    this.handOver();
    return true;
  }

  private handOver(): void {
    const st = this.m.state;
    moveSlots(st, this.start, this.end, this.target);
    if (st.migrating.size !== 0) for (let s = this.start; s <= this.end; s++) st.migrating.delete(s);
    // Written without fsync, as Redis writes a slot given away: the target's claim (a higher
    // configEpoch, fsynced) wins over this node's old view after any crash. An fsync here sat
    // inside the write pause (tens of ms on a busy disk).
    this.m.commit({ broadcast: true, durable: false });
    // V8's size mode comes back once the keys are dropped: restored earlier, it answered the
    // drop with a memory-reducing full collection of tens of ms.
    const lifted = this.heapLifted;
    this.heapLifted = false;
    this.finish();
    // Short slices and an idle millisecond between them: the keys are already invisible here
    // (their slots answer -MOVED), while the slots this node keeps are still served.
    void runSliced(this.dropKeys(), SLICE_MS, true).finally(() => {
      if (lifted) bulkLoadEnd();
    });
    // After the writers are released: what the pace did (late timers slow it, pacing.ts).
    const p = this.pacer;
    this.server.log.info(
      { start: this.start, end: this.end, keys: this.sent, ms: Math.round(performance.now() - this.startedAt), rate: this.rate, lateTimers: p?.lateTimers, minPace: p !== null ? Math.round(p.minPace) : undefined },
      'slots exported',
    );
  }

  /** Whether the cluster state already shows the target owning every slot (its claim arrived by gossip). */
  private claimSeen(): boolean {
    const st = this.m.state;
    for (let s = this.start; s <= this.end; s++) if (st.owners[s] !== this.target) return false;
    return true;
  }

  /**
   * The link failed or the commit is late after EXPORT-PAUSED: keep the slots frozen and ask the
   * target (directly, at its cluster address) until the outcome is known.
   */
  private async resolveOutcome(): Promise<void> {
    if (this.resolving) return;
    this.resolving = true;
    // The export stays registered: a late EXPORT-COMMIT on a live link still completes it.
    for (;;) {
      if (this.ended) return;
      if (this.claimSeen()) return this.handOver();
      const t = this.target;
      const r = t.ip !== '' && t.port > 0 ? await askOutcome(t.ip, t.port, this.start, this.end, this.m.state.myself.id) : 'unknown';
      if (this.ended) return;
      if (r === 'claimed') {
        this.server.log.warn({ start: this.start, end: this.end }, 'slot export: the target claimed the slots without committing here; giving them up');
        return this.handOver();
      }
      if (r === 'aborted') {
        this.server.log.warn({ start: this.start, end: this.end, reason: this.failure }, 'slot export aborted; the target did not claim the slots');
        return this.finish();
      }
      await new Promise((res) => setTimeout(res, OUTCOME_RETRY_MS));
    }
  }

  private *dropKeys(): Generator<void, void> {
    const db = this.server.dbs[0]!;
    const st = this.m.state;
    const server = this.server;
    for (let s = this.start; s <= this.end; s++) {
      // Keys are only ours to drop while the slot still belongs elsewhere.
      if (st.owners[s] === st.myself) continue;
      const n = db.countInSlot(s);
      if (n === 0) continue;
      if (n <= DROP_WHOLE_SLOT) {
        // A slot's keys in one step, its key set dropped whole: deleting them one by one cost
        // the source a lookup in the slot's set and its shrinking rehashes per key, and a
        // generator step per key.
        server.dropSlotKeys(s);
        yield;
        continue;
      }
      for (const k of db.keysInSlot(s, Number.MAX_SAFE_INTEGER)) {
        server.dropSlotKey(k, s);
        yield;
      }
    }
  }

  abort(reason: string): void {
    if (this.ended || this.resolving) return;
    this.failure = reason;
    if (this.pausedSent) {
      if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
      this.server.log.warn({ start: this.start, end: this.end, reason }, 'slot export interrupted after the pause; asking the target whether it claimed the slots');
      void this.resolveOutcome();
      return;
    }
    this.server.log.warn({ start: this.start, end: this.end, reason }, 'slot export aborted');
    this.finish();
    this.wake();
    // The target learns it now (not at its idle timeout) and drops what it copied.
    const sock = this.session.socket;
    if (!sock.destroyed && sock.writable) sock.end(`-ERR slot export aborted: ${reason}\r\n`, 'latin1');
  }

  private finish(): void {
    this.ended = true;
    if (this.heapLifted) bulkLoadEnd();
    this.heapLifted = false;
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    this.server.propagator.remove(this);
    exports.delete(this.session);
    streaming.delete(this);
    if (this.paused) thawSlots(this.start, this.end);
  }
}
