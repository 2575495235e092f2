import { afterAll, beforeAll, describe, it } from 'vitest';
import { startNode, startRedis, type ServerProcess } from '../helpers/processes.js';
import { expectSameReplies, type Step } from '../helpers/differential.js';

describe('strings and keys behave like redis-server 7.0', () => {
  let ours: ServerProcess;
  let redis: ServerProcess;
  beforeAll(async () => {
    [ours, redis] = await Promise.all([startNode(), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all([ours.stop(), redis.stop()]);
  });

  const strings: Step[] = [
    ['SET', 'a', '1'],
    ['GET', 'a'],
    ['GET', 'missing'],
    ['SET', 'a', '2', 'NX'],
    ['SET', 'a', '3', 'XX', 'GET'],
    ['SET', 'b', 'x', 'NX', 'GET'],
    ['SET', 'a', '1', 'EX', '0'],
    ['SET', 'a', '1', 'EX', 'abc'],
    ['SET', 'a', '1', 'EX', '10', 'PX', '100'],
    ['SET', 'a', '1', 'KEEPTTL', 'EX', '10'],
    ['SET', 'a', '1', 'NX', 'XX'],
    ['SET', 'a'],
    ['INCR', 'n'],
    ['INCRBY', 'n', '10'],
    ['DECRBY', 'n', '-5'],
    ['DECR', 'n'],
    ['INCRBY', 'n', '9223372036854775807'],
    ['INCR', 'a'],
    ['SET', 'big', '9223372036854775807'],
    ['INCR', 'big'],
    ['SET', 'f', '10.5'],
    ['INCRBYFLOAT', 'f', '0.1'],
    ['INCRBYFLOAT', 'f', '-5'],
    ['INCRBYFLOAT', 'f', 'abc'],
    ['INCRBYFLOAT', 'nf', '3.0e3'],
    ['SET', 'g', '0.1'],
    ['INCRBYFLOAT', 'g', '0.2'],
    ['INCRBYFLOAT', 'g', '1e308'],
    ['INCRBYFLOAT', 'g', '1e308'],
    ['INCRBYFLOAT', 'g', 'inf'],
    ['INCRBYFLOAT', 'g', '5.0e-10'],
    ['APPEND', 's', 'hello'],
    ['APPEND', 's', ' world'],
    ['STRLEN', 's'],
    ['GETRANGE', 's', '0', '4'],
    ['GETRANGE', 's', '-5', '-1'],
    ['GETRANGE', 's', '5', '2'],
    ['SETRANGE', 's', '6', 'WORLD'],
    ['SETRANGE', 'pad', '5', 'x'],
    ['GET', 'pad'],
    ['SETRANGE', 's', '-1', 'x'],
    ['GETDEL', 's'],
    ['GETDEL', 's'],
    ['GETSET', 'gs', 'v1'],
    ['GETSET', 'gs', 'v2'],
    ['MSET', 'm1', 'a', 'm2', 'b'],
    ['MSET', 'm1', 'a', 'm2'],
    ['MGET', 'm1', 'm2', 'nope'],
    ['MSETNX', 'm1', 'x', 'm3', 'y'],
    ['MSETNX', 'm4', 'x', 'm3', 'y'],
    ['SETNX', 'm1', 'z'],
    ['SETEX', 'se', '100', 'v'],
    ['TTL', 'se'],
    ['SETEX', 'se', '-1', 'v'],
    ['PSETEX', 'pse', '100000', 'v'],
    ['GETEX', 'se', 'PERSIST'],
    ['TTL', 'se'],
    ['GETEX', 'se', 'EX', '100', 'PX', '5'],
    ['EXISTS', 'm1', 'm2', 'nope', 'm1'],
    ['DEL', 'm1', 'm2', 'nope'],
    ['TYPE', 'm3'],
    ['TYPE', 'nope'],
    ['EXPIRE', 'm3', '100'],
    ['EXPIRE', 'm3', '200', 'NX'],
    ['EXPIRE', 'm3', '50', 'GT'],
    ['EXPIRE', 'm3', '50', 'LT'],
    ['TTL', 'm3'],
    ['EXPIRE', 'm3', '50', 'NX', 'XX'],
    ['PERSIST', 'm3'],
    ['TTL', 'm3'],
    ['PTTL', 'nope'],
    ['EXPIRETIME', 'm3'],
    ['EXPIRE', 'm3', '-1'],
    ['EXISTS', 'm3'],
    ['NOSUCHCOMMAND', 'x', 'y'],
    ['GET'],
    ['ECHO', 'hi'],
    ['PING', 'x'],
    ['DBSIZE'],
  ];

  it('strings and generic key commands, RESP2', async () => {
    await expectSameReplies(ours, redis, strings);
  });
  it('the same script in RESP3', async () => {
    await expectSameReplies(ours, redis, strings, 3);
  });

  it('OBJECT ENCODING of strings edited in place (APPEND, SETRANGE, INCRBYFLOAT) and moved', async () => {
    const enc = (k: string): Step => ['OBJECT', 'ENCODING', k];
    await expectSameReplies(ours, redis, [
      ['FLUSHALL'],
      // APPEND to a missing key stores the argument as SET would (int / embstr / raw by content).
      ['APPEND', 'e1', '123'],
      enc('e1'),
      ['APPEND', 'e2', 'abc'],
      enc('e2'),
      ['APPEND', 'e3', 'x'.repeat(50)],
      enc('e3'),
      // APPEND to an existing key leaves a raw string, short or numeric.
      ['SET', 'a1', '12'],
      ['APPEND', 'a1', '3'],
      enc('a1'),
      ['SET', 'a2', 'ab'],
      ['APPEND', 'a2', 'c'],
      enc('a2'),
      ['APPEND', 'a2', ''],
      enc('a2'),
      ['SET', 'a3', 'abc'],
      ['APPEND', 'a3', ''],
      enc('a3'),
      // SETRANGE always produces raw, except when it writes nothing.
      ['SETRANGE', 'r1', '0', '42'],
      enc('r1'),
      ['SETRANGE', 'r2', '0', ''],
      enc('r2'),
      ['SET', 'r3', '100'],
      ['SETRANGE', 'r3', '0', '2'],
      enc('r3'),
      ['SET', 'r4', '100'],
      ['SETRANGE', 'r4', '1', ''],
      enc('r4'),
      // Whatever stores a new value drops the raw form: INCR makes an int, SET re-encodes.
      ['INCR', 'a1'],
      enc('a1'),
      ['SET', 'a2', 'abc'],
      enc('a2'),
      ['GETSET', 'r1', '7'],
      enc('r1'),
      // INCRBYFLOAT stores text, never an int.
      ['INCRBYFLOAT', 'f1', '3'],
      enc('f1'),
      ['SET', 'f2', '1.5'],
      ['INCRBYFLOAT', 'f2', '1.5'],
      enc('f2'),
      ['INCR', 'f2'],
      enc('f2'),
      // RENAME, COPY and MOVE carry the value object, encoding included.
      ['SET', 'm1', '5'],
      ['APPEND', 'm1', '5'],
      ['RENAME', 'm1', 'm2'],
      enc('m2'),
      ['COPY', 'm2', 'm3'],
      enc('m3'),
      ['MOVE', 'm3', '1'],
      ['SELECT', '1'],
      enc('m3'),
      ['SELECT', '0'],
      ['DEL', 'm2'],
      ['SET', 'm2', '55'],
      enc('m2'),
    ]);
  });
});
