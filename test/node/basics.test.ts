import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startNode, redisCli, rawExchange, type ServerProcess } from '../helpers/processes.js';

describe('redshard-node basics with real clients', () => {
  let node: ServerProcess;
  beforeAll(async () => {
    node = await startNode();
  });
  afterAll(async () => {
    await node.stop();
  });

  it('answers redis-cli', () => {
    expect(redisCli(node.port, ['PING']).trim()).toBe('PONG');
    expect(redisCli(node.port, ['SET', 'k', 'v']).trim()).toBe('OK');
    expect(redisCli(node.port, ['GET', 'k']).trim()).toBe('v');
  });

  it('round-trips arbitrary bytes with ioredis', async () => {
    const c = new Redis({ port: node.port, host: '127.0.0.1' });
    const key = Buffer.from([0, 255, 10, 13, 0xc3, 0x28]);
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await c.set(key, value);
    expect(Buffer.compare((await c.getBuffer(key))!, value)).toBe(0);
    expect(await c.incrby('counter', 5)).toBe(5);
    await c.quit();
  });

  it('speaks RESP3 with node-redis', async () => {
    const c = createClient({ socket: { port: node.port, host: '127.0.0.1' }, RESP: 3 });
    await c.connect();
    await c.set('r3', 'x');
    expect(await c.get('r3')).toBe('x');
    await c.quit();
  });

  it('pipelines inline and multibulk requests', async () => {
    const r = await rawExchange(node.port, 'PING\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\nget a\r\n');
    expect(r.reply).toBe('+PONG\r\n+OK\r\n$1\r\n1\r\n');
  });

  it('answers a malformed request with a protocol error and closes only that connection', async () => {
    const other = new Redis({ port: node.port, host: '127.0.0.1' });
    await other.ping();
    const r = await rawExchange(node.port, '*1\r\n$x\r\n');
    expect(r.reply).toBe('-ERR Protocol error: invalid bulk length\r\n');
    expect(r.closed).toBe(true);
    expect(await other.ping()).toBe('PONG');
    await other.quit();
  });

  it('exits cleanly on SIGTERM', async () => {
    const n = await startNode();
    expect(await n.stop('SIGTERM')).toBe(0);
  });
});
