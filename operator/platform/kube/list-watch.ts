// List-then-watch for one resource collection, kept alive for as long as it runs: the watch
// resumes from the last resourceVersion seen, relists on 410 Gone (emitting the difference as
// events), and restarts after any other failure with backoff. The server ends each watch after a
// short timeout so an idle connection never goes stale unnoticed.
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface ListWatchOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** The collection's path, e.g. /api/v1/namespaces/ns/pods. */
  path: string;
  /** Lists the same collection with the same selectors as query. */
  list: () => Promise<ListResult<T>>;
  query?: { labelSelector?: string; fieldSelector?: string };
  onEvent: (type: WatchEventType, obj: T) => void;
  /** Called after each complete (re)list has been delivered. */
  onSynced?: () => void;
  log?: Logger;
  backoff?: { initialMs: number; maxMs: number };
}

export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

/** The next delay after a failure: doubling from initial up to max. */
export function nextBackoff(previousMs: number | undefined, initialMs: number, maxMs: number): number {
  return previousMs === undefined ? initialMs : Math.min(maxMs, previousMs * 2);
}

/** Differences between a cached set and a fresh list, as watch events. */
export function diffList<T extends KubernetesObject>(cache: ReadonlyMap<string, T>, fresh: readonly T[]): { type: WatchEventType; obj: T }[] {
  const out: { type: WatchEventType; obj: T }[] = [];
  const seen = new Set<string>();
  for (const obj of fresh) {
    const key = objectKey(obj);
    seen.add(key);
    const old = cache.get(key);
    if (!old) out.push({ type: 'ADDED', obj });
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) out.push({ type: 'MODIFIED', obj });
  }
  for (const [key, obj] of cache) if (!seen.has(key)) out.push({ type: 'DELETED', obj });
  return out;
}

export class ListWatch<T extends KubernetesObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private delay: number | undefined;
  private synced = false;

  constructor(private readonly opts: ListWatchOptions<T>) {}

  start(): void {
    this.stopped = false;
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
    this.abort = undefined;
  }

  /** True once the first list has been delivered. */
  hasSynced(): boolean {
    return this.synced;
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  private schedule(fn: () => void, ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
  }

  private fail(err: unknown, what: string, retry: () => void): void {
    if (this.stopped) return;
    const b = this.opts.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.delay = nextBackoff(this.delay, b.initialMs, b.maxMs);
    // 429 is the apiserver asking to come back later (e.g. right after a CRD was created).
    const level = (err as { code?: number } | null)?.code === 429 ? 'debug' : 'warn';
    this.opts.log?.[level]({ path: this.opts.path, err: errorText(err), retryInMs: this.delay }, `${what} failed`);
    this.schedule(retry, this.delay);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    let result: ListResult<T>;
    try {
      result = await this.opts.list();
    } catch (err) {
      this.fail(err, 'list', () => void this.relist());
      return;
    }
    if (this.stopped) return;
    const events = diffList(this.cache, result.items);
    this.cache.clear();
    for (const obj of result.items) this.cache.set(objectKey(obj), obj);
    this.resourceVersion = result.metadata?.resourceVersion ?? '';
    for (const e of events) this.emit(e.type, e.obj);
    this.synced = true;
    this.opts.onSynced?.();
    void this.watch();
  }

  private emit(type: WatchEventType, obj: T): void {
    try {
      this.opts.onEvent(type, obj);
    } catch (err) {
      this.opts.log?.error({ path: this.opts.path, err: errorText(err) }, 'watch handler threw');
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const startedAt = Date.now();
    let gone = false;
    let received = false;
    const watch = new Watch(this.opts.kc);
    const query = {
      ...this.opts.query,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      // Below client-node's 30 s inactivity limit, so the server closes first and we resume.
      timeoutSeconds: 20 + Math.floor(Math.random() * 8),
    };
    const onEvent = (phase: string, obj: T & { code?: number }) => {
      if (this.stopped) return;
      if (phase === 'ERROR') {
        if (obj.code === 410) gone = true;
        else this.opts.log?.warn({ path: this.opts.path, status: obj }, 'watch error event');
        return;
      }
      received = true;
      const rv = obj.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (phase === 'BOOKMARK') return;
      const key = objectKey(obj);
      if (phase === 'DELETED') {
        this.cache.delete(key);
        this.emit('DELETED', obj);
      } else if (phase === 'ADDED' || phase === 'MODIFIED') {
        this.cache.set(key, obj);
        this.emit(phase, obj);
      }
    };
    const onDone = (err: unknown) => {
      if (this.stopped) return;
      const status = (err as { statusCode?: number } | null)?.statusCode;
      if (gone || status === 410) {
        this.delay = undefined;
        void this.relist();
      } else if (err && !isTimeout(err)) {
        this.fail(err, 'watch', () => void this.watch());
      } else {
        // A normal end (server timeout or idle abort): resume at once unless it ended instantly
        // without delivering anything, which would spin.
        if (received || Date.now() - startedAt > 1_000) this.delay = undefined;
        if (this.delay === undefined && Date.now() - startedAt > 1_000) void this.watch();
        else this.fail(err ?? new Error('watch ended immediately'), 'watch', () => void this.watch());
      }
    };
    try {
      this.abort = await watch.watch(this.opts.path, query, onEvent, onDone);
      if (this.stopped) this.abort.abort();
    } catch (err) {
      this.fail(err, 'watch', () => void this.watch());
    }
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && 'body' in err) {
    const e = err as { code: unknown; body: unknown };
    return `HTTP ${String(e.code)}: ${typeof e.body === 'string' ? e.body.slice(0, 300) : JSON.stringify(e.body)?.slice(0, 300)}`;
  }
  return err instanceof Error ? err.message : String(err);
}
