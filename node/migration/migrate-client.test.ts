import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { MigrateConnections, MIGRATE_SOCKET_CACHE_TTL_MS } from './migrate-client.js';
import { freezeKeys, isFrozen, parkUntilThawed, thawKeys, frozenKeyCount } from './key-freeze.js';
import type { Session } from '../server/session.js';

describe('MigrateConnections', () => {
  let srv: net.Server;
  let port = 0;
  let accepted = 0;
  beforeAll(async () => {
    srv = net.createServer((s) => {
      accepted++;
      // A target that answers +OK to every line.
      s.on('data', (d) => s.write('+OK\r\n'.repeat(d.toString().split('\r\n').filter((l) => l.startsWith('*')).length)));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    port = (srv.address() as net.AddressInfo).port;
  });
  afterAll(() => srv.close());

  it('reuses a link per host:port, drops it after the idle TTL, and reports refused ports as a write failure', async () => {
    const c = new MigrateConnections();
    const l1 = await c.get('127.0.0.1', port, 1000);
    const l2 = await c.get('127.0.0.1', port, 1000);
    expect(l1).toBe(l2);
    expect(accepted).toBe(1);
    if (typeof l1 === 'string') throw new Error(l1);
    expect(await l1.write(['*1\r\n$4\r\nPING\r\n'], 1000)).toBe(true);
    expect(await l1.read(1000)).toEqual({ value: 'OK' });
    c.sweep(Date.now() + MIGRATE_SOCKET_CACHE_TTL_MS - 1000);
    expect(c.size).toBe(1);
    c.sweep(Date.now() + MIGRATE_SOCKET_CACHE_TTL_MS + 1000);
    expect(c.size).toBe(0);
    expect(l1.usable).toBe(false);
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await c.get('127.0.0.1', deadPort, 1000)).toBe('writing');
    expect(await c.get('127.0.0.1', 0, 1000)).toBe('writing');
    c.closeAll();
  });

  it('times a silent target out', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const c = new MigrateConnections();
    const l = await c.get('127.0.0.1', (silent.address() as net.AddressInfo).port, 1000);
    if (typeof l === 'string') throw new Error(l);
    await l.write(['*1\r\n$4\r\nPING\r\n'], 1000);
    expect(await l.read(50)).toEqual({ fail: 'timeout' });
    c.closeAll();
    silent.close();
  });
});

describe('key freeze', () => {
  it('parks writers until every migration holding the key is over', () => {
    const s = { closing: false } as Session;
    freezeKeys(0, ['a', 'b']);
    freezeKeys(0, ['a']);
    expect(frozenKeyCount).toBe(2);
    expect(isFrozen(0, 'a') && isFrozen(0, 'b') && !isFrozen(1, 'a')).toBe(true);
    const resumed: string[] = [];
    parkUntilThawed(s, () => {
      resumed.push('w1');
      if (isFrozen(0, 'a')) parkUntilThawed(s, () => resumed.push('w1 again'));
    });
    thawKeys(0, ['a', 'b']);
    expect(resumed).toEqual(['w1']);
    expect(isFrozen(0, 'a')).toBe(true);
    thawKeys(0, ['a']);
    expect(resumed).toEqual(['w1', 'w1 again']);
    expect(frozenKeyCount).toBe(0);
  });
});
