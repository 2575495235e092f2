// A redis-server 7.0 replica of our master completes its full sync while clients keep writing.
// The snapshot is EOF-marked (diskless form); redis-server recognises its end only when the last
// 40 bytes of a read are the mark, so the master must hold the writes made meanwhile until the
// replica's first REPLCONF ACK (as Redis does); sent right after the mark they shared its read and
// the replica waited forever ("receiving streamed RDB ... EOF to disk").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { hasRedisServer, startNode, startRedis, type ServerProcess } from '../helpers/processes.js';

describe.skipIf(!hasRedisServer())('full sync of a redis-server replica under writes', () => {
  let master: ServerProcess;
  let m: Redis;

  beforeAll(async () => {
    master = await startNode();
    m = new Redis({ host: master.host, port: master.port });
    for (let i = 0; i < 100_000; i += 5000) {
      const p = m.pipeline();
      for (let j = i; j < i + 5000; j++) p.set(`k:${j}`, `v${j}`);
      await p.exec();
    }
  });

  afterAll(async () => {
    m?.disconnect();
    await master?.stop('SIGKILL');
  });

  it('links up every time while pipelined writes continue', async () => {
    let writing = true;
    const ws = [0, 1, 2].map(() => new Redis({ host: master.host, port: master.port }));
    const writer = Promise.all(
      ws.map(async (w, k) => {
        for (let n = 0; writing; n++) {
          const p = w.pipeline();
          for (let j = 0; j < 50; j++) p.set(`w:${k}:${(n * 50 + j) % 5000}`, String(n));
          await p.exec();
        }
      }),
    );
    try {
      for (let round = 0; round < 6; round++) {
        const dir = mkdtempSync(join(tmpdir(), 'redshard-fullsync-'));
        const replica = await startRedis({ dir, args: ['--replicaof', master.host, String(master.port)] });
        const r = new Redis({ host: replica.host, port: replica.port });
        try {
          const deadline = Date.now() + 15_000;
          let info = '';
          while (!/master_link_status:up/.test((info = await r.info('replication')))) {
            if (Date.now() > deadline) throw new Error(`round ${round}: no link after 15 s\n${info}`);
            await new Promise((res) => setTimeout(res, 50));
          }
          expect(await r.dbsize()).toBeGreaterThanOrEqual(100_000);
        } finally {
          r.disconnect();
          await replica.stop('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        }
      }
    } finally {
      writing = false;
      await writer;
      for (const w of ws) w.disconnect();
    }
  });
});
