// Commands with cluster-mode rules of their own, on one cluster-enabled node of each kind holding
// every slot: SORT refuses BY patterns and GET (even GET #) whatever slot they name, while BY
// without '*' (nosort) stays allowed; multi-key PFCOUNT/PFMERGE work in one slot and answer
// CROSSSLOT across slots. Compared with redis-server 7.0.
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

describe('cluster-mode rules of SORT and HyperLogLog', () => {
  const { ours, redis } = useServerPair({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] });
  beforeAll(() => Promise.all([clusterUp(ours.port, ours.host), clusterUp(redis.port, redis.host)]));

  const sortSteps: Step[] = [
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
  for (const resp of [2, 3] as const) it(`SORT refuses BY patterns and GET as Redis does (RESP${resp})`, () => expectSameReplies(ours, redis, sortSteps, resp));

  const hllSteps: Step[] = [
    ['PFADD', '{a}x', '1', '2', '3'],
    ['PFADD', '{a}y', '3', '4'],
    ['PFADD', '{b}z', '9'],
    ['PFCOUNT', '{a}x', '{a}y'],
    ['PFCOUNT', '{a}x', '{b}z'],
    ['PFMERGE', '{a}m', '{a}x', '{a}y'],
    ['GET', '{a}m'],
    ['PFCOUNT', '{a}m'],
    ['PFMERGE', '{b}m', '{a}x'],
    ['PFDEBUG', 'ENCODING', '{b}z'],
  ];
  it('multi-key PFCOUNT/PFMERGE need one slot', () => expectSameReplies(ours, redis, hllSteps, 2));
});
