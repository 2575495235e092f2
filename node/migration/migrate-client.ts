// MIGRATE's client side: cached connections to target instances (one per host:port, closed
// after 10 s idle or when there are more than 64, as Redis does), a pipelined write of the whole
// request batch and a reply read with an inactivity timeout. Errors are classified the way
// Redis words them: connecting / writing / reading.
import net from 'node:net';
import { ReplyReader, type RespValue } from '../../common/resp/reply-reader.js';

export const MIGRATE_SOCKET_CACHE_ITEMS = 64;
export const MIGRATE_SOCKET_CACHE_TTL_MS = 10_000;

export type LinkFailure = 'connecting' | 'writing' | 'reading';

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
    for (const p of pieces) {
      if (!this.usable) return false;
      const more = this.socket.write(p);
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

  /** A connected link (cached when possible), or the failure to report. */
  async get(host: string, port: number, timeoutMs: number): Promise<TargetLink | LinkFailure> {
    const key = `${host}:${port}`;
    const cached = this.links.get(key);
    if (cached !== undefined) {
      if (cached.usable) {
        cached.lastUse = Date.now();
        return cached;
      }
      this.links.delete(key);
    }
    if (this.links.size >= MIGRATE_SOCKET_CACHE_ITEMS) {
      // Too many cached links: drop one at random, as Redis does.
      const victims = [...this.links.keys()];
      this.close(victims[Math.floor(Math.random() * victims.length)]!);
    }
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
