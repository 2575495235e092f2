// In cluster mode Redis 7.0 refuses SORT's BY with a real pattern and every GET (even GET #),
// whatever slot the pattern names; BY without '*' (nosort) stays allowed.
import { beforeAll, describe, it } from 'vitest';
import { expectSameReplies, useServerPair, type Step } from '../helpers/differential.js';
import { RawClient } from '../helpers/raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function clusterUp(port: number, host: string): Promise<void> {
  const c = await RawClient.connect(port, host);
  try {
    await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    for (let i = 0; i < 500; i++) {
      if ((await c.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) return;
      await sleep(20);
    }
    throw new Error('cluster never came up');
  } finally {
    c.close();
  }
}

describe('SORT in cluster mode', () => {
  const { ours, redis } = useServerPair({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] });
  beforeAll(() => Promise.all([clusterUp(ours.port, ours.host), clusterUp(redis.port, redis.host)]));

  const steps: Step[] = [
    ['RPUSH', '{a}l', '3', '1', '2'],
    ['SET', '{a}w_1', '5'],
    ['SORT', '{a}l'],
    ['SORT', '{a}l', 'BY', '{a}w_*'],
    ['SORT', '{a}l', 'BY', 'w_*->f'],
    ['SORT', '{a}l', 'GET', '#'],
    ['SORT', '{a}l', 'GET', '{a}w_*'],
    ['SORT', '{a}l', 'BY', 'nosort'],
    ['SORT', '{a}l', 'BY', 'nosort', 'DESC', 'STORE', '{a}d'],
    ['LRANGE', '{a}d', '0', '-1'],
    ['SORT', '{a}l', 'STORE', '{b}d'],
    ['SORT_RO', '{a}l', 'GET', '#'],
    ['SORT_RO', '{a}l', 'ALPHA'],
  ];
  for (const resp of [2, 3] as const) it(`refuses BY patterns and GET as Redis does (RESP${resp})`, () => expectSameReplies(ours, redis, steps, resp));
});
