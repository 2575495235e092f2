// Target side of the atomic whole-slot migration (CLUSTER IMPORT-SLOTS): one dedicated
// connection to the source, which streams RESTORE/DEL for the slots (see slot-export.ts); they
// are applied in order straight into the keyspace (the slots are not ours yet, so they bypass
// routing). On EXPORT-PAUSED everything the source holds is applied: the slots are claimed with
// a bumped configEpoch (saved), EXPORT-COMMIT lets the source give them up, then the claim is
// broadcast.
import net from 'node:net';
import type { Server } from '../server/server.js';
import type { StoredValue } from '../store/values/object.js';
import type { ClusterManager } from '../cluster/manager.js';
import { bumpEpochWithoutConsensus, isMaster, moveSlots } from '../cluster/state.js';
import { ExportStreamReader, RestoreFrame, type ExportFrame } from './export-stream-reader.js';
import { readShortString } from './export-chunk.js';
import { command as encodeCommand } from '../../common/resp/encode.js';
import { encodingThresholds } from '../commands/thresholds.js';
import { installRestored, RESTORE_SLICED_BYTES } from '../commands/migrate.js';
import { decodeDumpPayload, decodeDumpPayloadSteps } from './dump-payload.js';
import { runSliced } from './slices.js';
import { flushHeldReplies } from '../server/turn.js';
import { storedValueSink } from './value-convert.js';
import { runningImports, type RunningImport } from './outcome.js';
import { E } from '../commands/errors.js';
import { bulkLoadBegin, bulkLoadEnd } from '../persistence/bulk-load-heap.js';

export interface ImportStats {
  keys: number;
  ms: number;
  /** Source pause start to the target seeing EXPORT-PAUSED / to its claim being durable (same clock in tests). */
  pausedSeenMs: number;
  claimedMs: number;
  pauseMs: number;
}

export type ImportResult = { ok: ImportStats } | { error: string };

/**
 * Stream applied per event-loop turn before yielding to I/O (clients of this node wait for a
 * turn). A key costs ~0.6 us here, so even with an idle millisecond between turns the target
 * applies several times the source's default pace.
 */
const APPLY_BUDGET_MS = 0.25;

/** Without any data from the source for this long the import fails (the source aborts too). */
const IDLE_TIMEOUT_MS = 15_000;

/** `rate`: keys per second the source streams at (0 = unpaced, undefined = the source's default). */
export function importSlots(server: Server, m: ClusterManager, start: number, end: number, host: string, port: number, rate?: number): Promise<ImportResult> {
  // An import whose caller went away keeps running; a second one over the same slots would drop
  // (on failure) keys the first already copied, so it is refused until the first ends.
  for (const r of runningImports) {
    if (r.start <= end && start <= r.end) return Promise.resolve({ error: E.slotImportOverlap(r.start, r.end) });
  }
  const t0 = performance.now();
  const sink = storedValueSink(encodingThresholds(server.config));
  const db = server.dbs[0]!;
  const reader = new ExportStreamReader();
  let applied = 0;
  let pausedAt = 0;
  let pausedSeenMs = 0;
  let claimedMs = 0;
  let claimed = false;
  // The heap only grows while the slots come in: no memory-reducing collections meanwhile (they
  // rescan the whole heap, and their pauses were the longest the target's clients saw).
  bulkLoadBegin();
  return new Promise<ImportResult>((resolve) => {
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    sock.setTimeout(IDLE_TIMEOUT_MS);
    let settled = false;
    const done = (r: ImportResult) => {
      if (settled) return;
      settled = true;
      bulkLoadEnd();
      runningImports.delete(running);
      sock.destroy();
      if ('error' in r && !claimed) dropImported();
      if ('error' in r && claimed) {
        // The slots are ours (claimed durably, with every write the source acknowledged): the
        // link failed before the source's commit reply. The source learns the outcome by
        // asking (EXPORT-OUTCOME) or from this broadcast, and gives the slots up then.
        m.log.warn({ start, end, reason: r.error }, 'slot import: link to the source failed after the claim; keeping the slots');
        m.commit({ broadcast: true });
        const ms = performance.now() - t0;
        return resolve({ ok: { keys: applied, ms, pausedSeenMs, claimedMs, pauseMs: Date.now() - pausedAt } });
      }
      resolve(r);
    };
    const running: RunningImport = {
      owner: m,
      start,
      end,
      sourceId: sourceIdOf(m, host, port, start),
      claimed: () => claimed,
      abortUnclaimed: (reason) => {
        if (claimed) return false;
        done({ error: `ERR slot import aborted: ${reason}` });
        return true;
      },
    };
    runningImports.add(running);
    // A failed import leaves nothing behind in slots that are not ours.
    const dropImported = () => {
      for (let s = start; s <= end; s++) if (m.state.owners[s] !== m.state.myself) server.dropSlotKeys(s);
    };
    // Per key, nothing but the key and the value is allocated on the common path: one request
    // object reused, the command for replicas / the AOF built only when someone takes it.
    const req = { key: '', replace: true, absttl: true, ttl: 0 };
    /** The clock of the keys applied in this turn (one read per turn, not per key). */
    let applyNow = Date.now();
    let pBuf: Buffer = Buffer.alloc(0);
    let pStart = 0;
    let pEnd = 0;
    const argv = (): string[] => ['RESTORE', req.key, String(req.ttl), pBuf.toString('latin1', pStart, pEnd), 'ABSTTL', 'REPLACE'];
    const install = (key: string, at: number, payload: RestoreFrame | Buffer, value: StoredValue): void => {
      if (at === 0 && !server.propagator.active) {
        // Most keys: no expiry and nobody to propagate to. One store (which replaces an earlier
        // copy of the key and drops its expiry) instead of a lookup, a delete and a store, and no
        // result object. Only a key sent twice differs from RESTORE REPLACE: it keeps the idle
        // time of its first copy (milliseconds older).
        if (server.snapshots.size !== 0) for (const s of server.snapshots) s.beforeWrite(db, key);
        db.set(key, value, false, applyNow);
        server.touchWatched(0, key);
        server.dirty++;
        server.blocking.signalReady(0, key);
        applied++;
        return;
      }
      req.key = key;
      req.ttl = at;
      if (payload instanceof RestoreFrame) {
        pBuf = payload.buf;
        pStart = payload.start;
        pEnd = payload.end;
      } else {
        pBuf = payload;
        pStart = 0;
        pEnd = payload.length;
      }
      installRestored(server, 0, req, value, Date.now(), argv, true);
      applied++;
    };
    const badPayload = (key: string): void => done({ error: `ERR bad payload for key '${key}' in the slot export stream` });
    const apply = (f: ExportFrame): void => {
      if (f.kind === 'error') return done({ error: `ERR source refused the export: ${f.message}` });
      if (claimed) {
        if (f.kind === 'simple' && f.text === 'OK') {
          // Announced only now: a source learning the claim from gossip first would drop the
          // slots' keys synchronously inside the pause (the source gives them up in the background).
          // The claim is on disk already (fsynced at EXPORT-PAUSED): no second fsync.
          m.commit({ broadcast: true, durable: false });
          const ms = performance.now() - t0;
          return done({ ok: { keys: applied, ms, pausedSeenMs, claimedMs, pauseMs: Date.now() - pausedAt } });
        }
        return done({ error: 'ERR unexpected reply from the source to EXPORT-COMMIT' });
      }
      // Demoted meanwhile (its replica took over while this node was busy with the import): a
      // replica must not claim slots. Claimed, the source would hand its keys to a node that drops
      // them at its next sync, and no master would serve the slots; aborted, the source keeps them
      // and the move is retried towards the shard's new master.
      if (!isMaster(m.state.myself)) return done({ error: 'ERR slot import aborted: this node is no longer a master' });
      switch (f.kind) {
        case 'restore': {
          const short = readShortString(f.buf, f.start, f.end);
          if (short !== null) return install(f.key, f.at, f, short);
          const payload = f.payload;
          if (payload.length <= RESTORE_SLICED_BYTES) {
            const r = decodeDumpPayload(payload, sink);
            return r.ok && r.value !== null ? install(f.key, f.at, payload, r.value) : badPayload(f.key);
          }
          // A big value is decoded over several turns; the rest of the stream waits for it.
          const { key, at } = f;
          busy = true;
          sock.pause();
          void runSliced(decodeDumpPayloadSteps(payload, sink), APPLY_BUDGET_MS).then((r) => {
            busy = false;
            if (settled) return;
            if (!r.ok || r.value === null) return badPayload(key);
            applyNow = Date.now();
            install(key, at, payload, r.value);
            sock.resume();
            pump();
          });
          return;
        }
        case 'del':
          if (db.delete(f.key)) {
            server.touchWatched(0, f.key);
            server.dirty++;
            if (server.propagator.active) server.propagator.propagate(0, ['DEL', f.key]);
          }
          return;
        case 'sync':
          // Everything before it is applied (the stream is applied in order, synchronously).
          sock.write(encodeCommand(['CLUSTER', 'EXPORT-ACK', f.seq]), 'latin1');
          return;
        case 'paused': {
          pausedAt = f.at;
          pausedSeenMs = Date.now() - pausedAt;
          const st = m.state;
          moveSlots(st, start, end, st.myself);
          if (st.importing.size !== 0) for (let s = start; s <= end; s++) st.importing.delete(s);
          if (bumpEpochWithoutConsensus(st)) m.log.info({ configEpoch: st.myself.configEpoch }, 'configEpoch updated after importing slots');
          claimed = true;
          m.commit({ durable: true });
          claimedMs = Date.now() - pausedAt;
          sock.write(encodeCommand(['CLUSTER', 'EXPORT-COMMIT']), 'latin1');
          return;
        }
        default:
          return done({ error: 'ERR protocol error in the slot export stream' });
      }
    };
    sock.on('connect', () => {
      const args = ['CLUSTER', 'EXPORT-SLOTS', String(start), String(end), m.state.myself.id];
      if (rate !== undefined) args.push('RATE', String(rate));
      sock.write(encodeCommand(args), 'latin1');
    });
    let busy = false;
    let yielding = false;
    // Applying is bounded per event-loop turn too, so that this node's clients keep being served.
    const pump = (): void => {
      flushHeldReplies();
      const t0 = performance.now();
      applyNow = Date.now();
      let n = 0;
      for (let v = !busy ? reader.next() : undefined; v !== undefined && !settled; v = !busy ? reader.next() : undefined) {
        apply(v);
        if ((++n & 15) === 0 && !busy && performance.now() - t0 >= APPLY_BUDGET_MS) {
          yielding = true;
          sock.pause();
          // An idle millisecond, as on the source: a process that never sleeps is scheduled
          // behind the others on a busy machine, and its clients wait with it.
          setTimeout(() => {
            yielding = false;
            if (settled) return;
            sock.resume();
            pump();
          }, 1);
          return;
        }
      }
      if (reader.fatal !== null) done({ error: 'ERR protocol error in the slot export stream' });
    };
    sock.on('data', (d: Buffer) => {
      reader.feed(d);
      if (!yielding) pump();
    });
    sock.on('timeout', () => done({ error: 'ERR timeout waiting for the slot export stream' }));
    sock.on('error', (e) => done({ error: `ERR slot export connection failed: ${e.message}` }));
    sock.on('close', () => done({ error: 'ERR slot export connection closed by the source' }));
  });
}

/** The source's node ID: the known node at host:port, else the owner of the first slot. */
function sourceIdOf(m: ClusterManager, host: string, port: number, start: number): string {
  for (const n of m.state.nodes.values()) if (n.port === port && (n.ip === host || n.hostname === host)) return n.id;
  const o = m.state.owners[start];
  return o !== null && o !== undefined && o !== m.state.myself ? o.id : '';
}
