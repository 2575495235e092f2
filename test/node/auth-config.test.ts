import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { redisCli, NODE_BIN } from '../helpers/processes.js';
import { expectSameConnReplies, type ConnStep } from '../helpers/differential-conns.js';
import { useIoredisPair, useServerPair } from '../helpers/differential.js';

const c0 = (...cmd: string[]): ConnStep => ({ c: 0, cmd });
const c1 = (...cmd: string[]): ConnStep => ({ c: 1, cmd });

describe('AUTH, requirepass and HELLO AUTH like redis-server 7.0', () => {
  const { ours, redis } = useServerPair({ args: ['--requirepass', 'secret'] });

  // The harness sends FLUSHALL first on connection 0: it must fail the same way on both.
  const script: ConnStep[] = [
    c0('GET', 'a'),
    c0('PING'),
    c0('HELLO', '3'),
    c0('HELLO', '3', 'AUTH', 'default', 'wrong'),
    c0('AUTH', 'wrong'),
    c0('AUTH', 'someone', 'secret'),
    c0('AUTH', 'a', 'b', 'c'),
    c0('MULTI'),
    c0('AUTH', 'secret'),
    c0('SET', 'a', '1'),
    c0('AUTH', 'default', 'secret'),
    // The reply holds the connection id, which differs between servers.
    { c: 1, cmd: ['HELLO', '2', 'AUTH', 'default', 'secret', 'SETNAME', 'conn1'], match: /^\*14\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/ },
    c1('CLIENT', 'GETNAME'),
    c1('GET', 'a'),
    c1('CONFIG', 'SET', 'requirepass', ''),
    c1('AUTH', 'x'),
    c1('CONFIG', 'SET', 'requirepass', 'secret'),
    c1('RESET'),
    c1('GET', 'a'),
    c1('QUIT'),
  ];

  it('RESP2 replies match', async () => {
    await expectSameConnReplies(ours, redis, 2, script);
  });

  it('ioredis and node-redis authenticate with password options', async () => {
    const a = new Redis({ port: ours.port, host: ours.host, password: 'secret' });
    expect(await a.ping()).toBe('PONG');
    a.disconnect();
    const b = createClient({ socket: { port: ours.port, host: ours.host }, password: 'secret', RESP: 3 });
    await b.connect();
    expect(await b.ping()).toBe('PONG');
    await b.quit();
    expect(redisCli(ours.port, ['-a', 'secret', '--no-auth-warning', 'PING']).trim()).toBe('PONG');
    expect(redisCli(ours.port, ['PING']).trim()).toBe('NOAUTH Authentication required.');
  });
});

describe('CONFIG GET/SET and startup directives', () => {
  const { ours, redis } = useServerPair();
  let a: Redis;
  let b: Redis;
  useIoredisPair({ ours, redis }, (x, y) => ([a, b] = [x, y]));

  it("knows every directive of redis-server's CONFIG GET * and accepts what redis-server accepts", async () => {
    const theirs = (await b.config('GET', '*')) as string[];
    const missing: string[] = [];
    const refused: string[] = [];
    for (let i = 0; i < theirs.length; i += 2) {
      const name = theirs[i]!;
      const value = theirs[i + 1]!;
      const got = (await a.config('GET', name)) as string[];
      if (!got.includes(name)) {
        missing.push(name);
        continue;
      }
      // Directives redis-server lets CONFIG SET change to its current value must be settable here.
      const redisOk = await b.config('SET', name, value).then(() => true, () => false);
      if (!redisOk || ['port', 'bind', 'dir'].includes(name)) continue;
      const oursOk = await a.config('SET', name, value).then(() => true, (e: Error) => e.message);
      if (oursOk !== true) refused.push(`${name}=${value}: ${oursOk}`);
    }
    expect(missing).toEqual([]);
    expect(refused).toEqual([]);
    await a.config('SET', 'save', '');
  });

  it('CONFIG GET patterns and CONFIG SET errors match redis-server', async () => {
    const steps: ConnStep[] = [
      { c: 0, cmd: ['CONFIG', 'GET', 'maxmemory*'], unordered: true },
      c0('CONFIG', 'GET', 'nosuch'),
      c0('CONFIG', 'SET', 'nosuch', '1'),
      c0('CONFIG', 'SET', 'maxmemory', 'abc'),
      c0('CONFIG', 'SET', 'maxmemory-policy', 'bogus'),
      c0('CONFIG', 'SET', 'appendonly', 'maybe'),
      c0('CONFIG', 'SET', 'databases', '4'),
      c0('CONFIG', 'SET', 'hz', '20', 'hz', '30'),
      c0('CONFIG', 'SET', 'maxmemory', '100mb', 'timeout', '0'),
      c0('CONFIG', 'GET', 'maxmemory'),
      c0('CONFIG', 'SET', 'maxmemory', '0'),
      c0('CONFIG', 'SET', 'hz'),
      c0('CONFIG', 'GET'),
      c0('CONFIG', 'NOPE'),
    ];
    await expectSameConnReplies(ours, redis, 1, steps);
    await expectSameConnReplies(ours, redis, 1, steps, 3);
  });

  it('CONFIG SET timeout closes idle clients', async () => {
    const idle = new Redis({ port: ours.port, host: ours.host, lazyConnect: true, retryStrategy: () => null });
    await idle.connect();
    await idle.ping();
    let closed = false;
    idle.on('close', () => (closed = true));
    await a.config('SET', 'timeout', '1');
    await new Promise((r) => setTimeout(r, 2500));
    expect(closed).toBe(true);
    await a.config('SET', 'timeout', '0');
    idle.disconnect();
  });

  it('CONFIG SET requirepass and maxclients apply to new connections at once', async () => {
    await a.config('SET', 'requirepass', 'later');
    expect(await a.ping()).toBe('PONG');
    expect(redisCli(ours.port, ['PING']).trim()).toBe('NOAUTH Authentication required.');
    expect(redisCli(ours.port, ['-a', 'later', '--no-auth-warning', 'PING']).trim()).toBe('PONG');
    await a.config('SET', 'requirepass', '');
    const clients = Number(/connected_clients:(\d+)/.exec((await a.info('clients')) as string)![1]);
    await a.config('SET', 'maxclients', String(clients));
    expect(redisCli(ours.port, ['PING']).trim()).toBe('ERR max number of clients reached');
    await a.config('SET', 'maxclients', '10000');
    expect(redisCli(ours.port, ['PING']).trim()).toBe('PONG');
  });

  it('CONFIG SET proto-max-bulk-len applies to connected clients', async () => {
    await a.config('SET', 'proto-max-bulk-len', '1mb');
    await expect(a.set('big', 'x'.repeat(1_100_000))).rejects.toThrow();
    const c = new Redis({ port: ours.port, host: ours.host });
    await c.config('SET', 'proto-max-bulk-len', '512mb');
    expect(await c.set('big', 'x'.repeat(1_100_000))).toBe('OK');
    c.disconnect();
  });

  it('refuses to start on an unknown directive, naming it', () => {
    const r = spawnSync(process.execPath, [NODE_BIN, '--port', '0', '--no-such-directive', 'yes'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(">>> 'no-such-directive yes'");
    expect(r.stderr).toContain('Bad directive or wrong number of arguments');
    const bad = spawnSync(process.execPath, [NODE_BIN, '--port', '0', '--maxmemory-policy', 'sometimes'], { encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('maxmemory-policy');
  });
});
