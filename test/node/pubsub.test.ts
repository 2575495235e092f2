import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { expectSameConnReplies, type ConnStep } from '../helpers/differential-conns.js';
import { useServerPair } from '../helpers/differential.js';

const c0 = (...cmd: string[]): ConnStep => ({ c: 0, cmd });
const c1 = (...cmd: string[]): ConnStep => ({ c: 1, cmd });
const read0: ConnStep = { c: 0, read: true };

describe('pub/sub behaves like redis-server 7.0', () => {
  const { ours, redis } = useServerPair();

  // Each SUBSCRIBE-family call answers with one confirmation per channel; the RawClient sees the
  // first as the reply and the others through read steps.
  const script: ConnStep[] = [
    c0('UNSUBSCRIBE'),
    c0('PUNSUBSCRIBE'),
    c0('SUNSUBSCRIBE'),
    c1('PUBSUB', 'NUMPAT'),
    c0('SUBSCRIBE', 'news', 'sport'),
    read0,
    c1('PUBLISH', 'news', 'hello'),
    read0,
    c1('PUBLISH', 'nobody', 'x'),
    c0('PSUBSCRIBE', 'n*', 'sp?rt'),
    read0,
    c1('PUBLISH', 'news', 'two'),
    read0,
    read0,
    { c: 1, cmd: ['PUBSUB', 'CHANNELS'], unordered: true },
    c1('PUBSUB', 'CHANNELS', 's*'),
    c1('PUBSUB', 'NUMSUB', 'news', 'none'),
    c1('PUBSUB', 'NUMSUB'),
    c1('PUBSUB', 'NUMPAT'),
    c1('PUBSUB', 'CHANNELS', 'a', 'b'),
    c1('PUBSUB', 'NOPE'),
    c1('PUBSUB', 'HELP'),
    c0('SSUBSCRIBE', 'shard1'),
    c1('SPUBLISH', 'shard1', 'sm'),
    read0,
    c1('PUBSUB', 'SHARDCHANNELS'),
    c1('PUBSUB', 'SHARDNUMSUB', 'shard1', 'x'),
    c0('PING'),
    c0('PING', 'arg'),
    c0('UNSUBSCRIBE', 'news'),
    c0('PUNSUBSCRIBE'),
    read0,
    c0('SUNSUBSCRIBE'),
    c0('UNSUBSCRIBE', 'never'),
    c0('UNSUBSCRIBE'),
    c0('PING'),
    c0('SUBSCRIBE'),
    c0('PUBLISH', 'a'),
    c0('SUBSCRIBE', 'again'),
    c0('RESET'),
    c1('PUBSUB', 'NUMSUB', 'again'),
    c0('PING'),
  ];

  it('RESP2 subscribe context', async () => {
    await expectSameConnReplies(ours, redis, 2, [...script, c0('SUBSCRIBE', 'ctx'), c0('GET', 'x'), c0('MULTI'), c0('QUIT')]);
  });
  it('RESP3 push replies', async () => {
    await expectSameConnReplies(ours, redis, 2, [...script, c0('SUBSCRIBE', 'ctx'), c0('GET', 'x'), c1('PUBLISH', 'ctx', 'm'), read0, c0('SET', 'x', '1')], 3);
  });

  it('delivers to ioredis and node-redis subscribers, patterns and shard channels', async () => {
    const sub = new Redis({ port: ours.port, host: ours.host });
    const got: string[] = [];
    sub.on('message', (ch: string, m: string) => got.push(`m:${ch}:${m}`));
    sub.on('pmessage', (p: string, ch: string, m: string) => got.push(`p:${p}:${ch}:${m}`));
    await sub.subscribe('a', 'b');
    await sub.psubscribe('a*');
    const nr = createClient({ socket: { port: ours.port, host: ours.host }, RESP: 3 });
    await nr.connect();
    const nrGot: string[] = [];
    await nr.subscribe('a', (m: string, ch: string) => nrGot.push(`${ch}:${m}`));
    await nr.sSubscribe('s1', (m: string, ch: string) => nrGot.push(`s:${ch}:${m}`));
    const pub = new Redis({ port: ours.port, host: ours.host });
    expect(await pub.publish('a', 'one')).toBe(3);
    expect(await pub.publish('b', 'two')).toBe(1);
    expect(await pub.call('SPUBLISH', 's1', 'three')).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.sort()).toEqual(['m:a:one', 'm:b:two', 'p:a*:a:one']);
    expect(nrGot.sort()).toEqual(['a:one', 's:s1:three']);
    expect(await pub.call('PUBSUB', 'NUMSUB', 'a')).toEqual(['a', 2]);
    sub.disconnect();
    await nr.quit();
    await new Promise((r) => setTimeout(r, 50));
    expect(await pub.call('PUBSUB', 'NUMSUB', 'a')).toEqual(['a', 0]);
    pub.disconnect();
  });
});
