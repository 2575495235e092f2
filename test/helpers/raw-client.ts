// A minimal RESP client for tests that returns each reply as its raw bytes (latin1), so replies
// from our node and from redis-server can be compared byte for byte.
import net from 'node:net';
import { command } from '../../common/resp/encode.js';

/** Length of the complete RESP reply at the start of s, or -1 if incomplete. */
export function replyLength(s: string, pos = 0): number {
  const nl = s.indexOf('\r\n', pos);
  if (nl === -1) return -1;
  const t = s[pos];
  const head = s.slice(pos + 1, nl);
  const after = nl + 2;
  switch (t) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return after - pos;
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return after - pos;
      if (s.length < after + n + 2) return -1;
      return after + n + 2 - pos;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(head);
      if (n < 0) return after - pos;
      if (t === '%' || t === '|') n *= 2;
      let p = after;
      for (let i = 0; i < n; i++) {
        const l = replyLength(s, p);
        if (l === -1) return -1;
        p += l;
      }
      return p - pos;
    }
    default:
      throw new Error(`bad reply type ${JSON.stringify(t)} in ${JSON.stringify(s.slice(pos, pos + 40))}`);
  }
}

export class RawClient {
  private buf = '';
  private waiters: ((r: string) => void)[] = [];
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf += d.toString('latin1');
      this.drain();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const n = replyLength(this.buf);
      if (n === -1) return;
      const r = this.buf.slice(0, n);
      this.buf = this.buf.slice(n);
      this.waiters.shift()!(r);
    }
  }

  /** Sends one command and resolves with its raw reply. */
  call(...args: string[]): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.sock.write(Buffer.from(command(args), 'latin1'));
    });
  }

  /** Reads one unsolicited reply (pub/sub messages). */
  read(): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.drain();
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
