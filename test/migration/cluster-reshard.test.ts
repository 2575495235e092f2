// Keys of every type cross a mixed two-master cluster (our node + redis-server 7.0) in both
// directions with `redis-cli --cluster reshard`: MIGRATE ... KEYS with RESTORE-ASKING on the
// target, the slot MIGRATING/IMPORTING on each side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, converged, slotSignature, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';
import { keySlot } from '../../common/slots.js';

const MOVED_SLOTS = 100;

/** Keys whose slots are below MOVED_SLOTS (the slots reshard moves first). */
function lowSlotKeys(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (keySlot(`k${i}`) < MOVED_SLOTS) out.push(`k${i}`);
  return out;
}

function reshard(entry: ServerProcess, from: string, to: string): string {
  return execFileSync(
    'redis-cli',
    ['--cluster', 'reshard', `127.0.0.1:${entry.port}`, '--cluster-from', from, '--cluster-to', to, '--cluster-slots', String(MOVED_SLOTS), '--cluster-yes', '--cluster-pipeline', '5'],
    { encoding: 'latin1', timeout: 60_000 },
  );
}

describe('redis-cli --cluster reshard between our node and redis-server', () => {
  let ours: ServerProcess;
  let theirs: ServerProcess;
  beforeAll(async () => {
    [ours, theirs] = await Promise.all([startClusterNode('redshard'), startClusterNode('redis')]);
    expect(cli(ours, 'cluster', 'addslotsrange', '0', '8191')).toBe('OK');
    expect(cli(theirs, 'cluster', 'addslotsrange', '8192', '16383')).toBe('OK');
    expect(cli(ours, 'cluster', 'meet', '127.0.0.1', String(theirs.port))).toBe('OK');
    await waitUntil('two nodes to converge', () => converged([ours, theirs]) && slotSignature(ours) === slotSignature(theirs), 30_000);
    await waitUntil('cluster ok', () => cli(ours, 'cluster', 'info').includes('cluster_state:ok') && cli(theirs, 'cluster', 'info').includes('cluster_state:ok'), 30_000);
  });
  afterAll(async () => {
    await Promise.all([ours.stop('SIGKILL'), theirs.stop('SIGKILL')]);
    for (const n of [ours, theirs]) rmSync(n.dir, { recursive: true, force: true });
  });

  it('moves strings, hashes, sets, sorted sets and lists there and back, values and TTLs intact', async () => {
    const keys = lowSlotKeys(40);
    const c = new Redis({ port: ours.port, host: ours.host });
    const expected = new Map<string, unknown>();
    for (const [i, k] of keys.entries()) {
      switch (i % 5) {
        case 0:
          await c.set(k, i % 8 === 0 ? 'x'.repeat(100) : String(i), 'PX', 600_000);
          expected.set(k, await c.get(k));
          break;
        case 1:
          await c.hset(k, ...Array.from({ length: i === 1 ? 2000 : 5 }, (_, j) => [`f${j}`, `v${j}`]).flat());
          expected.set(k, await c.hgetall(k));
          break;
        case 2:
          await c.sadd(k, ...Array.from({ length: i === 2 ? 700 : 5 }, (_, j) => String(j)));
          expected.set(k, (await c.smembers(k)).sort());
          break;
        case 3:
          await c.zadd(k, ...Array.from({ length: i === 3 ? 300 : 5 }, (_, j) => [String(j / 3), `m${j}`]).flat());
          expected.set(k, await c.zrange(k, 0, '-1', 'WITHSCORES'));
          break;
        default:
          await c.rpush(k, ...Array.from({ length: i === 4 ? 2000 : 5 }, (_, j) => `e${j}`));
          expected.set(k, await c.lrange(k, 0, -1));
      }
    }
    c.disconnect();
    const ourId = cli(ours, 'cluster', 'myid');
    const theirId = cli(theirs, 'cluster', 'myid');

    const read = async (p: ServerProcess) => {
      const r = new Redis({ port: p.port, host: p.host });
      const got = new Map<string, unknown>();
      for (const [i, k] of keys.entries()) {
        if (i % 5 === 0) got.set(k, await r.get(k));
        else if (i % 5 === 1) got.set(k, await r.hgetall(k));
        else if (i % 5 === 2) got.set(k, (await r.smembers(k)).sort());
        else if (i % 5 === 3) got.set(k, await r.zrange(k, 0, '-1', 'WITHSCORES'));
        else got.set(k, await r.lrange(k, 0, -1));
      }
      const ttl = await r.pttl(keys[0]!);
      r.disconnect();
      return { got, ttl };
    };

    reshard(ours, ourId, theirId);
    expect(Number(cli(ours, 'cluster', 'countkeysinslot', String(keySlot(keys[0]!))))).toBe(0);
    const there = await read(theirs);
    expect(there.got).toEqual(expected);
    expect(there.ttl).toBeGreaterThan(500_000);

    reshard(theirs, theirId, ourId);
    await waitUntil('slots back on our node', () => slotSignature(ours) === slotSignature(theirs) && !cli(ours, 'cluster', 'nodes').includes('->-'), 20_000);
    const back = await read(ours);
    expect(back.got).toEqual(expected);
    expect(back.ttl).toBeGreaterThan(500_000);
    const check = execFileSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${ours.port}`], { encoding: 'latin1', timeout: 30_000 });
    expect(check).toContain('[OK] All 16384 slots covered.');
  });
});
