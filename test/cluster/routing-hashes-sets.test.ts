// Key positions of the hash and set commands drive cluster routing: on a one-node cluster that
// owns every slot, multi-key commands across slots get CROSSSLOT, hash-tagged ones run, exactly
// as redis-server 7.0 answers (including SINTERCARD, whose keys move with numkeys).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { ServerProcess } from '../helpers/processes.js';
import { expectSameReplies, type Step } from '../helpers/differential.js';
import { cli, startClusterNode, waitUntil } from './cluster-helpers.js';

let ours: ServerProcess;
let theirs: ServerProcess;

beforeAll(async () => {
  [ours, theirs] = await Promise.all([startClusterNode('redshard'), startClusterNode('redis')]);
  for (const p of [ours, theirs]) cli(p, 'cluster', 'addslotsrange', '0', '16383');
  await waitUntil('cluster_state:ok', () => [ours, theirs].every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')));
});

afterAll(async () => {
  await ours?.stop('SIGKILL');
  await theirs?.stop('SIGKILL');
  for (const p of [ours, theirs]) if (p) rmSync(p.dir, { recursive: true, force: true });
});

describe('hash and set commands route by their keys in cluster mode', () => {
  it('CROSSSLOT across slots, served within one slot', async () => {
    const steps: Step[] = [
      ['SADD', '{t}a', '1', '2', '3'],
      ['SADD', '{t}b', '2', '3', '4'],
      ['SADD', 'other', '3'],
      ['HSET', '{t}h', 'f', 'v'],
      ['SINTER', '{t}a', '{t}b'],
      ['SINTER', '{t}a', 'other'],
      ['SUNION', '{t}a', '{t}b'],
      ['SUNION', '{t}a', 'other'],
      ['SDIFF', '{t}a', 'other'],
      ['SINTERSTORE', '{t}d', '{t}a', '{t}b'],
      ['SINTERSTORE', 'd', '{t}a', '{t}b'],
      ['SUNIONSTORE', '{t}d', '{t}a', 'other'],
      ['SDIFFSTORE', '{t}d', '{t}a', '{t}b'],
      ['SMEMBERS', '{t}d'],
      ['SINTERCARD', '2', '{t}a', '{t}b'],
      ['SINTERCARD', '2', '{t}a', 'other'],
      ['SINTERCARD', '1', '{t}a', 'LIMIT', '1'],
      ['SINTERCARD', '2', '{t}a', '{t}b', 'LIMIT', '1'],
      ['SINTERCARD', '0', '{t}a'],
      ['SINTERCARD', '3', '{t}a'],
      ['SMOVE', '{t}a', '{t}b', '1'],
      ['SMOVE', '{t}a', 'other', '2'],
      ['HGET', '{t}h', 'f'],
      ['HGETALL', '{t}h'],
    ];
    await expectSameReplies(ours, theirs, steps);
  });
});
