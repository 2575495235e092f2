// HyperLogLog commands with several keys in cluster mode: one slot works, several slots answer
// CROSSSLOT, as with redis-server 7.0.
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

describe('HyperLogLog in cluster mode', () => {
  const { ours, redis } = useServerPair({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] });
  beforeAll(() => Promise.all([clusterUp(ours.port, ours.host), clusterUp(redis.port, redis.host)]));

  const steps: Step[] = [
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
  it('multi-key PFCOUNT/PFMERGE need one slot', () => expectSameReplies(ours, redis, steps, 2));
});
