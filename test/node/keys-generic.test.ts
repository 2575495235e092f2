import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { expectSameReplies, useServerPair, type Step } from '../helpers/differential.js';
import { expectSameConnReplies, type ConnStep } from '../helpers/differential-conns.js';

describe('generic key commands behave like redis-server 7.0', () => {
  const { ours, redis } = useServerPair();

  const script: Step[] = [
    ['RENAME', 'a', 'b'],
    ['RENAMENX', 'a', 'b'],
    ['SET', 'a', '1'],
    ['RENAME', 'a', 'a'],
    ['RENAMENX', 'a', 'a'],
    ['EXPIRE', 'a', '100'],
    ['RENAME', 'a', 'b'],
    ['TTL', 'b'],
    ['EXISTS', 'a'],
    ['SET', 'c', 'x', 'EX', '50'],
    ['RENAME', 'b', 'c'],
    ['TTL', 'c'],
    ['SET', 'd', 'y'],
    ['RENAMENX', 'c', 'd'],
    ['RENAMENX', 'c', 'e'],
    ['GET', 'e'],
    ['RENAME', 'e'],
    // COPY
    ['COPY', 'e', 'e'],
    ['COPY', 'e', 'f'],
    ['TTL', 'f'],
    ['COPY', 'e', 'd'],
    ['COPY', 'e', 'd', 'REPLACE'],
    ['GET', 'd'],
    ['COPY', 'nokey', 'g'],
    ['COPY', 'e', 'e', 'DB', '1'],
    ['COPY', 'e', 'e', 'DB', '1'],
    ['COPY', 'e', 'e', 'DB', '99'],
    ['COPY', 'e', 'e', 'DB', 'x'],
    ['COPY', 'e', 'e', 'DB'],
    ['COPY', 'e', 'h', 'FOO'],
    ['COPY', 'e', 'h', 'REPLACE', 'DB', '1', 'extra'],
    // MOVE
    ['SELECT', '1'],
    ['GET', 'e'],
    ['TTL', 'e'],
    ['SELECT', '0'],
    ['MOVE', 'e', '1'],
    ['MOVE', 'd', '1'],
    ['MOVE', 'd', '0'],
    ['MOVE', 'd', 'x'],
    ['MOVE', 'd', '99'],
    ['MOVE', 'd', '-1'],
    ['MOVE', 'nokey', '1'],
    ['EXISTS', 'd'],
    ['SELECT', '1'],
    ['GET', 'd'],
    // SWAPDB
    ['SWAPDB', '0', '1'],
    ['GET', 'd'],
    ['SELECT', '0'],
    ['GET', 'd'],
    ['DBSIZE'],
    ['SWAPDB', '0', 'x'],
    ['SWAPDB', 'x', '0'],
    ['SWAPDB', '0', '99'],
    ['SWAPDB', '-1', '0'],
    ['SWAPDB', '0', '0'],
    // TOUCH
    ['TOUCH', 'd', 'nokey', 'd'],
    ['TOUCH'],
    // OBJECT
    ['SET', 'i', '123'],
    ['SET', 'big', '9223372036854775807'],
    ['SET', 'huge', '12345678901234567890'],
    ['SET', 'negz', '-0'],
    ['SET', 'lead', '01'],
    ['SET', 'emb', '12345678901234567890123456789012345678901234'],
    ['SET', 'raw', '123456789012345678901234567890123456789012345'],
    ['OBJECT', 'ENCODING', 'i'],
    ['OBJECT', 'ENCODING', 'big'],
    ['OBJECT', 'ENCODING', 'huge'],
    ['OBJECT', 'ENCODING', 'negz'],
    ['OBJECT', 'ENCODING', 'lead'],
    ['OBJECT', 'ENCODING', 'emb'],
    ['OBJECT', 'ENCODING', 'raw'],
    ['OBJECT', 'ENCODING', 'nokey'],
    ['OBJECT', 'REFCOUNT', 'i'],
    ['OBJECT', 'REFCOUNT', 'big'],
    ['OBJECT', 'REFCOUNT', 'nokey'],
    ['OBJECT', 'IDLETIME', 'nokey'],
    ['OBJECT', 'FREQ', 'i'],
    ['OBJECT', 'HELP'],
    ['OBJECT', 'HELP', 'x'],
    ['OBJECT', 'ENCODING'],
    ['OBJECT', 'REFCOUNT', 'a', 'b'],
    ['OBJECT', 'NOPE', 'i'],
    ['OBJECT'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
    ['OBJECT', 'FREQ', 'i'],
    ['OBJECT', 'IDLETIME', 'i'],
    ['SET', 'lfu', 'new'],
    ['OBJECT', 'FREQ', 'lfu'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    // EXPIRE family edges
    ['EXPIRE', 'i', '10', 'XX', 'NX'],
    ['EXPIRE', 'i', '10', 'GT', 'LT'],
    ['EXPIRE', 'i', '10', 'FOO'],
    ['EXPIRE', 'i', '9223372036854775807'],
    ['PEXPIRE', 'i', '9223372036854775807'],
    ['EXPIREAT', 'i', '9223372036854775807'],
    ['EXPIRE', 'i', '-9223372036854775808'],
    ['PEXPIRE', 'i', '9223372036854770000'],
    ['EXPIRE', 'i', 'abc'],
    ['EXPIRE', 'i', '100', 'XX'],
    ['EXPIRE', 'i', '100', 'GT'],
    ['EXPIRE', 'i', '100', 'LT'],
    ['TTL', 'i'],
    ['EXPIRE', 'i', '200', 'LT'],
    ['EXPIRE', 'i', '200', 'GT'],
    ['TTL', 'i'],
    ['EXPIRE', 'i', '100', 'XX'],
    ['PEXPIRE', 'i', '1800'],
    ['TTL', 'i'],
    ['PEXPIRE', 'i', '1200'],
    ['TTL', 'i'],
    ['EXPIREAT', 'i', '1'],
    ['EXISTS', 'i'],
    ['PEXPIREAT', 'big', '-1'],
    ['EXISTS', 'big'],
    ['EXPIRE', 'huge', '0'],
    ['EXISTS', 'huge'],
    ['EXPIRE', 'nokey', '10'],
    ['EXPIRETIME', 'nokey'],
    ['PEXPIRETIME', 'emb'],
    ['PERSIST', 'emb'],
    ['PERSIST', 'nokey'],
    // KEYS, SCAN argument errors, RANDOMKEY
    { cmd: ['KEYS', '*'], unordered: true },
    { cmd: ['KEYS', 'e*'], unordered: true },
    { cmd: ['KEYS', '[a-h]'], unordered: true },
    { cmd: ['KEYS', '*[^a]*'], unordered: true },
    { cmd: ['KEYS', 'r?w'], unordered: true },
    ['KEYS', 'nomatch*'],
    ['SCAN', '0', 'COUNT', '0'],
    ['SCAN', '0', 'COUNT', 'x'],
    ['SCAN', '0', 'COUNT', '-1'],
    ['SCAN', 'x'],
    ['SCAN', '18446744073709551616'],
    ['SCAN', '0', 'MATCH'],
    ['SCAN', '0', 'TYPE', 'foo'],
    ['SCAN', '0', 'FOO', 'bar'],
    ['FLUSHDB'],
    ['RANDOMKEY'],
    ['SET', 'only', '1'],
    ['RANDOMKEY'],
    ['SCAN', '0'],
  ];

  it('RESP2', async () => {
    await expectSameReplies(ours, redis, script);
  });
  it('RESP3', async () => {
    await expectSameReplies(ours, redis, script, 3);
  });

  it('SCAN visits every key once with MATCH, TYPE and COUNT', async () => {
    const c = new Redis({ port: ours.port, host: ours.host });
    await c.flushall();
    const p = c.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`key:${i}`, String(i));
    for (let i = 0; i < 50; i++) p.set(`other:${i}`, 'x');
    await p.exec();
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', 'key:*', 'COUNT', 37);
      for (const k of keys) {
        expect(seen.has(k)).toBe(false);
        seen.add(k);
      }
      cursor = next;
    } while (cursor !== '0');
    expect(seen.size).toBe(1000);
    const [, strings] = await c.scan('0', 'COUNT', 100000, 'TYPE', 'string');
    expect(strings.length).toBe(1050);
    const [, none] = await c.scan('0', 'COUNT', 100000, 'TYPE', 'list');
    expect(none).toEqual([]);
    expect((await c.keys('other:*')).length).toBe(50);
    c.disconnect();
  });

  it('OBJECT IDLETIME grows while a key is unused and resets on access', async () => {
    const steps: ConnStep[] = [
      { c: 0, cmd: ['SET', 'k', 'v'] },
      { sleep: 2100 },
      { c: 0, cmd: ['OBJECT', 'IDLETIME', 'k'], match: /^:[23]\r\n$/ },
      { c: 0, cmd: ['TYPE', 'k'] },
      { c: 0, cmd: ['OBJECT', 'IDLETIME', 'k'], match: /^:[23]\r\n$/ },
      { c: 0, cmd: ['GET', 'k'] },
      { c: 0, cmd: ['OBJECT', 'IDLETIME', 'k'], match: /^:[01]\r\n$/ },
      { c: 0, cmd: ['SET', 'k2', 'v'] },
      { sleep: 1100 },
      { c: 0, cmd: ['TOUCH', 'k2'] },
      { c: 0, cmd: ['OBJECT', 'IDLETIME', 'k2'], match: /^:[01]\r\n$/ },
    ];
    await expectSameConnReplies(ours, redis, 1, steps);
  });
});
