// What DUMP/RESTORE/MIGRATE write to the append-only file (the same stream replicas get):
// RESTORE with an absolute TTL, MIGRATE as the DEL it amounts to on the source.
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startNode } from '../helpers/processes.js';
import { useIoredisPair, useServerPair } from '../helpers/differential.js';
import { aofText } from '../helpers/aof.js';

describe('propagation of key transfer commands', () => {
  const { ours, redis } = useServerPair({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] }, {});
  let a: Redis;
  let b: Redis;
  useIoredisPair({ ours, redis }, (x, y) => ([a, b] = [x, y]));

  it('logs RESTORE with ABSTTL, MIGRATE as DEL, and nothing for COPY or NOKEY', async () => {
    await b.set('src', 'v');
    const p = (await b.dumpBuffer('src'))!;
    const before = Date.now();
    await a.restore('r1', 100_000, p);
    await a.restore('r2', 0, p);
    await a.set('m1', 'x');
    await a.set('m2', 'y');
    expect(await a.call('MIGRATE', redis.host, String(redis.port), '', '0', '5000', 'KEYS', 'm1', 'm2')).toBe('OK');
    await a.set('c1', 'z');
    expect(await a.call('MIGRATE', redis.host, String(redis.port), 'c1', '0', '5000', 'COPY')).toBe('OK');
    expect(await a.call('MIGRATE', redis.host, String(redis.port), 'gone', '0', '5000')).toBe('NOKEY');
    await a.set('end', '1');
    // Wait until the last write reached the file (writes are asynchronous).
    let aof = '';
    for (let i = 0; i < 100 && !/\$3\r\nend\r\n\$1\r\n1\r\n/.test(aof); i++) {
      await new Promise((r) => setTimeout(r, 50));
      aof = aofText(ours.dir);
    }
    const restore1 = /\*5\r\n\$7\r\nRESTORE\r\n\$2\r\nr1\r\n\$13\r\n(\d{13})\r\n\$\d+\r\n[\s\S]*?\r\n\$6\r\nABSTTL\r\n/i.exec(aof);
    expect(restore1, aof).not.toBeNull();
    expect(Number(restore1![1])).toBeGreaterThanOrEqual(before + 100_000);
    expect(aof.toLowerCase()).toContain(`*4\r\n$7\r\nrestore\r\n$2\r\nr2\r\n$1\r\n0\r\n$${p.length}\r\n`);
    expect(aof).toContain('*3\r\n$3\r\nDEL\r\n$2\r\nm1\r\n$2\r\nm2\r\n');
    expect(aof).not.toMatch(/MIGRATE/i);
    expect(aof).not.toContain('DEL\r\n$2\r\nc1');
    // The log replays to the same data.
    a.disconnect();
    await ours.stop();
    // The pair now stands for the restarted node, so afterAll stops that one.
    Object.assign(ours, await startNode({ port: ours.port, dir: ours.dir, args: ['--appendonly', 'yes'] }));
    const a2 = new Redis({ port: ours.port, host: ours.host });
    expect(await a2.exists('r1', 'r2', 'c1', 'm1', 'm2')).toBe(3);
    expect(await a2.pttl('r1')).toBeGreaterThan(90_000);
    a2.disconnect();
  });
});
