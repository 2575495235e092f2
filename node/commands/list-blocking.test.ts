// Blocking list commands inside one real Server (no sockets): behaviour that needs control over
// command boundaries, such as commands running inside EXEC (dispatch's run with inExec).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Server } from '../server/server.js';
import { Session } from '../server/session.js';
import { loadStartupConfig } from '../config/config.js';
import { run } from './dispatch.js';
import { lookupCommand } from './table.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) for (const sess of s.sessions.values()) s.blocking.unblock(sess);
});

function setup(): { server: Server; client: () => Session } {
  const server = new Server(loadStartupConfig([]), pino({ level: 'silent' }));
  servers.push(server);
  let id = 1;
  return {
    server,
    client: () => {
      const sock = new net.Socket();
      sock.destroy();
      const s = new Session(id++, sock);
      s.authenticated = true;
      server.sessions.set(s.id, s);
      return s;
    },
  };
}

/** Runs one command as EXEC would (inExec) or directly, returning what it replied. */
function call(server: Server, s: Session, argv: string[], inExec = false): string {
  run(server, s, lookupCommand(argv[0]!.toLowerCase())!, argv, inExec);
  return s.out.take();
}

describe('blocking list commands', () => {
  it('reply at once inside EXEC, as a timeout, without blocking', () => {
    const { server, client } = setup();
    const c = client();
    expect(call(server, c, ['BLPOP', 'k', '0'], true)).toBe('*-1\r\n');
    expect(call(server, c, ['BLMPOP', '0', '1', 'k', 'LEFT'], true)).toBe('*-1\r\n');
    expect(call(server, c, ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'], true)).toBe('$-1\r\n');
    expect(call(server, c, ['BRPOPLPUSH', 'k', 'd', '0'], true)).toBe('$-1\r\n');
    expect(call(server, c, ['BLPOP', 'k', '-1'], true)).toBe('-ERR timeout is negative\r\n');
    expect(c.blocked).toBeNull();
    expect(server.blocking.blockedCount).toBe(0);
  });

  it('serve a waiter from the first key that got data in a transaction, not its first key', () => {
    const { server, client } = setup();
    const w = client();
    const p = client();
    expect(call(server, w, ['BLPOP', 'k2', 'k1', '0'])).toBe('');
    expect(w.blocked).not.toBeNull();
    call(server, p, ['RPUSH', 'k1', 'a'], true);
    call(server, p, ['RPUSH', 'k2', 'b'], true);
    server.blocking.serveReady();
    expect(w.out.take()).toBe('*2\r\n$2\r\nk1\r\n$1\r\na\r\n');
    expect(w.blocked).toBeNull();
    expect(call(server, p, ['LRANGE', 'k2', '0', '-1'])).toBe('*1\r\n$1\r\nb\r\n');
  });

  it('serve waiters in blocking order until the key runs dry', () => {
    const { server, client } = setup();
    const [a, b, c, p] = [client(), client(), client(), client()];
    call(server, a, ['BLMOVE', 'q', 'q2', 'LEFT', 'RIGHT', '0']);
    call(server, b, ['BLMPOP', '0', '1', 'q', 'RIGHT', 'COUNT', '5']);
    call(server, c, ['BLPOP', 'q', '0']);
    call(server, p, ['RPUSH', 'q', '1', '2', '3', '4']);
    server.blocking.serveReady();
    expect(a.out.take()).toBe('$1\r\n1\r\n');
    expect(b.out.take()).toBe('*2\r\n$1\r\nq\r\n*3\r\n$1\r\n4\r\n$1\r\n3\r\n$1\r\n2\r\n');
    expect(c.out.take()).toBe('');
    expect(c.blocked).not.toBeNull();
    expect(server.blocking.blockedCount).toBe(1);
    expect(call(server, p, ['EXISTS', 'q'])).toBe(':0\r\n');
  });

  it('wake waiters when a database gets keys wholesale (SWAPDB-like)', () => {
    const { server, client } = setup();
    const [w, p] = [client(), client()];
    w.db = 1;
    call(server, w, ['BLPOP', 'x', '0']);
    call(server, p, ['RPUSH', 'x', 'v']);
    // The data is in db 0; swapping databases makes it db 1's, which then signals its waiters.
    [server.dbs[0], server.dbs[1]] = [server.dbs[1]!, server.dbs[0]!];
    Object.assign(server.dbs[0]!, { index: 0 });
    Object.assign(server.dbs[1]!, { index: 1 });
    server.blocking.signalWaitedKeys(1);
    server.blocking.serveReady();
    expect(w.out.take()).toBe('*2\r\n$1\r\nx\r\n$1\r\nv\r\n');
  });
});
