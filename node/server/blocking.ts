// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...): who waits on which key, which keys
// received data since the last command, and serving waiters in arrival order.
//
// The registry knows nothing about data types: a blocked client carries a BlockedState that
// does the type's work in retry(key) (see commands/block.ts). As in Redis 7.0, after every command
// (after a whole EXEC) each key that got data is offered to its waiters in the order they blocked,
// each served from that very key, until the key is gone; what serving writes (BLMOVE's
// destination) may make further keys ready, which are handled in the same pass.
import type { Server } from './server.js';
import type { BlockedState, Session } from './session.js';
import { E } from '../commands/errors.js';

/** setTimeout's largest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ReadyKey {
  readonly db: number;
  readonly key: string;
}

export class Blocking {
  /** "db\0key" -> waiting sessions in blocking order (a Set keeps insertion order). */
  private readonly waiting = new Map<string, Set<Session>>();
  private ready = new Map<string, ReadyKey>();
  /** Sessions blocked on anything (keys, WAIT, parked writes). */
  private readonly blocked = new Set<Session>();
  private serveScheduled = false;

  constructor(private readonly server: Server) {}

  get blockedCount(): number {
    return this.blocked.size;
  }

  /** Blocked sessions with a deadline (INFO clients_in_timeout_table). */
  get timeoutTableCount(): number {
    let n = 0;
    for (const s of this.blocked) if (s.blocked !== null && s.blocked.deadline > 0) n++;
    return n;
  }

  get hasReadyKeys(): boolean {
    return this.ready.size !== 0;
  }

  /** Blocks the session until state.serve() succeeds, the deadline passes or it is unblocked. */
  block(session: Session, state: BlockedState): void {
    this.unblock(session);
    session.blocked = state;
    this.blocked.add(session);
    for (const key of state.keys) {
      const k = `${state.db}\0${key}`;
      let q = this.waiting.get(k);
      if (!q) this.waiting.set(k, (q = new Set()));
      q.add(session);
    }
    if (state.deadline > 0) this.armTimer(session, state);
  }

  private armTimer(session: Session, state: BlockedState): void {
    const wait = state.deadline - Date.now();
    state.timer = setTimeout(() => {
      if (session.blocked !== state) return;
      if (Date.now() < state.deadline) return this.armTimer(session, state);
      this.unblock(session);
      state.timeout();
      this.resume(session);
    }, Math.min(MAX_TIMER_MS, Math.max(0, wait)));
  }

  /**
   * A key that clients may wait on got data (a new key was added, or a collection grew). Cheap
   * when nobody waits on it. Served after the current command; outside a command loop (timers,
   * links) on the next tick.
   */
  signalReady(db: number, key: string): void {
    if (this.waiting.size === 0) return;
    const k = `${db}\0${key}`;
    if (!this.waiting.has(k) || this.ready.has(k)) return;
    this.ready.set(k, { db, key });
    if (!this.serveScheduled) {
      this.serveScheduled = true;
      setImmediate(() => {
        this.serveScheduled = false;
        this.serveReady();
      });
    }
  }

  /**
   * Signals every waited-on key of database `db` that holds a value now, for changes that
   * replace a database's contents wholesale (SWAPDB), as Redis's scanDatabaseForReadyKeys.
   */
  signalWaitedKeys(db: number): void {
    const d = this.server.dbs[db];
    if (d === undefined) return;
    const now = Date.now();
    for (const k of this.waiting.keys()) {
      const sep = k.indexOf('\0');
      if (Number(k.slice(0, sep)) !== db) continue;
      const key = k.slice(sep + 1);
      if (d.get(key, now) !== undefined) this.signalReady(db, key);
    }
  }

  /** Serves the waiters of every ready key, first blocked first, while the key exists. */
  serveReady(): void {
    while (this.ready.size > 0) {
      const batch = this.ready;
      this.ready = new Map();
      for (const [k, { db, key }] of batch) {
        const q = this.waiting.get(k);
        if (!q) continue;
        const d = this.server.dbs[db];
        if (d === undefined) continue;
        // Clients that block while this runs (none can: no command runs here) are not served.
        for (const s of [...q]) {
          if (d.get(key, Date.now()) === undefined) break;
          const st = s.blocked;
          if (st === null || !q.has(s)) continue;
          if (!st.retry(key)) continue;
          this.unblock(s);
          this.resume(s);
        }
      }
    }
  }

  /** Removes the session from every wait list; no reply is written. */
  unblock(session: Session): void {
    const st = session.blocked;
    if (st === null) return;
    if (st.timer) clearTimeout(st.timer);
    st.timer = null;
    session.blocked = null;
    this.blocked.delete(session);
    for (const key of st.keys) {
      const k = `${st.db}\0${key}`;
      const q = this.waiting.get(k);
      if (!q) continue;
      q.delete(session);
      if (q.size === 0) this.waiting.delete(k);
    }
  }

  /**
   * CLIENT UNBLOCK: ends the wait with the timeout reply, or with an UNBLOCKED error. False
   * when the session was not blocked.
   */
  unblockByRequest(session: Session, withError: boolean): boolean {
    const st = session.blocked;
    if (st === null) return false;
    this.unblock(session);
    if (withError) session.out.error(E.unblockedByClient);
    else st.timeout();
    this.resume(session);
    return true;
  }

  /**
   * Ends a wait with an error reply (cluster: the key's slot moved away, -MOVED/-TRYAGAIN), then
   * lets the client continue with its pipelined requests.
   */
  unblockWithError(session: Session, error: string): void {
    if (session.blocked === null) return;
    this.unblock(session);
    session.out.error(error);
    this.resume(session);
  }

  /**
   * A master turning replica: clients waiting on keys get an UNBLOCKED error and are closed
   * once it is written, as Redis's disconnectAllBlockedClients does (WAIT included). Other waits
   * on no key (writes parked during a migration) are left to their owners.
   */
  disconnectAllBlocked(): void {
    for (const s of [...this.blocked]) {
      const st = s.blocked;
      if (st === null || (st.keys.length === 0 && st.endsOnRoleChange !== true)) continue;
      this.unblock(s);
      s.out.error(E.unblockedRoleChange);
      this.server.flush(s);
      s.socket.end();
      this.server.closeSession(s);
    }
  }

  /** After unblocking: write the reply and continue with pipelined requests. */
  private resume(session: Session): void {
    this.server.scheduleFlush(session);
    setImmediate(() => this.server.processInput(session));
  }

  /**
   * Cluster: ends the waits on keys this node can no longer serve with the error `check` gives
   * for the first key (all keys of a request share one slot). Run from the server cron, as
   * Redis's clientsCron does.
   */
  redirectBlocked(check: (key: string) => string | null): void {
    for (const s of [...this.blocked]) {
      const st = s.blocked;
      if (st === null || st.keys.length === 0) continue;
      const err = check(st.keys[0]!);
      if (err !== null) this.unblockWithError(s, err);
    }
  }

  /** Every blocked session waiting on a key the predicate selects (cluster redirects). */
  sessionsOnSlot(match: (key: string) => boolean): Session[] {
    const out = new Set<Session>();
    for (const [k, q] of this.waiting) if (match(k.slice(k.indexOf('\0') + 1))) for (const s of q) out.add(s);
    return [...out];
  }
}
