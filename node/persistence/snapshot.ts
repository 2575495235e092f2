// Point-in-time snapshots of the dataset in RDB form, produced a slice at a time while the node
// keeps serving. Without fork() there is no copy-on-write from the OS, so it is done per key:
// before a write touches a key the snapshot has not reached yet, the snapshot captures that key
// first (or notes that it did not exist). The result is the dataset exactly as it was when the
// snapshot started. Used for full resynchronisation of replicas, BGSAVE and AOF rewrites.
import type { Server } from '../server/server.js';
import type { Db } from '../store/keyspace.js';
import { keySlot, SLOT_COUNT } from '../../common/slots.js';
import { RdbWriter } from './rdb.js';

export interface SnapshotStream {
  /**
   * The next bytes: an empty Buffer when the time budget ran out (call again on a later tick),
   * null once everything, footer included, has been returned.
   */
  read(budgetMs: number): Buffer | null;
  abort(): void;
}

/** Slots up to this many keys are written in one go (see read()). */
const WHOLE_SLOT_KEYS = 512;

class Snapshot implements SnapshotStream {
  private db = 0;
  private slot = 0;
  private iter: Iterator<string> | null = null;
  /** Keys of the current slot already written by the iteration. */
  private readonly doneInSlot = new Set<string>();
  /** "db\0key" handled ahead of the iteration: captured early, or absent at the start. */
  private readonly early = new Set<string>();
  private readonly writer: RdbWriter;
  private finished = false;
  private aborted = false;
  private readonly startedAt = Date.now();

  constructor(private readonly server: Server) {
    this.writer = new RdbWriter(server);
    server.snapshots.add(this);
  }

  private reached(db: number, key: string): boolean {
    if (db < this.db) return true;
    if (db > this.db) return false;
    const s = keySlot(key);
    return s < this.slot || (s === this.slot && this.doneInSlot.has(key));
  }

  /** Called before a command may change `key` in `db`. */
  beforeWrite(db: Db, key: string): void {
    if (this.finished) return;
    const id = `${db.index}\0${key}`;
    if (this.early.has(id) || this.reached(db.index, key)) return;
    this.early.add(id);
    const v = db.rawGet(key);
    if (v !== undefined) this.writer.entry(db.index, key, v, db.getExpire(key));
  }

  /** Called before a command changes a whole database (FLUSHDB, SWAPDB, ...) or all of them. */
  beforeWholeDbWrite(db: Db | null): void {
    for (const d of this.server.dbs) {
      if (db !== null && d !== db) continue;
      for (const [k] of d.entries()) this.beforeWrite(d, k);
    }
  }

  read(budgetMs: number): Buffer | null {
    if (this.aborted) return null;
    if (this.finished) return this.writer.take(true);
    const deadline = performance.now() + budgetMs;
    const dbs = this.server.dbs;
    let n = 0;
    while (this.db < dbs.length) {
      const db = dbs[this.db]!;
      if (this.iter === null) {
        const s = db.nextNonEmptySlot(this.slot);
        if (s === -1) {
          this.db++;
          this.slot = 0;
          continue;
        }
        this.slot = s;
        const keys = db.slotKeys(s)!;
        // A small slot is written whole within this call: no write can come in between, so
        // there is no need to remember which of its keys were written.
        if (keys.size <= WHOLE_SLOT_KEYS) {
          const early = this.early.size === 0 ? null : this.early;
          for (const key of keys) {
            if (early === null || !early.has(`${this.db}\0${key}`)) this.writer.entry(this.db, key, db.rawGet(key)!, db.getExpire(key));
          }
          n += keys.size;
          this.nextSlot();
          if (n >= 64 && performance.now() > deadline) return this.writer.take(false);
          continue;
        }
        this.iter = keys.values();
      }
      const r = this.iter.next();
      if (r.done) {
        this.iter = null;
        this.doneInSlot.clear();
        this.nextSlot();
        continue;
      }
      const key = r.value;
      // A key written out, then deleted and set again, comes round a second time at the end of
      // the slot's key set: the snapshot already holds its value from the start.
      if (this.doneInSlot.has(key)) continue;
      this.doneInSlot.add(key);
      if (this.early.size === 0 || !this.early.has(`${this.db}\0${key}`)) {
        this.writer.entry(this.db, key, db.rawGet(key)!, db.getExpire(key));
      }
      if ((++n & 63) === 0 && performance.now() > deadline) return this.writer.take(false);
    }
    this.finished = true;
    this.server.snapshots.delete(this);
    this.server.log.debug({ ms: Date.now() - this.startedAt, early: this.early.size }, 'snapshot finished');
    return this.writer.take(true);
  }

  private nextSlot(): void {
    this.slot++;
    if (this.slot >= SLOT_COUNT) {
      this.db++;
      this.slot = 0;
    }
  }

  abort(): void {
    this.aborted = true;
    this.finished = true;
    this.server.snapshots.delete(this);
  }
}

export function startSnapshot(server: Server): SnapshotStream {
  return new Snapshot(server);
}

/**
 * Produces a snapshot a few milliseconds per event-loop turn, so clients are served in between,
 * handing each chunk to `onChunk`. `onEnd` runs once: after the last chunk, or with the error
 * the snapshot or `onChunk` threw (the snapshot is then aborted).
 */
export function pumpSnapshot(server: Server, onChunk: (chunk: Buffer) => void, onEnd: (err: Error | null) => void): void {
  const snap = startSnapshot(server);
  const step = (): void => {
    let err: Error | null = null;
    try {
      for (;;) {
        const c = snap.read(4);
        if (c === null) break;
        if (c.length === 0) return void setImmediate(step);
        onChunk(c);
      }
    } catch (e) {
      snap.abort();
      err = e as Error;
    }
    onEnd(err);
  };
  setImmediate(step);
}

export type SnapshotHooks = Pick<Snapshot, 'beforeWrite' | 'beforeWholeDbWrite'>;
