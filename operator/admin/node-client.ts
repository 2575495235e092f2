// A small RESP2 client for administering one node: pipelined requests over one socket, replies
// read with redis-parser. Strings travel as latin1 both ways so keys stay byte-exact (MIGRATE KEYS
// sends back exactly the bytes GETKEYSINSLOT returned).
import net from 'node:net';
import RedisParser from 'redis-parser';

export type Reply = string | number | null | Reply[];

/** An error reply from the node (e.g. "ERR I'm not the owner of hash slot 5"). */
export class NodeReplyError extends Error {
  constructor(
    readonly address: string,
    readonly command: string,
    readonly reply: string,
  ) {
    super(`${address} ${command}: ${reply}`);
  }
}

/** The connection failed, closed or timed out. */
export class NodeConnectionError extends Error {}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  command: string;
}

export interface NodeClientOptions {
  host: string;
  port: number;
  password?: string | null;
  /** Per-request deadline; the connection is dropped when it passes. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

function toReply(v: unknown): Reply {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(toReply);
  return String(v);
}

export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = Buffer.from(String(a), 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

export class NodeClient {
  readonly address: string;
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: NodeClientOptions) {
    this.address = `${opts.host}:${opts.port}`;
  }

  /** Sends one command; resolves with its reply or rejects with NodeReplyError / NodeConnectionError. */
  async call(...args: (string | number)[]): Promise<Reply> {
    const sock = await this.connect();
    return this.send(sock, args);
  }

  async callString(...args: (string | number)[]): Promise<string> {
    const r = await this.call(...args);
    if (typeof r !== 'string') throw new NodeConnectionError(`${this.address} ${args[0]}: expected a string reply`);
    return r;
  }

  async callInteger(...args: (string | number)[]): Promise<number> {
    const r = await this.call(...args);
    if (typeof r !== 'number') throw new NodeConnectionError(`${this.address} ${args[0]}: expected an integer reply`);
    return r;
  }

  close(): void {
    this.fail(new NodeConnectionError(`${this.address}: closed`));
  }

  private send(sock: net.Socket, args: readonly (string | number)[]): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject, command: args.slice(0, 2).join(' ') });
      this.arm();
      sock.write(encodeCommand(args));
    });
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    this.timer = setTimeout(() => this.fail(new NodeConnectionError(`${this.address}: timed out after ${this.opts.timeoutMs ?? 10_000} ms`)), this.opts.timeoutMs ?? 10_000);
  }

  private fail(err: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    this.connecting = null;
    s?.destroy();
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  private connect(): Promise<net.Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const sock = net.connect({ host: this.opts.host, port: this.opts.port });
      sock.setNoDelay(true);
      const connectTimer = setTimeout(() => {
        sock.destroy();
        this.connecting = null;
        reject(new NodeConnectionError(`${this.address}: connect timed out`));
      }, this.opts.connectTimeoutMs ?? 2000);
      const parser = new RedisParser({
        returnBuffers: true,
        returnReply: (r: unknown) => {
          const p = this.pending.shift();
          this.arm();
          p?.resolve(toReply(r));
        },
        returnError: (e: Error) => {
          const p = this.pending.shift();
          this.arm();
          p?.reject(new NodeReplyError(this.address, p.command, e.message));
        },
        returnFatalError: (e: Error) => this.fail(new NodeConnectionError(`${this.address}: protocol error: ${e.message}`)),
      });
      sock.on('data', (d: Buffer) => parser.execute(d));
      sock.on('error', (e) => {
        clearTimeout(connectTimer);
        if (this.connecting && !this.socket) {
          this.connecting = null;
          reject(new NodeConnectionError(`${this.address}: ${e.message}`));
        }
        this.fail(new NodeConnectionError(`${this.address}: ${e.message}`));
      });
      sock.on('close', () => {
        if (this.socket === sock) this.fail(new NodeConnectionError(`${this.address}: connection closed`));
      });
      sock.on('connect', () => {
        clearTimeout(connectTimer);
        this.socket = sock;
        this.connecting = null;
        if (this.opts.password) {
          this.send(sock, ['AUTH', this.opts.password]).catch(() => undefined);
        }
        resolve(sock);
      });
    });
    return this.connecting;
  }
}
