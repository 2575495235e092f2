// In cluster mode a client blocked on a key whose slot this node stops serving is not left
// waiting forever: like Redis 7.0 the wait ends with the redirect (or CLUSTERDOWN) error.
import { describe, expect, it } from 'vitest';
import { startNode } from '../helpers/processes.js';
import { useServerPair } from '../helpers/differential.js';
import { RawClient } from '../helpers/raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(c: RawClient, cmd: string[], re: RegExp): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (re.test(await c.call(...cmd))) return;
    await sleep(20);
  }
  throw new Error(`${cmd.join(' ')} never matched ${re}`);
}

/** foo hashes to slot 12182. */
async function scenario(port: number): Promise<string[]> {
  const [admin, w] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
  try {
    const out = [await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')];
    await until(admin, ['CLUSTER', 'INFO'], /cluster_state:ok/);
    out.push(await admin.call('RPUSH', 'foo', 'x'), await w.call('BLPOP', 'foo', '0'));
    const waiting = w.call('BLPOP', 'foo', '0');
    await until(admin, ['INFO', 'clients'], /blocked_clients:1\r/);
    out.push(await admin.call('CLUSTER', 'DELSLOTS', '12182'), await Promise.race([waiting, sleep(5000).then(() => 'still blocked')]));
    out.push(await admin.call('INFO', 'clients').then((s) => /blocked_clients:\d+/.exec(s)![0]));
    return out;
  } finally {
    admin.close();
    w.close();
  }
}

describe('blocked clients in cluster mode', () => {
  const { ours, redis } = useServerPair({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] });

  it('ends the wait with CLUSTERDOWN when the key slot is no longer served', async () => {
    const theirs = await scenario(redis.port);
    expect(theirs[4]).toBe('-CLUSTERDOWN The cluster is down\r\n');
    expect(await scenario(ours.port)).toEqual(theirs);
  });

  it('ends the wait with MOVED when the key slot is given to another node', async () => {
    const other = await startNode({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] });
    const [admin, w] = await Promise.all([RawClient.connect(ours.port), RawClient.connect(ours.port)]);
    try {
      await admin.call('CLUSTER', 'ADDSLOTS', '12182');
      await until(admin, ['CLUSTER', 'INFO'], /cluster_state:ok/);
      const otherId = (await RawClient.connect(other.port).then(async (o) => {
        const id = await o.call('CLUSTER', 'MYID');
        o.close();
        return id;
      })).split('\r\n')[1]!;
      expect(await admin.call('CLUSTER', 'MEET', '127.0.0.1', String(other.port))).toBe('+OK\r\n');
      await until(admin, ['CLUSTER', 'NODES'], new RegExp(`${otherId} 127\\.0\\.0\\.1:${other.port}@\\d+ master - \\d+ \\d+ \\d+ connected`));
      const waiting = w.call('BLPOP', 'foo', '0');
      await until(admin, ['INFO', 'clients'], /blocked_clients:1\r/);
      expect(await admin.call('CLUSTER', 'SETSLOT', '12182', 'NODE', otherId)).toBe('+OK\r\n');
      expect(await Promise.race([waiting, sleep(5000).then(() => 'still blocked')])).toBe(`-MOVED 12182 127.0.0.1:${other.port}\r\n`);
    } finally {
      admin.close();
      w.close();
      await other.stop();
    }
  });
});
