// CLUSTER IMPORT-SLOTS between two of three redshard nodes while an ioredis Cluster client keeps
// reading and writing: no client error, every acknowledged write survives, no key left on the
// source, all nodes agree on ownership, a 200,000-field hash arrives whole, and no -ASK is ever
// returned (probed with plain connections).
// ATOMIC_SLOTS_KEYS=1000000 turns it into the keys/s measurement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Cluster, Redis } from 'ioredis';
import type { ServerProcess } from '../helpers/processes.js';
import { keySlot } from '../../common/slots.js';
import { cli, slotSignature, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';

const KEYS = Number(process.env.ATOMIC_SLOTS_KEYS ?? 100_000);
const LAST = 4095; // slots 0..LAST move from a to b
let nodes: ServerProcess[] = [];
const BIG_FIELDS = 200_000;
const BIG = ((): string => {
  for (let i = 0; ; i++) if (keySlot(`big:${i}`) <= LAST) return `big:${i}`;
})();

describe('CLUSTER IMPORT-SLOTS', () => {
  beforeAll(async () => {
    nodes = [await startClusterNode('redshard'), await startClusterNode('redshard'), await startClusterNode('redshard')];
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { timeout: 30_000 });
    await waitUntil('cluster ok', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')));
    await waitUntil('all agree', () => new Set(nodes.map(slotSignature)).size === 1);
    const a = new Redis(nodes[0]!.port, '127.0.0.1');
    let p = a.pipeline();
    for (let i = 0, n = 0; n < KEYS; i++) {
      const k = `k:${i}`;
      if (keySlot(k) > LAST) continue;
      p.set(k, `v${i}`);
      if (++n % 10_000 === 0) {
        await p.exec();
        p = a.pipeline();
      }
    }
    await p.exec();
    // One big hash among them: streamed and applied over several event-loop turns.
    for (let f = 0; f < BIG_FIELDS; f += 10_000) await a.hset(BIG, Object.fromEntries(Array.from({ length: 10_000 }, (_, j) => [`f${f + j}`, `v${f + j}`])));
    a.disconnect();
  }, 300_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  });

  it('moves the slots under load without ASK, errors or lost writes', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const client = new Cluster([{ host: '127.0.0.1', port: a.port }], { maxRedirections: 64 });
    const last = new Map<string, number>();
    const errors: string[] = [];
    let stop = false;
    let ops = 0;
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const k = `w:${(n * 7 + w * 131) % 1000}`;
        try {
          await client.set(k, String(n * 10 + w));
          last.set(k, n * 10 + w);
          await client.get(`k:${n % 5000}`);
          ops += 2;
        } catch (e) {
          errors.push(String(e));
        }
      }
    };
    // Plain (non-cluster) connections see redirections as errors: count -ASK.
    let asks = 0;
    const probe = async (port: number) => {
      const r = new Redis(port, '127.0.0.1');
      while (!stop) {
        for (const k of ['k:1', 'k:2', 'k:3', 'w:1', 'w:2']) {
          try {
            await r.get(k);
          } catch (e) {
            if (String(e).includes('ASK')) asks++;
          }
        }
      }
      r.disconnect();
    };
    const load = [0, 1, 2, 3].map(writer);
    const probes = [probe(a.port), probe(b.port)];
    await new Promise((r) => setTimeout(r, 300));
    const admin = new Redis(b.port, '127.0.0.1');
    const t0 = performance.now();
    expect(await admin.call('cluster', 'import-slots', '0', String(LAST), 'from', '127.0.0.1', String(a.port))).toBe('OK');
    const ms = performance.now() - t0;
    const opsDuring = ops;
    await new Promise((r) => setTimeout(r, 500));
    const pause = /"pausedSeenMs":\d+,"claimedMs":\d+,"pauseMs":\d+/.exec(b.output())?.[0] ?? '?';
    console.log(`IMPORT-SLOTS moved ${KEYS} keys in ${ms.toFixed(0)} ms: ${Math.round((KEYS * 1000) / ms)} keys/s; write pause ${pause} ms; client ops during the run: ${opsDuring}`);
    stop = true;
    await Promise.all([...load, ...probes]);
    expect(errors).toEqual([]);
    expect(asks).toBe(0);
    await waitUntil('all agree', () => new Set(nodes.map(slotSignature)).size === 1);
    expect(slotSignature(a)).toContain(`${cli(b, 'cluster', 'myid')}:0-${LAST}`);
    await waitUntil('source emptied', () => Array.from({ length: 64 }, (_, i) => Number(cli(a, 'cluster', 'countkeysinslot', String(i * 64)))).every((n) => n === 0));
    const srcAdmin = new Redis(a.port, '127.0.0.1');
    // The source keeps only keys of slots it still owns.
    let left = -1;
    for (let i = 0; i < 100 && left !== 0; i++) {
      left = (await srcAdmin.keys('*')).filter((k) => keySlot(k) <= LAST).length;
      if (left !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0);
    expect(slotSignature(nodes[2]!)).toBe(slotSignature(a));
    for (const [k, v] of last) expect(await client.get(k)).toBe(String(v));
    let moved = 0;
    for (let i = 0; moved < Math.min(KEYS, 20_000); i++) {
      if (keySlot(`k:${i}`) > LAST) continue;
      moved++;
      if (i % 97 === 0) expect(await admin.get(`k:${i}`)).toBe(`v${i}`);
    }
    expect(await admin.hlen(BIG)).toBe(BIG_FIELDS);
    expect(await admin.hget(BIG, 'f123456')).toBe('v123456');
    client.disconnect();
    admin.disconnect();
    srcAdmin.disconnect();
  }, 300_000);

  it('refuses cleanly: slots the source does not own, an unreachable source, slots already owned', async () => {
    const [a, b, c] = nodes as [ServerProcess, ServerProcess, ServerProcess];
    const r = new Redis(a.port, '127.0.0.1');
    const err = (p: Promise<unknown>) => p.then(() => 'OK', (e: unknown) => String(e));
    expect(await err(r.call('cluster', 'import-slots', '6000', '6010', 'from', '127.0.0.1', String(c.port)))).toContain(
      "source refused the export: ERR I'm not the owner of hash slot 6000",
    );
    expect(await err(r.call('cluster', 'import-slots', '0', '10', 'from', '127.0.0.1', String(b.port)))).toBe('OK');
    expect(await err(r.call('cluster', 'import-slots', '0', '10', 'from', '127.0.0.1', String(b.port)))).toContain("I'm already the owner of hash slot 0");
    expect(await err(r.call('cluster', 'import-slots', '20', '30', 'from', '127.0.0.1', '1'))).toContain('slot export connection failed');
    expect(await err(r.call('cluster', 'import-slots', '20', '30', 'to', '127.0.0.1', '1'))).toContain('syntax error');
    // The optional pace: RATE 0 streams unpaced, RATE n at n keys/s.
    expect(await err(r.call('cluster', 'import-slots', '11', '12', 'from', '127.0.0.1', String(b.port), 'rate', '0'))).toBe('OK');
    expect(await err(r.call('cluster', 'import-slots', '13', '14', 'from', '127.0.0.1', String(b.port), 'RATE', '1000'))).toBe('OK');
    for (const bad of [['rate'], ['rate', '-1'], ['rate', 'x'], ['pace', '10'], ['rate', '10', 'x']])
      expect(await err(r.call('cluster', 'import-slots', '15', '16', 'from', '127.0.0.1', String(b.port), ...bad))).toBe(
        'ReplyError: ERR syntax error: CLUSTER IMPORT-SLOTS <start> <end> FROM <host> <port> [RATE <keys-per-second>]',
      );
    // An import still running (its caller may be gone) is not joined by a second one.
    const inSlot17: string[] = [];
    for (let i = 0; inSlot17.length < 4; i++) if (keySlot(`k${i}`) === 17) inSlot17.push(`k${i}`);
    const src = new Redis(b.port, '127.0.0.1');
    for (const k of inSlot17) await src.set(k, 'v');
    const slow = err(r.call('cluster', 'import-slots', '17', '17', 'from', '127.0.0.1', String(b.port), 'RATE', '1'));
    const r2 = new Redis(a.port, '127.0.0.1');
    await new Promise((res) => setTimeout(res, 200));
    expect(await err(r2.call('cluster', 'import-slots', '16', '18', 'from', '127.0.0.1', String(b.port)))).toContain('slots 17-17 are already being imported');
    expect(await slow).toBe('OK');
    expect(await r2.get(inSlot17[0]!).catch(String)).toBe('v');
    r2.disconnect();
    src.disconnect();
    r.disconnect();
  });
});
