// The stream of effective writes: every command that changed the dataset, rewritten where
// needed into a deterministic form (relative TTLs become absolute, random picks become the
// elements picked), fed to the append-only file and, later, to replicas.

export interface PropagationSink {
  /** One write in database `db`. Sinks track their own SELECT state. */
  feed(db: number, argv: readonly string[]): void;
  /** Called before replies go out, so a write is durable/sent before it is acknowledged. */
  beforeReply(): void;
}

export class Propagator {
  private readonly sinks: PropagationSink[] = [];
  /** Cheap check for the command loop: false while nobody listens. */
  active = false;
  /** Open MULTI wrapper: the EXEC being propagated and whether MULTI went out yet. */
  private txn: { db: number; started: boolean } | null = null;

  add(sink: PropagationSink): void {
    this.sinks.push(sink);
    this.active = true;
  }

  remove(sink: PropagationSink): void {
    const i = this.sinks.indexOf(sink);
    if (i !== -1) this.sinks.splice(i, 1);
    this.active = this.sinks.length > 0;
  }

  propagate(db: number, argv: readonly string[]): void {
    if (this.txn !== null && !this.txn.started) {
      this.txn.started = true;
      for (const s of this.sinks) s.feed(db, ['MULTI']);
    }
    for (const s of this.sinks) s.feed(db, argv);
  }

  /** Writes of one EXEC are wrapped in MULTI/EXEC (only if at least one write happened). */
  beginTransaction(db: number): void {
    this.txn = { db, started: false };
  }

  endTransaction(): void {
    const t = this.txn;
    this.txn = null;
    if (t !== null && t.started) for (const s of this.sinks) s.feed(t.db, ['EXEC']);
  }

  beforeReply(): void {
    for (const s of this.sinks) s.beforeReply();
  }
}
