// WATCH bookkeeping: which sessions watch which keys, and marking their transactions dirty when a
// watched key changes, expires, or its database is flushed or swapped (Redis 7.0 rules).
import type { Db } from '../store/keyspace.js';
import type { Session } from './session.js';

export interface WatchedKey {
  readonly db: number;
  readonly key: string;
  /** The key was already logically expired when watched: its deletion alone is no change. */
  expiredAtWatch: boolean;
}

function storedRaw(db: Db, key: string): boolean {
  return db.rawGet(key) !== undefined;
}

function logicallyExpired(db: Db, key: string, now: number): boolean {
  const at = db.getExpire(key);
  return at !== undefined && at <= now && storedRaw(db, key);
}

export class WatchRegistry {
  private readonly byKey = new Map<string, Set<Session>>();

  get size(): number {
    return this.byKey.size;
  }

  watch(s: Session, db: Db, key: string, now: number): void {
    const k = `${db.index}\0${key}`;
    s.watched ??= new Map();
    if (s.watched.has(k)) return;
    s.watched.set(k, { db: db.index, key, expiredAtWatch: logicallyExpired(db, key, now) });
    let set = this.byKey.get(k);
    if (!set) this.byKey.set(k, (set = new Set()));
    set.add(s);
  }

  unwatchAll(s: Session): void {
    if (s.watched === null) return;
    for (const k of s.watched.keys()) {
      const set = this.byKey.get(k);
      if (set) {
        set.delete(s);
        if (set.size === 0) this.byKey.delete(k);
      }
    }
    s.watched = null;
    s.dirtyCas = false;
  }

  /** A key was modified (called after the change). */
  touch(db: Db, key: string): void {
    const k = `${db.index}\0${key}`;
    const set = this.byKey.get(k);
    if (set === undefined) return;
    for (const s of set) {
      const w = s.watched?.get(k);
      if (w !== undefined && w.expiredAtWatch) {
        // Deleting a key that was already expired when watched changes nothing logically.
        if (!storedRaw(db, key)) {
          w.expiredAtWatch = false;
          continue;
        }
      }
      s.dirtyCas = true;
    }
  }

  /**
   * A database is about to be emptied (FLUSHDB/FLUSHALL) or replaced (SWAPDB): watchers of keys
   * that exist in it, or in the database taking its place, see a change.
   */
  touchDb(emptied: Db, replacedWith: Db | null): void {
    if (this.byKey.size === 0) return;
    const prefix = `${emptied.index}\0`;
    for (const [k, set] of this.byKey) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      if (storedRaw(emptied, key) || (replacedWith !== null && storedRaw(replacedWith, key))) {
        for (const s of set) s.dirtyCas = true;
      }
    }
  }

  /** EXEC: a watched key that was live when watched has logically expired since. */
  anyExpiredSinceWatch(s: Session, dbs: readonly Db[], now: number): boolean {
    if (s.watched === null) return false;
    for (const w of s.watched.values()) {
      const db = dbs[w.db];
      if (db !== undefined && !w.expiredAtWatch && logicallyExpired(db, w.key, now)) return true;
    }
    return false;
  }
}
