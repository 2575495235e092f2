// INFO replication and ROLE of a replica in the middle of a full sync, compared with Debian's
// redis-server 7.0: both replicate a scripted master that starts a full sync, sends part of the
// payload and then stalls, in the EOF-marked and in the length-prefixed form.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { hasRedisServer, startNode, startRedis, type ServerProcess } from '../helpers/processes.js';

const started: ServerProcess[] = [];
const servers: net.Server[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of servers.splice(0)) s.close();
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
});

const PARTIAL = Buffer.concat([Buffer.from('REDIS0010', 'latin1'), Buffer.alloc(91, 0xfa)]);

/** A master that answers the handshake, starts a full sync and sends only the first bytes. */
async function stallingMaster(form: 'eof' | 'length'): Promise<number> {
  const srv = net.createServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      // Requests are small RESP arrays; answer each complete one by its command name.
      for (;;) {
        const m = /^\*(\d+)\r\n/.exec(buf);
        if (!m) return;
        let pos = m[0].length;
        const args: string[] = [];
        for (let i = 0; i < Number(m[1]); i++) {
          const h = /^\$(\d+)\r\n/.exec(buf.slice(pos));
          if (!h) return;
          const len = Number(h[1]);
          if (buf.length < pos + h[0].length + len + 2) return;
          args.push(buf.slice(pos + h[0].length, pos + h[0].length + len));
          pos += h[0].length + len + 2;
        }
        buf = buf.slice(pos);
        const cmd = args[0]!.toUpperCase();
        if (cmd === 'PING') sock.write('+PONG\r\n');
        else if (cmd === 'PSYNC') {
          sock.write(`+FULLRESYNC ${'a'.repeat(40)} 0\r\n`);
          sock.write(form === 'eof' ? `$EOF:${'b'.repeat(40)}\r\n` : '$1000\r\n');
          sock.write(PARTIAL);
        } else sock.write('+OK\r\n');
      }
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return (srv.address() as net.AddressInfo).port;
}

async function duringSync(kind: 'redshard' | 'redis', form: 'eof' | 'length'): Promise<unknown> {
  const port = await stallingMaster(form);
  const p = await (kind === 'redshard' ? startNode : startRedis)({ args: kind === 'redshard' ? ['--save', '', '--replicaof', '127.0.0.1', String(port)] : ['--replicaof', '127.0.0.1', String(port)] });
  started.push(p);
  const c = new Redis({ port: p.port, host: p.host });
  c.on('error', () => {});
  clients.push(c);
  const end = Date.now() + 15_000;
  let info = '';
  while (Date.now() < end) {
    info = await c.info('replication');
    if (/master_sync_read_bytes:[1-9]/.test(info)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const role = (await c.role()) as unknown[];
  c.disconnect();
  await p.stop('SIGKILL');
  return {
    info: info
      .replaceAll(String(port), '<master>')
      .replace(/\b[0-9a-f]{40}\b/g, (id) => (/^0+$/.test(id) ? id : '<id>'))
      .replace(/(seconds_ago|since_seconds):\d+/g, '$1:N'),
    role: role.map((x) => (x === port ? '<master>' : x)),
  };
}

describe('INFO replication during a full sync', () => {
  for (const form of ['eof', 'length'] as const) {
    it.runIf(hasRedisServer())(`matches redis-server 7.0 (${form === 'eof' ? 'EOF-marked' : 'length-prefixed'} payload)`, async () => {
      const ours = await duringSync('redshard', form);
      const theirs = await duringSync('redis', form);
      expect(ours).toEqual(theirs);
      expect(JSON.stringify(ours)).toMatch(/master_sync_in_progress:1/);
    }, 40_000);
  }
});
