// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...): who waits on which key, which keys
// received data since the last command, and serving waiters in arrival order.
import type { Server } from './server.js';
import type { BlockedState, Session } from './session.js';

export class Blocking {
  private readonly waiting = new Map<string, Session[]>();
  private readonly ready = new Set<string>();

  constructor(private readonly server: Server) {}

  get blockedCount(): number {
    let n = 0;
    for (const s of this.server.sessions.values()) if (s.blocked) n++;
    return n;
  }

  get hasReadyKeys(): boolean {
    return this.ready.size !== 0;
  }

  block(session: Session, state: BlockedState): void {
    session.blocked = state;
    for (const key of state.keys) {
      const k = `${state.db}\0${key}`;
      let q = this.waiting.get(k);
      if (!q) this.waiting.set(k, (q = []));
      if (!q.includes(session)) q.push(session);
    }
    if (state.deadline > 0) {
      state.timer = setTimeout(() => {
        if (session.blocked !== state) return;
        this.unblock(session);
        state.timeout();
        this.resume(session);
      }, Math.max(0, state.deadline - Date.now()));
    }
  }

  /** A key that clients may wait on got data. */
  signalReady(db: number, key: string): void {
    if (this.waiting.size === 0) return;
    const k = `${db}\0${key}`;
    if (this.waiting.has(k)) this.ready.add(k);
  }

  /** Serves waiters of every ready key in FIFO order until the key runs dry. */
  serveReady(): void {
    while (this.ready.size > 0) {
      const keys = [...this.ready];
      this.ready.clear();
      for (const k of keys) {
        const q = this.waiting.get(k);
        if (!q) continue;
        for (const s of [...q]) {
          const st = s.blocked;
          if (st === null) continue;
          if (!st.retry()) break;
          this.unblock(s);
          this.resume(s);
        }
      }
    }
  }

  unblock(session: Session): void {
    const st = session.blocked;
    if (st === null) return;
    if (st.timer) clearTimeout(st.timer);
    session.blocked = null;
    for (const key of st.keys) {
      const k = `${st.db}\0${key}`;
      const q = this.waiting.get(k);
      if (!q) continue;
      const i = q.indexOf(session);
      if (i !== -1) q.splice(i, 1);
      if (q.length === 0) this.waiting.delete(k);
    }
  }

  /** After unblocking: write the reply and continue with pipelined requests. */
  private resume(session: Session): void {
    this.server.scheduleFlush(session);
    setImmediate(() => this.server.processInput(session));
  }

  /** Every blocked session waiting on a key of the given slot (cluster redirects). */
  sessionsOnSlot(match: (key: string) => boolean): Session[] {
    const out = new Set<Session>();
    for (const [k, q] of this.waiting) if (match(k.slice(k.indexOf('\0') + 1))) for (const s of q) out.add(s);
    return [...out];
  }
}
