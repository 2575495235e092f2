import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectSameReplies, useServerPair, type Step } from '../helpers/differential.js';
import { encodingsOf } from '../helpers/encodings.js';

describe('hashes behave like redis-server 7.0', () => {
  const { ours, redis } = useServerPair();

  // Small hashes are listpacks in Redis: insertion ordered, so every reply compares exactly.
  const listpack: Step[] = [
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['HSET', 'h', 'a', '10', 'd', '4'],
    ['HGETALL', 'h'],
    ['HKEYS', 'h'],
    ['HVALS', 'h'],
    ['HMSET', 'h', 'e', '5'],
    ['HSETNX', 'h', 'a', 'x'],
    ['HSETNX', 'h', 'f', '6'],
    ['HGET', 'h', 'a'],
    ['HGET', 'h', 'nope'],
    ['HGET', 'missing', 'a'],
    ['HMGET', 'h', 'a', 'nope', 'f'],
    ['HMGET', 'missing', 'a', 'b'],
    ['HLEN', 'h'],
    ['HLEN', 'missing'],
    ['HSTRLEN', 'h', 'a'],
    ['HSTRLEN', 'h', 'nope'],
    ['HSTRLEN', 'missing', 'a'],
    ['HEXISTS', 'h', 'a'],
    ['HEXISTS', 'h', 'nope'],
    ['HEXISTS', 'missing', 'a'],
    ['HDEL', 'h', 'a', 'nope', 'a'],
    ['HDEL', 'missing', 'a'],
    ['HGETALL', 'h'],
    ['HGETALL', 'missing'],
    ['HKEYS', 'missing'],
    ['HVALS', 'missing'],
    ['HSCAN', 'h', '0'],
    ['HSCAN', 'h', '12345', 'COUNT', '1'],
    ['HSCAN', 'h', '0', 'MATCH', '[bc]*'],
    ['HSCAN', 'h', '0', 'MATCH', '*'],
    ['HSCAN', 'missing', '0'],
    ['HSCAN', 'missing', '0', 'COUNT', '0'],
    ['HSCAN', 'h', '0', 'COUNT', '0'],
    ['HSCAN', 'h', '0', 'COUNT', '-1'],
    ['HSCAN', 'h', '0', 'COUNT', 'x'],
    ['HSCAN', 'h', '0', 'TYPE', 'hash'],
    ['HSCAN', 'h', '0', 'MATCH'],
    ['HSCAN', 'h', 'abc'],
    ['HSCAN', 'h', ' 1'],
    ['HSCAN', 'h', ''],
    ['HSCAN', 'h', '-1'],
    ['HSCAN', 'h', '+7'],
    ['HSCAN', 'h', '18446744073709551616'],
    ['HRANDFIELD', 'h', '100'],
    ['HRANDFIELD', 'h', '100', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '0'],
    ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
    ['HRANDFIELD', 'missing'],
    ['HRANDFIELD', 'missing', '5'],
    ['HRANDFIELD', 'missing', '-5', 'WITHVALUES'],
    ['HRANDFIELD', 'h', 'x'],
    ['HRANDFIELD', 'h', '1', 'VALUES'],
    ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'],
    ['HRANDFIELD', 'h', '-9223372036854775808'],
    ['HRANDFIELD', 'h', '9223372036854775808'],
    ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES'],
    { cmd: ['HRANDFIELD', 'h'], ignore: true },
    { cmd: ['HRANDFIELD', 'h', '-3', 'WITHVALUES'], ignore: true },
  ];

  const counters: Step[] = [
    ['HINCRBY', 'c', 'n', '5'],
    ['HINCRBY', 'c', 'n', '-7'],
    ['HINCRBY', 'c', 'n', 'x'],
    ['HINCRBY', 'c', 'n', '-0'],
    ['HINCRBY', 'c', 'n', '+1'],
    ['HINCRBY', 'c', 'n', '1.5'],
    ['HINCRBY', 'c', 'n', '9223372036854775808'],
    ['HINCRBY', 'c', 'big', '9223372036854775807'],
    ['HINCRBY', 'c', 'big', '1'],
    ['HINCRBY', 'c', 'small', '-9223372036854775808'],
    ['HINCRBY', 'c', 'small', '-1'],
    ['HSET', 'c', 's', 'abc', 'sp', ' 1', 'z', '007', 'neg0', '-0'],
    ['HINCRBY', 'c', 's', '1'],
    ['HINCRBY', 'c', 'sp', '1'],
    ['HINCRBY', 'c', 'z', '1'],
    ['HINCRBY', 'c', 'neg0', '1'],
    ['HINCRBYFLOAT', 'c', 'f', '1.5'],
    ['HINCRBYFLOAT', 'c', 'f', '2.25'],
    ['HINCRBYFLOAT', 'c', 'f', '-3.75'],
    ['HINCRBYFLOAT', 'c', 'f', '1e3'],
    ['HINCRBYFLOAT', 'c', 'f', '5.0e-1'],
    ['HINCRBYFLOAT', 'c', 'f', 'x'],
    ['HINCRBYFLOAT', 'c', 'f', 'inf'],
    ['HINCRBYFLOAT', 'c', 'f', '-inf'],
    ['HINCRBYFLOAT', 'c', 'f', 'nan'],
    ['HINCRBYFLOAT', 'c', 'f', ''],
    ['HINCRBYFLOAT', 'c', 's', '1'],
    ['HINCRBYFLOAT', 'c', 'n', '0.5'],
    ['HINCRBYFLOAT', 'c', 'z', '1'],
    ['HSET', 'c', 'inf', 'inf', 'huge', '1.7e308'],
    ['HINCRBYFLOAT', 'c', 'inf', '1'],
    ['HINCRBYFLOAT', 'c', 'huge', '1'],
    ['HINCRBYFLOAT', 'newkey', 'f', '2.5'],
    { cmd: ['HGETALL', 'c'], unordered: true },
    ['HGETALL', 'newkey'],
  ];

  // Float increments against the real long double arithmetic, on generated decimal strings.
  const decimal = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
    fc.integer().map(String),
    fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,25}$/), fc.stringMatching(/^[0-9]{0,25}$/), fc.integer({ min: -40, max: 40 }))
      .map(([neg, i, f, e]) => `${neg ? '-' : ''}${i}${f ? '.' + f : ''}${e !== 0 ? 'e' + e : ''}`),
  );
  const floats: Step[] = fc
    .sample(fc.tuple(fc.constantFrom('f1', 'f2', 'f3'), decimal), { numRuns: 300, seed: 7 })
    .map(([f, v]) => ['HINCRBYFLOAT', 'fl', f, v]);

  const errors: Step[] = [
    ['SET', 's', 'x'],
    ['HSET', 's', 'a', '1'],
    ['HMSET', 's', 'a', '1'],
    ['HSETNX', 's', 'a', '1'],
    ['HGET', 's', 'a'],
    ['HMGET', 's', 'a'],
    ['HDEL', 's', 'a'],
    ['HLEN', 's'],
    ['HSTRLEN', 's', 'a'],
    ['HEXISTS', 's', 'a'],
    ['HINCRBY', 's', 'a', '1'],
    ['HINCRBY', 's', 'a', 'x'],
    ['HINCRBYFLOAT', 's', 'a', '1'],
    ['HKEYS', 's'],
    ['HVALS', 's'],
    ['HGETALL', 's'],
    ['HRANDFIELD', 's'],
    ['HRANDFIELD', 's', '2'],
    ['HRANDFIELD', 's', 'x'],
    ['HSCAN', 's', '0'],
    ['HSCAN', 's', 'x'],
    ['HSCAN', 's', '0', 'COUNT', 'x'],
    ['SADD', 'set', 'm'],
    ['HGET', 'set', 'a'],
    ['HSET', 'h'],
    ['HSET', 'h', 'a'],
    ['HSET', 'h', 'a', '1', 'b'],
    ['HMSET', 'h', 'a', '1', 'b'],
    ['HSETNX', 'h', 'a'],
    ['HGET', 'h'],
    ['HMGET', 'h'],
    ['HDEL', 'h'],
    ['HLEN'],
    ['HSTRLEN', 'h'],
    ['HINCRBY', 'h', 'a'],
    ['HINCRBYFLOAT', 'h', 'a'],
    ['HKEYS'],
    ['HVALS', 'h', 'x'],
    ['HGETALL'],
    ['HEXISTS', 'h'],
    ['HRANDFIELD'],
    ['HSCAN', 'h'],
    ['EXISTS', 'h'],
    ['HSET', 'h', 'a', '1'],
    ['HDEL', 'h', 'a'],
    ['EXISTS', 'h'],
    ['TYPE', 'h'],
  ];

  // Hashtable-encoded hashes (thresholds lowered): element order is unspecified by Redis.
  const hashtable: Step[] = [
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '4'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '8'],
    ['HSET', 'big', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6'],
    { cmd: ['HGETALL', 'big'], unordered: true },
    { cmd: ['HKEYS', 'big'], unordered: true },
    { cmd: ['HVALS', 'big'], unordered: true },
    ['HDEL', 'big', 'a', 'b', 'c', 'd'],
    { cmd: ['HGETALL', 'big'], unordered: true },
    ['HSET', 'long', 'f', '123456789'],
    ['HSET', 'long', 'g', '1'],
    { cmd: ['HGETALL', 'long'], unordered: true },
    { cmd: ['HRANDFIELD', 'big', '10'], unordered: true },
    ['HLEN', 'big'],
    ['HDEL', 'big', 'e', 'f'],
    ['EXISTS', 'big'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
  ];

  for (const [name, script] of Object.entries({ listpack, counters, floats, errors, hashtable })) {
    it(`${name}, RESP2`, async () => {
      await expectSameReplies(ours, redis, script);
    });
    it(`${name}, RESP3`, async () => {
      await expectSameReplies(ours, redis, script, 3);
    });
  }

  it('picks the same encodings as Redis (listpack until a threshold, then hashtable for good)', async () => {
    const steps: string[][] = [
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '4'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '8'],
      ['HSET', 'h1', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      ['?', 'h1'],
      ['HSET', 'h1', 'e', '5'],
      ['?', 'h1'],
      ['HDEL', 'h1', 'a', 'b', 'c', 'd'],
      ['?', 'h1'],
      ['HSET', 'h2', 'a', '123456789'],
      ['?', 'h2'],
      ['HSET', 'h3', '123456789', 'a'],
      ['?', 'h3'],
      ['HSET', 'h4', 'a', '1'],
      ['HINCRBYFLOAT', 'h4', 'a', '1.123456789'],
      ['?', 'h4'],
      ['HSET', 'h5', 'a', '1'],
      ['HSETNX', 'h5', 'a', '123456789012'],
      ['?', 'h5'],
      ['HSETNX', 'h5', 'b', '123456789012'],
      ['?', 'h5'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
    ];
    expect(await encodingsOf(ours, steps)).toEqual(await encodingsOf(redis, steps));
  });
});
