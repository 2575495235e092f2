import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { Redis } from 'ioredis';
import { startNode, startRedis, rawExchange } from '../helpers/processes.js';
import { useServerPair } from '../helpers/differential.js';

/** Deterministic pseudo-random bytes (xorshift) so that failures can be replayed. */
function garbage(seed: number, n: number): Buffer {
  let x = seed | 1;
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

describe('protocol robustness', () => {
  const { ours, redis } = useServerPair();

  const malformed: [string, string][] = [
    ['bulk length over proto-max-bulk-len', '*1\r\n$536870913\r\n'],
    ['negative bulk length', '*1\r\n$-5\r\n'],
    ['non-numeric bulk length', '*1\r\n$abc\r\n'],
    ['multibulk count over INT_MAX', '*2147483648\r\n'],
    ['non-numeric multibulk count', '*x\r\n'],
    ['missing $', '*1\r\nPING\r\n'],
    ['oversized inline request', 'A'.repeat(70 * 1024)],
    ['oversized multibulk count line', `*${'1'.repeat(70 * 1024)}`],
    ['oversized bulk count line', `*1\r\n$${'1'.repeat(70 * 1024)}`],
    ['unbalanced quotes', 'SET "a b\r\n'],
    ['valid then broken', 'PING\r\n*1\r\n$x\r\n'],
  ];

  it.each(malformed)('%s: same error and close as redis-server', async (_name, data) => {
    const [a, b] = await Promise.all([rawExchange(ours.port, data), rawExchange(redis.port, data)]);
    expect(a.reply).toBe(b.reply);
    expect(a.reply).toMatch(/-ERR Protocol error: /);
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(true);
  });

  it('applies the unauthenticated limits of Redis before AUTH', async () => {
    const [n, r] = await Promise.all([startNode({ args: ['--requirepass', 'pw'] }), startRedis({ args: ['--requirepass', 'pw'] })]);
    try {
      for (const data of ['*11\r\n', `*1\r\n$16385\r\n`, '*2\r\n$4\r\nAUTH\r\n$2\r\nxx\r\n', '*1\r\n$4\r\nPING\r\n']) {
        const [a, b] = await Promise.all([rawExchange(n.port, data, { quietMs: 1000 }), rawExchange(r.port, data, { quietMs: 1000 })]);
        expect(a.reply, JSON.stringify(data)).toBe(b.reply);
        expect(a.closed, JSON.stringify(data)).toBe(b.closed);
      }
    } finally {
      await Promise.all([n.stop(), r.stop()]);
    }
  });

  it('survives random garbage on many connections while other clients carry on', async () => {
    const steady = new Redis({ port: ours.port, host: ours.host });
    let steadyOk = 0;
    let stop = false;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        await steady.set(`steady:${i % 50}`, String(i));
        expect(await steady.get(`steady:${i % 50}`)).toBe(String(i));
        steadyOk++;
      }
    })();
    const wave = (base: number) => Array.from({ length: 20 }, (_, j) => base + j).map((i) =>
      new Promise<void>((resolve) => {
        const s = net.connect({ port: ours.port, host: ours.host });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.on('data', () => {});
        s.on('connect', () => {
          // Some connections start with valid requests, then send garbage in several writes.
          if (i % 3 === 0) s.write('*1\r\n$4\r\nPING\r\nSET a b\r\n');
          for (let k = 0; k < 5; k++) s.write(garbage(i * 7919 + k, 2000 + ((i * k) % 5000)));
          setTimeout(() => s.destroy(), 300);
        });
      }),
    );
    const until = Date.now() + 1500;
    for (let w = 0; Date.now() < until; w++) await Promise.all(wave(w * 20));
    stop = true;
    await loop;
    expect(steadyOk).toBeGreaterThan(10);
    const fresh = new Redis({ port: ours.port, host: ours.host });
    expect(await fresh.ping()).toBe('PONG');
    expect(ours.proc.exitCode).toBe(null);
    fresh.disconnect();
    steady.disconnect();
  });

  it('disconnects a pub/sub subscriber that never reads at the hard output limit', async () => {
    const admin = new Redis({ port: ours.port, host: ours.host });
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 262144 131072 60');
    const sub = net.connect({ port: ours.port, host: ours.host });
    await new Promise<void>((r) => sub.on('connect', () => r()));
    sub.on('error', () => {});
    sub.write('*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n');
    await new Promise((r) => setTimeout(r, 100));
    sub.pause(); // never read again: the kernel buffers fill, then the server's output buffer
    const msg = 'm'.repeat(16 * 1024);
    // A paused socket never sees the close, so watch the server side: PUBLISH reaches nobody.
    let delivered = 0;
    let receivers = 1;
    for (let i = 0; i < 4000 && receivers > 0; i++) {
      receivers = (await admin.publish('feed', msg)) as number;
      delivered += receivers;
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(receivers).toBe(0);
    expect(delivered).toBeGreaterThan(16);
    expect(await admin.pubsub('NUMSUB', 'feed')).toEqual(['feed', 0]);
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 33554432 8388608 60');
    admin.disconnect();
    sub.destroy();
  });
});
