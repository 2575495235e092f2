import { describe, it } from 'vitest';
import { expectSameReplies, useServerPair, type Step } from '../helpers/differential.js';

// Sets of a couple of thousand members span many blocks of the ordered index, so ranks, ranges
// and removals cross block boundaries; every reply must match redis-server 7.0.
const HOST = '127.0.0.79';

/** Deterministic pseudo-random numbers, so both servers get the same script. */
function lcg(seed: number): (k: number) => number {
  let x = seed;
  return (k) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
}

function script(): Step[] {
  const rnd = lcg(7);
  const steps: Step[] = [];
  const score = (): string => (rnd(3) === 0 ? String(rnd(20)) : (rnd(2000000) / 7 - 100000).toString());
  for (let batch = 0; batch < 30; batch++) {
    const cmd = ['ZADD', '{z}s'];
    for (let i = 0; i < 100; i++) cmd.push(score(), `m${rnd(2500)}`);
    steps.push(cmd);
  }
  for (let i = 0; i < 20; i++) {
    const m = `m${rnd(2500)}`;
    steps.push(['ZINCRBY', '{z}s', score(), m], ['ZRANK', '{z}s', m], ['ZREVRANK', '{z}s', m], ['ZREM', '{z}s', `m${rnd(2500)}`]);
  }
  steps.push(
    ['ZCARD', '{z}s'],
    ['ZRANGE', '{z}s', '0', '-1', 'WITHSCORES'],
    ['ZRANGE', '{z}s', '-300', '-100', 'REV', 'WITHSCORES'],
    ['ZRANGE', '{z}s', '127', '900'],
    ['ZRANGE', '{z}s', '5', '(10000', 'BYSCORE', 'LIMIT', '100', '250', 'WITHSCORES'],
    ['ZRANGE', '{z}s', '(50000', '-50000', 'BYSCORE', 'REV', 'LIMIT', '20', '300'],
    ['ZRANGEBYSCORE', '{z}s', '-inf', '19'],
    ['ZCOUNT', '{z}s', '(0', '19'],
    ['ZCOUNT', '{z}s', '-1e9', '1e9'],
    ['ZRANGESTORE', '{z}d', '{z}s', '100', '800'],
    ['ZRANGE', '{z}d', '0', '-1', 'WITHSCORES'],
    ['ZREMRANGEBYRANK', '{z}s', '200', '700'],
    ['ZREMRANGEBYSCORE', '{z}s', '3', '(12'],
    ['ZPOPMIN', '{z}s', '150'],
    ['ZPOPMAX', '{z}s', '150'],
    ['ZRANGE', '{z}s', '0', '-1', 'WITHSCORES'],
  );
  const lex = ['ZADD', '{z}l'];
  for (let i = 0; i < 1500; i++) lex.push('0', `k${rnd(100000).toString(36)}`);
  steps.push(
    lex,
    ['ZRANGEBYLEX', '{z}l', '[k1', '(k5', 'LIMIT', '50', '200'],
    ['ZREVRANGEBYLEX', '{z}l', '(kz', '[k3', 'LIMIT', '10', '300'],
    ['ZLEXCOUNT', '{z}l', '[k2', '+'],
    ['ZREMRANGEBYLEX', '{z}l', '(k4', '[k8'],
    ['ZRANGE', '{z}l', '-', '+', 'BYLEX'],
  );
  return steps;
}

describe('large sorted sets behave like redis-server 7.0', () => {
  const { ours, redis } = useServerPair({ host: HOST });
  it('ranks, ranges and removals across a large set', async () => {
    await expectSameReplies(ours, redis, script());
  });
});
