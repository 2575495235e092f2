// Our replica of Debian's redis-server 7.0 counts every byte of the replication stream: commands
// cut across TCP reads (big pipelined bursts) included, so its offset reaches the master's and
// stays there. A manual CLUSTER FAILOVER waits for exactly that; the operator's rolling update
// found the replica stuck a few bytes behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { hasRedisServer, startNode, startRedis, type ServerProcess } from '../helpers/processes.js';

function offset(info: string, field: string): number {
  return Number(new RegExp(`^${field}:(-?\\d+)`, 'm').exec(info)?.[1] ?? NaN);
}

describe.skipIf(!hasRedisServer())('replica offset (redis-server master, our replica)', () => {
  let master: ServerProcess;
  let replica: ServerProcess;
  let m: Redis;
  let r: Redis;

  beforeAll(async () => {
    master = await startRedis();
    replica = await startNode({ args: ['--replicaof', master.host, String(master.port)] });
    m = new Redis({ host: master.host, port: master.port });
    r = new Redis({ host: replica.host, port: replica.port });
  });

  afterAll(async () => {
    m?.disconnect();
    r?.disconnect();
    await Promise.all([master?.stop('SIGKILL'), replica?.stop('SIGKILL')]);
  });

  it('matches the master offset after bursts of pipelined writes of varied sizes', async () => {
    for (let round = 0; round < 8; round++) {
      const p = m.pipeline();
      for (let i = 0; i < 3000; i++) p.set(`k:${round}:${i}`, 'x'.repeat((i * 37 + round * 101) % 700));
      await p.exec();
      const deadline = Date.now() + 10_000;
      let last = '';
      for (;;) {
        const mo = offset(await m.info('replication'), 'master_repl_offset');
        const ro = offset(await r.info('replication'), 'slave_repl_offset');
        if (ro === mo) break;
        last = `round ${round}: master ${mo}, replica ${ro}`;
        if (Date.now() > deadline) throw new Error(last);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    expect(await r.dbsize()).toBe(await m.dbsize());
  });
});
