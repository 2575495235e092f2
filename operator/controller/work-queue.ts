// A keyed work queue: a key added many times while waiting runs once (coalescing), a key never runs
// twice at once (a key added while running runs again right after), and a failing key backs off
// exponentially (1 s doubling to 30 s) until it succeeds. Time is injected for tests.

export interface QueueClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: QueueClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface WorkQueueOptions {
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Keys processed at the same time (different keys only). */
  concurrency?: number;
  clock?: QueueClock;
}

/** What a handler returns: run again after ms (success), or nothing. Throwing means failure. */
export type HandlerResult = { requeueAfterMs?: number | null } | void;

export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, unknown>();
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly base: number;
  private readonly max: number;
  private readonly concurrency: number;
  private readonly clock: QueueClock;

  constructor(
    private readonly handler: (key: string) => Promise<HandlerResult>,
    private readonly onError: (key: string, err: unknown, retryInMs: number) => void = () => undefined,
    opts: WorkQueueOptions = {},
  ) {
    this.base = opts.baseBackoffMs ?? 1000;
    this.max = opts.maxBackoffMs ?? 30_000;
    this.concurrency = opts.concurrency ?? 4;
    this.clock = opts.clock ?? realClock;
  }

  /** Adds the key now (cancelling a pending delayed add). */
  add(key: string): void {
    if (this.stopped) return;
    const t = this.timers.get(key);
    if (t !== undefined) {
      this.clock.clearTimeout(t);
      this.timers.delete(key);
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Adds the key after ms, unless an earlier add is already scheduled. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    if (this.timers.has(key) || this.queued.has(key)) return;
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  backoffFor(failures: number): number {
    return Math.min(this.max, this.base * 2 ** Math.max(0, failures - 1));
  }

  get size(): number {
    return this.ready.length + this.running.size;
  }

  /** Resolves when nothing is queued or running (delayed adds do not count). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      this.queued.delete(key);
      this.running.add(key);
      void this.run(key);
    }
    if (this.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(key: string): Promise<void> {
    let next: number | null = null;
    try {
      const r = await this.handler(key);
      this.failures.delete(key);
      if (r && r.requeueAfterMs !== undefined && r.requeueAfterMs !== null) next = r.requeueAfterMs;
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      next = this.backoffFor(n);
      this.onError(key, err, next);
    } finally {
      this.running.delete(key);
    }
    if (this.dirty.delete(key) && !this.failures.has(key)) this.add(key);
    else if (next !== null) this.addAfter(key, next);
    this.pump();
  }
}
