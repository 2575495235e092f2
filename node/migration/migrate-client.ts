// MIGRATE's client side: cached connections to target instances (one per host:port, closed
// after 10 s idle or when there are more than 64, as Redis does), a pipelined write of the whole
// request batch and a reply read with an inactivity timeout. Errors are classified the way
// Redis words them: connecting / writing / reading.
import net from 'node:net';
import { ReplyReader, type RespValue } from '../../common/resp/reply-reader.js';

export const MIGRATE_SOCKET_CACHE_ITEMS = 64;
export const MIGRATE_SOCKET_CACHE_TTL_MS = 10_000;

export type LinkFailure = 'connecting' | 'writing' | 'reading';

/** Requests up to this size are copied into one buffer and written at once. */
const SMALL_WRITE = 256 * 1024;

export class TargetLink {
  readonly reader = new ReplyReader();
  /** Database selected on this connection, -1 when unknown (new link, or after an error). */
  lastDb = -1;
  lastUse = Date.now();
  private closed = false;
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(
    readonly key: string,
    readonly socket: net.Socket,
  ) {
    socket.on('data', (d: Buffer) => {
      this.reader.feed(d);
      this.wake();
    });
    const onEnd = (err?: Error) => {
      this.closed = true;
      this.failure ??= err ?? new Error('connection closed');
      this.wake();
    };
    socket.on('error', onEnd);
    socket.on('close', () => onEnd());
  }

  private tail: Promise<void> = Promise.resolve();

  /** Waits for exclusive use of the link; call the returned function when done. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => mine);
    await prev;
    return release;
  }

  get usable(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Writes the request pieces; resolves false on a socket error or when a write stalls past timeout. */
  async write(pieces: readonly (Buffer | string)[], timeoutMs: number): Promise<boolean> {
    this.lastUse = Date.now();
    let total = 0;
    for (const p of pieces) total += p.length;
    // Small batches (the common case: a few keys per MIGRATE) go out in one write.
    if (total <= SMALL_WRITE) {
      if (!this.usable) return false;
      const one = Buffer.allocUnsafe(total);
      let at = 0;
      for (const p of pieces) at += typeof p === 'string' ? one.write(p, at, 'latin1') : (one.set(p, at), p.length);
      if (!this.socket.write(one) && !(await this.drained(timeoutMs))) return false;
      return this.usable;
    }
    for (const p of pieces) {
      if (!this.usable) return false;
      const more = typeof p === 'string' ? this.socket.write(p, 'latin1') : this.socket.write(p);
      if (!more && !(await this.drained(timeoutMs))) return false;
    }
    return this.usable;
  }

  private drained(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(t);
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const t = setTimeout(() => done(false), timeoutMs);
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  /** The next reply; null on socket error, protocol garbage or `timeoutMs` without any reply. */
  async read(timeoutMs: number): Promise<{ value: RespValue } | { fail: 'timeout' | 'error' }> {
    for (;;) {
      if (this.reader.available > 0) {
        this.lastUse = Date.now();
        return { value: this.reader.shift()! };
      }
      if (this.reader.fatal !== null || !this.usable) return { fail: 'error' };
      const got = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          this.waiter = null;
          resolve(false);
        }, timeoutMs);
        this.waiter = () => {
          clearTimeout(t);
          resolve(true);
        };
      });
      if (!got) return { fail: 'timeout' };
    }
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

export class MigrateConnections {
  private readonly links = new Map<string, TargetLink>();
  private sweeper: NodeJS.Timeout | null = null;

  private readonly connecting = new Map<string, Promise<TargetLink | LinkFailure>>();

  /** A connected link (cached when possible), or the failure to report. */
  get(host: string, port: number, timeoutMs: number): Promise<TargetLink | LinkFailure> {
    const key = `${host}:${port}`;
    const cached = this.links.get(key);
    if (cached !== undefined) {
      if (cached.usable) {
        cached.lastUse = Date.now();
        return Promise.resolve(cached);
      }
      this.links.delete(key);
    }
    // Concurrent MIGRATEs to a new target share one connection attempt.
    let pending = this.connecting.get(key);
    if (pending === undefined) {
      pending = this.connect(key, host, port, timeoutMs).finally(() => this.connecting.delete(key));
      this.connecting.set(key, pending);
    }
    return pending;
  }

  private async connect(key: string, host: string, port: number, timeoutMs: number): Promise<TargetLink | LinkFailure> {
    if (this.links.size >= MIGRATE_SOCKET_CACHE_ITEMS) {
      // Too many cached links: drop one at random, as Redis does.
      const victims = [...this.links.keys()];
      this.close(victims[Math.floor(Math.random() * victims.length)]!);
    }
    // A port outside 1..65535 cannot be connected to: Redis's connect fails and it reports the
    // failed write.
    if (!Number.isInteger(port) || port < 1 || port > 65535) return 'writing';
    const res = await new Promise<net.Socket | LinkFailure>((resolve) => {
      const s = net.connect({ host, port, noDelay: true });
      const t = setTimeout(() => {
        s.destroy();
        resolve('connecting');
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        resolve(s);
      });
      // Redis's non-blocking connect reports success on a refused port and then fails to
      // write; answer the same way.
      s.once('error', () => {
        clearTimeout(t);
        s.destroy();
        resolve('writing');
      });
    });
    if (typeof res === 'string') return res;
    const link = new TargetLink(key, res);
    this.links.set(key, link);
    this.armSweeper();
    return link;
  }

  /** Closes this link and forgets it, unless another link has replaced it meanwhile. */
  drop(link: TargetLink): void {
    if (this.links.get(link.key) === link) this.links.delete(link.key);
    link.close();
  }

  close(key: string): void {
    const l = this.links.get(key);
    if (l === undefined) return;
    this.links.delete(key);
    l.close();
  }

  get size(): number {
    return this.links.size;
  }

  /** Closes links idle for more than 10 s. */
  sweep(now = Date.now()): void {
    for (const [k, l] of this.links) if (!l.usable || now - l.lastUse > MIGRATE_SOCKET_CACHE_TTL_MS) this.close(k);
    if (this.links.size === 0 && this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private armSweeper(): void {
    if (this.sweeper !== null) return;
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  closeAll(): void {
    for (const k of [...this.links.keys()]) this.close(k);
    this.sweep();
  }
}
