import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { expectSameConnReplies, type ConnStep } from '../helpers/differential-conns.js';
import { useServerPair } from '../helpers/differential.js';

const c0 = (...cmd: string[]): ConnStep => ({ c: 0, cmd });
const c1 = (...cmd: string[]): ConnStep => ({ c: 1, cmd });

describe('MULTI/EXEC/WATCH behave like redis-server 7.0', () => {
  const { ours, redis } = useServerPair();

  const queueing: ConnStep[] = [
    c0('EXEC'),
    c0('DISCARD'),
    c0('MULTI'),
    c0('MULTI'),
    c0('SET', 'a', '1'),
    c0('INCR', 'a'),
    c0('GET', 'a'),
    c0('WATCH', 'a'),
    c0('EXEC'),
    // A queue-time error aborts the whole transaction.
    c0('MULTI'),
    c0('SET', 'a', '5'),
    c0('SET', 'a'),
    c0('EXEC'),
    c0('GET', 'a'),
    c0('MULTI'),
    c0('NOSUCHCMD', 'x'),
    c0('EXEC'),
    c0('MULTI'),
    c0('SHUTDOWN'),
    c0('EXEC'),
    // Runtime errors are reported in place and do not stop the others.
    c0('SET', 's', 'text'),
    c0('MULTI'),
    c0('INCR', 's'),
    c0('SET', 's', 'other'),
    c0('EXPIRE', 's', 'x'),
    c0('GET', 's'),
    c0('EXEC'),
    // A refused EXEC reports why and discards the transaction.
    c0('MULTI'),
    c0('SET', 'z', '1'),
    c0('EXEC', 'extra'),
    c0('EXEC'),
    c0('GET', 'z'),
    c0('MULTI'),
    c0('SELECT', '1'),
    c0('SET', 'in1', 'x'),
    c0('EXEC'),
    c0('GET', 'in1'),
    c0('SELECT', '0'),
    c0('MULTI'),
    c0('DISCARD'),
    c0('DISCARD'),
    c0('MULTI'),
    c0('EXEC'),
    c0('UNWATCH'),
    c0('MULTI'),
    c0('PING'),
    c0('UNWATCH'),
    c0('EXEC'),
  ];

  const watching: ConnStep[] = [
    c0('SET', 'w', '1'),
    c0('WATCH', 'w'),
    c1('SET', 'w', '2'),
    c0('MULTI'),
    c0('SET', 'w', '3'),
    c0('EXEC'),
    c0('GET', 'w'),
    // Own writes between WATCH and MULTI count too.
    c0('WATCH', 'w'),
    c0('INCR', 'w'),
    c0('MULTI'),
    c0('INCR', 'w'),
    c0('EXEC'),
    // Untouched watched keys let EXEC run; EXEC forgets the watch.
    c0('WATCH', 'w', 'other'),
    c1('SET', 'unrelated', '1'),
    c0('MULTI'),
    c0('INCR', 'w'),
    c0('EXEC'),
    c1('SET', 'w', '100'),
    c0('MULTI'),
    c0('GET', 'w'),
    c0('EXEC'),
    // UNWATCH and DISCARD drop the watch.
    c0('WATCH', 'w'),
    c1('SET', 'w', '7'),
    c0('UNWATCH'),
    c0('MULTI'),
    c0('GET', 'w'),
    c0('EXEC'),
    c0('WATCH', 'w'),
    c0('MULTI'),
    c0('DISCARD'),
    c1('SET', 'w', '8'),
    c0('MULTI'),
    c0('GET', 'w'),
    c0('EXEC'),
    // Deleting or expiring a watched key dirties it.
    c0('WATCH', 'w'),
    c1('DEL', 'w'),
    c0('MULTI'),
    c0('EXEC'),
    c0('SET', 'w', '1'),
    c0('WATCH', 'w'),
    c1('EXPIRE', 'w', '100'),
    c0('MULTI'),
    c0('EXEC'),
    // A watched key that only exists elsewhere, or not at all, is untouched by FLUSHDB.
    c0('WATCH', 'missing'),
    c1('FLUSHDB'),
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
    c0('SET', 'f', '1'),
    c0('WATCH', 'f'),
    c1('FLUSHALL'),
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
    // Touching a key in another db does not dirty the watch.
    c0('SET', 'd', '1'),
    c0('WATCH', 'd'),
    c1('SELECT', '2'),
    c1('SET', 'd', '2'),
    c0('MULTI'),
    c0('GET', 'd'),
    c0('EXEC'),
    c1('SELECT', '0'),
    // SWAPDB, RENAME, MOVE and COPY onto a watched key count as changes.
    c0('SET', 'sw', '1'),
    c0('WATCH', 'sw'),
    c1('SWAPDB', '0', '1'),
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
    c1('SWAPDB', '0', '1'),
    c0('WATCH', 'sw'),
    c1('RENAME', 'sw', 'sw2'),
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
    c0('WATCH', 'sw'),
    c1('COPY', 'sw2', 'sw'),
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
    c0('WATCH', 'sw'),
    c1('MOVE', 'sw', '3'),
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
    // A live key that expires after WATCH makes EXEC fail, even if never touched.
    c0('SET', 'e', '1', 'PX', '100'),
    c0('WATCH', 'e'),
    { sleep: 250 },
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
    // A key already gone (expired) when watched that is then reaped is no change.
    c0('SET', 'g', '1', 'PX', '20'),
    { sleep: 100 },
    c0('WATCH', 'g'),
    c0('GET', 'g'),
    c0('MULTI'),
    c0('PING'),
    c0('EXEC'),
  ];

  it('queueing, aborts and runtime errors (RESP2)', async () => {
    await expectSameConnReplies(ours, redis, 1, queueing);
  });
  it('queueing, aborts and runtime errors (RESP3)', async () => {
    await expectSameConnReplies(ours, redis, 1, queueing, 3);
  });
  it('WATCH with a second client (RESP2)', async () => {
    await expectSameConnReplies(ours, redis, 2, watching);
  });
  it('WATCH with a second client (RESP3)', async () => {
    await expectSameConnReplies(ours, redis, 2, watching, 3);
  });

  it('ioredis optimistic locking retries until EXEC succeeds', async () => {
    const a = new Redis({ port: ours.port, host: ours.host });
    const b = new Redis({ port: ours.port, host: ours.host });
    await a.set('counter', '0');
    let attempts = 0;
    // WATCH state is per connection: each connection increments in turn, racing the other.
    const incr20 = async (c: Redis) => {
      for (let i = 0; i < 20; i++) {
        for (;;) {
          attempts++;
          await c.watch('counter');
          const v = Number(await c.get('counter'));
          const r = await c.multi().set('counter', String(v + 1)).exec();
          if (r !== null) break;
        }
      }
    };
    await Promise.all([incr20(a), incr20(b)]);
    expect(await a.get('counter')).toBe('40');
    expect(attempts).toBeGreaterThanOrEqual(40);
    const r = await a.multi().set('x', '1').incr('x').get('x').exec();
    expect(r).toEqual([[null, 'OK'], [null, 2], [null, '2']]);
    a.disconnect();
    b.disconnect();
  });
});
