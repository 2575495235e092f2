// DUMP / RESTORE / MIGRATE between our node and Debian's redis-server 7.0, both directions.
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { Redis } from 'ioredis';
import { expectSameReplies, useIoredisPair, useServerPair } from '../helpers/differential.js';
import { freePort } from '../helpers/ports.js';

describe('key transfer with redis-server 7.0', () => {
  const { ours, redis } = useServerPair();
  let a: Redis; // ours
  let b: Redis; // redis-server
  useIoredisPair({ ours, redis }, (x, y) => ([a, b] = [x, y]));

  const strings: [string, Buffer][] = [
    ['plain', Buffer.from('bar')],
    ['int8', Buffer.from('-12')],
    ['int16', Buffer.from('12345')],
    ['int32', Buffer.from('-2147483648')],
    ['beyond int32', Buffer.from('9223372036854775807')],
    ['leading zero', Buffer.from('0123')],
    ['empty', Buffer.alloc(0)],
    ['lzf', Buffer.from('a'.repeat(40))],
    ['binary', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff))],
    ['big text', Buffer.from('hello world '.repeat(20000))],
  ];

  it('restores strings dumped by redis-server, and redis-server restores ours', async () => {
    await a.flushall();
    await b.flushall();
    for (const [name, v] of strings) {
      await b.set(name, v);
      const theirs = (await b.dumpBuffer(name))!;
      await a.restore(name, 0, theirs);
      expect(Buffer.compare((await a.getBuffer(name))!, v), name).toBe(0);
      const mine = (await a.dumpBuffer(name))!;
      // Same encoding choices as Redis: byte-identical payloads (long LZF runs may pick other matches).
      if (name !== 'big text') expect(mine.toString('hex'), name).toBe(theirs.toString('hex'));
      await b.restore(`${name}:back`, 0, mine);
      expect(Buffer.compare((await b.getBuffer(`${name}:back`))!, v), name).toBe(0);
    }
  });

  it('answers RESTORE options and errors exactly like redis-server', async () => {
    await b.set('src', 'value');
    const p = (await b.dumpBuffer('src'))!.toString('latin1');
    const badCrc = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) ^ 1);
    const v11 = (() => {
      const buf = Buffer.from(p, 'latin1');
      buf[buf.length - 10] = 11;
      return buf.toString('latin1');
    })();
    await expectSameReplies(ours, redis, [
      ['RESTORE', 'k', '0', p],
      ['GET', 'k'],
      ['RESTORE', 'k', '0', p],
      ['RESTORE', 'k', '0', p, 'REPLACE'],
      ['RESTORE', 'k2', '-1', p],
      ['RESTORE', 'k2', 'x', p],
      ['RESTORE', 'k2', '0', badCrc],
      ['RESTORE', 'k2', '0', v11],
      ['RESTORE', 'k2', '0', 'short'],
      ['RESTORE', 'k2', '0', p, 'IDLETIME', '-1'],
      ['RESTORE', 'k2', '0', p, 'IDLETIME', '10', 'FREQ', '3'],
      ['RESTORE', 'k2', '0', p, 'FREQ', '256'],
      ['RESTORE', 'k2', '0', p, 'FREQ', '3', 'IDLETIME', '1'],
      ['RESTORE', 'k2', '0', p, 'FREQ'],
      ['RESTORE', 'k2', '0', p, 'BOGUS'],
      ['RESTORE', 'k2', '0', p, 'IDLETIME', '100'],
      ['RESTORE', 'k3', '0', p, 'FREQ', '100'],
      ['RESTORE', 'k4', '100000', p],
      { cmd: ['PTTL', 'k4'], approx: true, ignore: true },
      ['TTL', 'k4'],
      ['RESTORE', 'k5', '1', p, 'ABSTTL'],
      ['EXISTS', 'k5'],
      ['RESTORE', 'k', '1', p, 'ABSTTL', 'REPLACE'],
      ['EXISTS', 'k'],
      ['RESTORE', 'k6', '99999999999000', p, 'ABSTTL'],
      ['EXPIRETIME', 'k6'],
      ['DUMP', 'nokey'],
      ['RESTORE', 'k7', '0', `\x00\x01a\xff${p.slice(-10)}`],
      ['RESTORE', 'k7', '0', '\x02\x00\x0a\x00\x9e\x26\x53\x5d\xcd\x66\x92\x5d'],
      ['EXISTS', 'k7'],
      ['RESTORE-ASKING', 'k8', '0', p],
      ['GET', 'k8'],
    ]);
  });

  it('answers MIGRATE argument errors and NOKEY exactly like redis-server', async () => {
    const h = '127.0.0.1';
    const port = String(redis.port);
    await expectSameReplies(ours, redis, [
      ['SET', 'present', 'v'],
      ['MIGRATE', h, port, 'missing', '0', '1000'],
      ['MIGRATE', h, port, '', '0', '1000', 'KEYS', 'missing1', 'missing2'],
      ['MIGRATE', h, port, 'present', '0', '1000', 'AUTH'],
      ['MIGRATE', h, port, 'present', '0', '1000', 'AUTH2', 'user'],
      ['MIGRATE', h, port, 'present', '0', '1000', 'BOGUS'],
      ['MIGRATE', h, port, 'present', '0', '1000', 'KEYS', 'present'],
      ['MIGRATE', h, port, 'missing', 'x', '1000'],
      ['MIGRATE', h, port, 'missing', '0', 'x'],
      ['MIGRATE', h, port, 'missing', '0', '1000', 'COPY', 'REPLACE', 'AUTH', 'pw', 'KEYS'],
      ['MIGRATE', h, port],
      ['DUMP'],
      ['RESTORE', 'k', '0'],
    ]);
  });

  it('MIGRATE moves keys from our node to redis-server: single key, KEYS, COPY, REPLACE, TTL', async () => {
    await a.flushall();
    await b.flushall();
    await a.set('m1', 'one');
    await a.set('m2', 'x'.repeat(1000), 'PX', 50_000);
    expect(await a.call('MIGRATE', redis.host, String(redis.port), 'm1', '0', '5000')).toBe('OK');
    expect(await a.exists('m1')).toBe(0);
    expect(await b.get('m1')).toBe('one');
    expect(await a.call('MIGRATE', redis.host, String(redis.port), 'nokey', '0', '5000')).toBe('NOKEY');
    await a.set('m1', 'again');
    await expect(a.call('MIGRATE', redis.host, String(redis.port), 'm1', '0', '5000')).rejects.toThrow('ERR Target instance replied with error: BUSYKEY Target key name already exists.');
    expect(await a.get('m1')).toBe('again');
    expect(await a.call('MIGRATE', redis.host, String(redis.port), 'm1', '0', '5000', 'COPY', 'REPLACE')).toBe('OK');
    expect(await a.get('m1')).toBe('again');
    expect(await b.get('m1')).toBe('again');
    await a.set('m3', '3');
    expect(await a.call('MIGRATE', redis.host, String(redis.port), '', '0', '5000', 'REPLACE', 'KEYS', 'm1', 'm2', 'm3', 'missing')).toBe('OK');
    expect(await a.exists('m1', 'm2', 'm3')).toBe(0);
    expect(await b.mget('m1', 'm3')).toEqual(['again', '3']);
    const ttl = await b.pttl('m2');
    expect(ttl).toBeGreaterThan(40_000);
    expect(ttl).toBeLessThanOrEqual(50_000);
    await expect(a.call('MIGRATE', redis.host, String(redis.port), 'm1', '0', '5000', 'KEYS', 'm1')).rejects.toThrow(
      'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string',
    );
    await expect(a.call('MIGRATE', redis.host, String(redis.port), 'm1', '0', '5000', 'BOGUS')).rejects.toThrow('ERR syntax error');
    // A different db on the target: SELECT goes first on the cached connection.
    await a.set('m4', 'db1');
    expect(await a.call('MIGRATE', redis.host, String(redis.port), 'm4', '1', '5000')).toBe('OK');
    const b1 = new Redis({ port: redis.port, host: redis.host, db: 1 });
    expect(await b1.get('m4')).toBe('db1');
    b1.disconnect();
  });

  it('concurrent MIGRATEs from many clients share the cached link without mixing replies', async () => {
    await a.flushall();
    await b.flushall();
    const clients = Array.from({ length: 8 }, () => new Redis({ port: ours.port, host: ours.host }));
    for (let i = 0; i < 40; i++) await a.set(`cc${i}`, `v${i}`.repeat(i));
    await b.set('cc5', 'taken');
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => clients[i % 8]!.call('MIGRATE', redis.host, String(redis.port), `cc${i}`, '0', '5000').catch((e: Error) => e.message)),
    );
    for (const c of clients) c.disconnect();
    for (let i = 0; i < 40; i++) {
      if (i === 5) expect(replies[i]).toBe('ERR Target instance replied with error: BUSYKEY Target key name already exists.');
      else expect(replies[i], `cc${i}`).toBe('OK');
    }
    expect(await a.exists(...Array.from({ length: 40 }, (_, i) => `cc${i}`))).toBe(1);
    expect(await b.get('cc39')).toBe('v39'.repeat(39));
  });

  it('MIGRATE moves keys from redis-server to our node', async () => {
    await a.flushall();
    await b.flushall();
    await b.set('r1', 'from redis');
    await b.set('r2', 'y'.repeat(5000), 'EX', 100);
    await b.set('r3', '42');
    expect(await b.call('MIGRATE', ours.host, String(ours.port), 'r1', '0', '5000')).toBe('OK');
    expect(await a.get('r1')).toBe('from redis');
    expect(await b.call('MIGRATE', ours.host, String(ours.port), '', '0', '5000', 'KEYS', 'r2', 'r3')).toBe('OK');
    expect(await a.mget('r2', 'r3')).toEqual(['y'.repeat(5000), '42']);
    expect(await a.ttl('r2')).toBeGreaterThan(90);
    await b.set('r3', 'new');
    await expect(b.call('MIGRATE', ours.host, String(ours.port), 'r3', '0', '5000')).rejects.toThrow('ERR Target instance replied with error: BUSYKEY Target key name already exists.');
    expect(await b.call('MIGRATE', ours.host, String(ours.port), 'r3', '0', '5000', 'REPLACE')).toBe('OK');
    expect(await a.get('r3')).toBe('new');
  });

  it('MIGRATE with AUTH and AUTH2, and wrong passwords reported like redis-server', async () => {
    await a.flushall();
    await b.flushall();
    // Drop the cached MIGRATE links (an authenticated link stays authenticated).
    await b.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await b.config('SET', 'requirepass', 'sekret');
    try {
      await a.set('p1', 'v');
      await expect(a.call('MIGRATE', redis.host, String(redis.port), 'p1', '0', '5000')).rejects.toThrow('ERR Target instance replied with error: NOAUTH Authentication required.');
      await expect(a.call('MIGRATE', redis.host, String(redis.port), 'p1', '0', '5000', 'AUTH', 'wrong')).rejects.toThrow(/^ERR Target instance replied with error: WRONGPASS/);
      expect(await a.exists('p1')).toBe(1);
      expect(await a.call('MIGRATE', redis.host, String(redis.port), 'p1', '0', '5000', 'AUTH', 'sekret')).toBe('OK');
      await a.set('p2', 'v2');
      expect(await a.call('MIGRATE', redis.host, String(redis.port), 'p2', '0', '5000', 'AUTH2', 'default', 'sekret')).toBe('OK');
      const b2 = new Redis({ port: redis.port, host: redis.host, password: 'sekret' });
      expect(await b2.mget('p1', 'p2')).toEqual(['v', 'v2']);
      b2.disconnect();
    } finally {
      const b2 = new Redis({ port: redis.port, host: redis.host, password: 'sekret' });
      await b2.config('SET', 'requirepass', '');
      b2.disconnect();
    }
  });

  it('RESTORE of corrupted payloads answers only its errors, writes nothing, and the node stays up', async () => {
    await b.flushall();
    await b.set('str', 'x'.repeat(50));
    await b.hset('h', ...Array.from({ length: 40 }, (_, i) => `f${i}`));
    await b.zadd('z', 1, 'a', 2, 'b');
    await b.sadd('s', 'x', '1');
    const payloads = [await b.dumpBuffer('h'), await b.dumpBuffer('z'), await b.dumpBuffer('s'), await b.dumpBuffer('str')].map((p) => p!);
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const p = a.pipeline();
    const keys: string[] = [];
    for (let i = 0; i < 300; i++) {
      const src = payloads[i % payloads.length]!;
      const bad = Buffer.from(i % 3 === 0 ? src.subarray(0, rnd(src.length)) : src);
      if (i % 3 !== 0) for (let f = 0; f <= rnd(3); f++) bad[rnd(bad.length)] ^= 1 + rnd(255);
      keys.push(`fz${i}`);
      p.restore(`fz${i}`, 0, bad);
    }
    const res = await p.exec();
    for (const [i, [err]] of res!.entries()) {
      if (err) {
        expect(['ERR Bad data format', 'ERR DUMP payload version or checksum are wrong']).toContain(err.message);
        expect(await a.exists(keys[i]!)).toBe(0);
      }
    }
    expect(await a.ping()).toBe('PONG');
  });

  it('a list arriving by RESTORE or MIGRATE wakes clients blocked on it', async () => {
    await b.rpush('lq', 'first', 'second');
    const waiter = new Redis({ port: ours.port, host: ours.host });
    const popped = waiter.blpop('lq', 5);
    await new Promise((r) => setTimeout(r, 50));
    expect(await b.call('MIGRATE', ours.host, String(ours.port), 'lq', '0', '5000')).toBe('OK');
    expect(await popped).toEqual(['lq', 'first']);
    const again = waiter.blpop('lq2', 5);
    await new Promise((r) => setTimeout(r, 50));
    await a.restore('lq2', 0, (await a.dumpBuffer('lq'))!);
    expect(await again).toEqual(['lq2', 'second']);
    waiter.disconnect();
  });

  it('inside MULTI/EXEC: RESTORE runs, MIGRATE is refused (it cannot wait there)', async () => {
    await b.set('tx-src', 'v'.repeat(300_000));
    const p = (await b.dumpBuffer('tx-src'))!;
    await a.set('tx-m', '1');
    const res = await a.multi().restore('tx-r', 0, p).call('MIGRATE', redis.host, String(redis.port), 'tx-m', '0', '1000').exec();
    expect(res![0]).toEqual([null, 'OK']);
    expect((res![1]![0] as Error).message).toBe('ERR MIGRATE cannot run inside MULTI/EXEC on this node');
    expect(await a.strlen('tx-r')).toBe(300_000);
    expect(await a.get('tx-m')).toBe('1');
  });

  it('redis-server MIGRATEs into our node with AUTH', async () => {
    await b.set('pa', 'to-ours');
    // Drop redis-server's cached link to us (an authenticated link stays authenticated).
    await a.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await a.config('SET', 'requirepass', 'pw');
    try {
      await expect(b.call('MIGRATE', ours.host, String(ours.port), 'pa', '0', '5000')).rejects.toThrow('ERR Target instance replied with error: NOAUTH Authentication required.');
      expect(await b.call('MIGRATE', ours.host, String(ours.port), 'pa', '0', '5000', 'AUTH', 'pw')).toBe('OK');
      expect(await a.get('pa')).toBe('to-ours');
    } finally {
      await a.config('SET', 'requirepass', '');
    }
  });

  it('MIGRATE to an unreachable target answers IOERR and keeps the key', async () => {
    const dead = await freePort();
    await a.set('u1', 'stay');
    await b.set('u1', 'stay');
    const ourErr = await a.call('MIGRATE', '127.0.0.1', String(dead), 'u1', '0', '500').catch((e: Error) => e.message);
    const theirErr = await b.call('MIGRATE', '127.0.0.1', String(dead), 'u1', '0', '500').catch((e: Error) => e.message);
    expect(ourErr).toBe('IOERR error or timeout writing to target instance');
    expect(ourErr).toBe(theirErr);
    expect(await a.get('u1')).toBe('stay');
    // A target that accepts and never answers: the read times out, the key stays.
    const mute = net.createServer(() => {});
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    const mutePort = String((mute.address() as net.AddressInfo).port);
    const ourTimeout = await a.call('MIGRATE', '127.0.0.1', mutePort, 'u1', '0', '200').catch((e: Error) => e.message);
    const theirTimeout = await b.call('MIGRATE', '127.0.0.1', mutePort, 'u1', '0', '200').catch((e: Error) => e.message);
    mute.close();
    expect(ourTimeout).toBe('IOERR error or timeout reading to target instance');
    expect(ourTimeout).toBe(theirTimeout);
    expect(await a.get('u1')).toBe('stay');
    const badPort = await a.call('MIGRATE', '127.0.0.1', 'x', 'u1', '0', '500').catch((e: Error) => e.message);
    expect(badPort).toBe(await b.call('MIGRATE', '127.0.0.1', 'x', 'u1', '0', '500').catch((e: Error) => e.message));
  });
});

// Values built on redis-server in each of its encodings (small = listpack/intset, big = hashtable,
// skiplist, many quicklist nodes), checked element by element after crossing in each direction.
type Fill = (c: Redis, key: string) => Promise<unknown>;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
export const TYPE_CASES: { name: string; type: 'hash' | 'set' | 'zset' | 'list'; fill: Fill }[] = [
  { name: 'hash listpack', type: 'hash', fill: (c, k) => c.hset(k, 'f1', 'v1', 'n', '12', 'neg', '-5000', 'big', '9223372036854775807', 'e', '') },
  { name: 'hash hashtable (count)', type: 'hash', fill: (c, k) => c.hset(k, ...range(600).flatMap((i) => [`f${i}`, i % 2 ? String(i) : `v${i}`])) },
  { name: 'hash hashtable (long value)', type: 'hash', fill: (c, k) => c.hset(k, 'f', 'x'.repeat(65), 'g', '1') },
  { name: 'set intset', type: 'set', fill: (c, k) => c.sadd(k, '3', '-1', '70000', '-9223372036854775808', '9223372036854775807') },
  { name: 'set hashtable (strings)', type: 'set', fill: (c, k) => c.sadd(k, 'a', 'b', '1', 'y'.repeat(100)) },
  { name: 'set hashtable (many ints)', type: 'set', fill: (c, k) => c.sadd(k, ...range(600).map(String)) },
  { name: 'list one node', type: 'list', fill: (c, k) => c.rpush(k, 'a', '1', '-70000', '9223372036854775807', '', 'x'.repeat(70)) },
  { name: 'list many nodes', type: 'list', fill: (c, k) => c.rpush(k, ...range(3000).map((i) => (i % 3 ? `element-${i}` : String(i)))) },
  { name: 'list big elements', type: 'list', fill: (c, k) => c.rpush(k, 'y'.repeat(10_000), 'z'.repeat(20_000), 'small') },
  { name: 'zset listpack', type: 'zset', fill: (c, k) => c.zadd(k, 1, 'a', 2.5, 'b', -0.1, 'c', 1e300, 'd', '-inf', 'e', 'inf', 'f', 12345678901, 'g') },
  { name: 'zset skiplist (count)', type: 'zset', fill: (c, k) => c.zadd(k, ...range(200).flatMap((i) => [String(i / 7), `m${i}`])) },
  { name: 'zset skiplist (long member)', type: 'zset', fill: (c, k) => c.zadd(k, 1, 'z'.repeat(65), 2, 'short') },
];

async function contentOf(c: Redis, key: string, type: string): Promise<unknown> {
  switch (type) {
    case 'hash':
      return Object.entries(await c.hgetall(key)).sort();
    case 'set':
      return (await c.smembers(key)).sort();
    case 'zset':
      return c.zrange(key, 0, '-1', 'WITHSCORES');
    default:
      return c.lrange(key, 0, -1);
  }
}

describe('every supported type and encoding crosses between redis-server and our node', () => {
  const { ours, redis } = useServerPair();
  let a: Redis;
  let b: Redis;
  useIoredisPair({ ours, redis }, (x, y) => ([a, b] = [x, y]));

  for (const tc of TYPE_CASES) {
    it(tc.name, async () => {
      await a.del('k');
      await b.del('src', 'back', 'k');
      await tc.fill(b, 'src');
      const want = await contentOf(b, 'src', tc.type);
      const enc = await b.object('ENCODING', 'src');
      // redis-server -> ours, via RESTORE
      await a.restore('k', 0, (await b.dumpBuffer('src'))!, 'REPLACE');
      expect(await a.type('k')).toBe(tc.type);
      expect(await contentOf(a, 'k', tc.type)).toEqual(want);
      // ours -> redis-server, via RESTORE: same content and the same encoding redis chose
      await b.restore('back', 0, (await a.dumpBuffer('k'))!, 'REPLACE');
      expect(await contentOf(b, 'back', tc.type)).toEqual(want);
      expect(await b.object('ENCODING', 'back')).toBe(enc);
      // and both ways with MIGRATE
      expect(await a.call('MIGRATE', redis.host, String(redis.port), 'k', '0', '5000', 'REPLACE')).toBe('OK');
      expect(await a.exists('k')).toBe(0);
      expect(await contentOf(b, 'k', tc.type)).toEqual(want);
      expect(await b.call('MIGRATE', ours.host, String(ours.port), 'k', '0', '5000')).toBe('OK');
      expect(await contentOf(a, 'k', tc.type)).toEqual(want);
      await a.del('k');
      await b.del('src', 'back');
    });
  }
});
