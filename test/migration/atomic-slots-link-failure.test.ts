// CLUSTER IMPORT-SLOTS whose source link breaks at the handover, while an ioredis Cluster client
// writes to the moving slots. The target reaches the source through a TCP proxy that cuts both
// directions (1) when the target's EXPORT-COMMIT comes by, after the target claimed the slots,
// and (2) when the source's EXPORT-PAUSED comes by, before the target could claim. In both
// cases no acknowledged write may be lost and no client may see an error: in (1) the source must
// not take writes again for slots the target claimed (it asks the target, EXPORT-OUTCOME, and
// gives them up), in (2) it keeps the slots once the target confirms the import is aborted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { Cluster, Redis } from 'ioredis';
import type { ServerProcess } from '../helpers/processes.js';
import { keySlot } from '../../common/slots.js';
import { cli, slotSignature, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';

let nodes: ServerProcess[] = [];

/** Forwards to `port`; cuts the pair when a chunk in `dir` contains `marker` (that chunk is dropped). */
function cuttingProxy(port: number): { port: () => number; arm(dir: 'toSource' | 'toTarget', marker: string): void; cut: () => boolean; close(): void } {
  let rule: { dir: 'toSource' | 'toTarget'; marker: string } | null = null;
  let didCut = false;
  const server = net.createServer((down) => {
    const up = net.connect({ host: '127.0.0.1', port });
    const cut = () => {
      didCut = true;
      rule = null;
      down.destroy();
      up.destroy();
    };
    // The marker may straddle two reads: look at the end of the previous one too.
    const tails = { toSource: Buffer.alloc(0), toTarget: Buffer.alloc(0) };
    const seen = (dir: 'toSource' | 'toTarget', d: Buffer): boolean => {
      const hit = rule?.dir === dir && Buffer.concat([tails[dir], d]).includes(rule.marker);
      tails[dir] = Buffer.from(d.subarray(Math.max(0, d.length - 32)));
      return hit;
    };
    down.on('data', (d: Buffer) => (seen('toSource', d) ? cut() : up.write(d)));
    up.on('data', (d: Buffer) => (seen('toTarget', d) ? cut() : down.write(d)));
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  server.listen(0, '127.0.0.1');
  return {
    port: () => (server.address() as net.AddressInfo).port,
    arm: (dir, marker) => {
      rule = { dir, marker };
      didCut = false;
    },
    cut: () => didCut,
    close: () => server.close(),
  };
}

function keysIn(lo: number, hi: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (keySlot(`m:${i}`) >= lo && keySlot(`m:${i}`) <= hi) out.push(`m:${i}`);
  return out;
}

function owns(p: ServerProcess, slot: number): boolean {
  const me = cli(p, 'cluster', 'nodes').split('\n').find((l) => l.includes('myself'))!.split(' ');
  return me.slice(8).some((r) => {
    if (r.startsWith('[')) return false;
    const [a, b] = r.split('-').map(Number);
    return a! <= slot && slot <= (b ?? a!);
  });
}

describe('CLUSTER IMPORT-SLOTS with the link cut at the handover', () => {
  let proxy: ReturnType<typeof cuttingProxy>;
  let client: Cluster;

  beforeAll(async () => {
    nodes = [await startClusterNode('redshard'), await startClusterNode('redshard'), await startClusterNode('redshard')];
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { timeout: 30_000 });
    await waitUntil('cluster ok', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')));
    await waitUntil('all agree', () => new Set(nodes.map(slotSignature)).size === 1);
    proxy = cuttingProxy(nodes[0]!.port);
    client = new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }], { maxRedirections: 64 });
  }, 120_000);

  afterAll(async () => {
    client?.disconnect();
    proxy?.close();
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
  });

  async function moveUnderLoad(lo: number, hi: number, dir: 'toSource' | 'toTarget', marker: string): Promise<{ reply: string; errors: string[]; last: Map<string, string> }> {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    // Some bulk to stream besides the written keys (all of lo..hi is on a).
    const all = keysIn(lo, hi, 5400);
    const keys = all.slice(0, 400);
    const direct = new Redis(a.port, '127.0.0.1');
    const seed = direct.pipeline();
    for (const k of all) seed.set(k, 'seed');
    await seed.exec();
    direct.disconnect();
    const last = new Map<string, string>();
    const errors: string[] = [];
    let stop = false;
    let seq = 0;
    const writer = async () => {
      while (!stop) {
        const k = keys[Math.floor(Math.random() * keys.length)]!;
        const v = String(++seq);
        try {
          await client.set(k, v);
          last.set(k, v);
        } catch (e) {
          errors.push(String(e));
        }
      }
    };
    const writers = Array.from({ length: 4 }, writer);
    await new Promise((r) => setTimeout(r, 300));
    proxy.arm(dir, marker);
    const conn = new Redis(b.port, '127.0.0.1');
    let reply: string;
    try {
      reply = String(await conn.call('cluster', 'import-slots', String(lo), String(hi), 'from', '127.0.0.1', String(proxy.port())));
    } catch (e) {
      reply = String(e);
    }
    conn.disconnect();
    expect(proxy.cut()).toBe(true);
    // Writes keep going a little past the cut, then stop: a source that took writes again for
    // claimed slots would have them as the last writes, and lose them once the claim reaches it.
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(writers);
    return { reply, errors, last };
  }

  async function expectValues(last: Map<string, string>): Promise<void> {
    const wrong: string[] = [];
    for (const [k, v] of last) {
      const got = await client.get(k);
      if (got !== v) wrong.push(`${k}: ${got} != ${v}`);
    }
    expect(wrong).toEqual([]);
  }

  it('cut after the target claimed: the source gives the slots up, no acknowledged write is lost', { timeout: 90_000 }, async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const { reply, errors, last } = await moveUnderLoad(0, 99, 'toSource', 'EXPORT-COMMIT');
    expect(reply).toBe('OK');
    await waitUntil('every node sees b owning 0-99', () => nodes.every((n) => new Set(nodes.map(slotSignature)).size === 1) && owns(b, 0) && owns(b, 99) && !owns(a, 50));
    await waitUntil('no key left on the source', () => Array.from({ length: 100 }, (_, s) => Number(cli(a, 'cluster', 'countkeysinslot', String(s)))).every((c) => c === 0));
    expect(errors).toEqual([]);
    expect(last.size).toBeGreaterThan(50);
    await expectValues(last);
  });

  it('cut before the target could claim: the source keeps the slots, the target keeps nothing', { timeout: 90_000 }, async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const { reply, errors, last } = await moveUnderLoad(100, 199, 'toTarget', 'EXPORT-PAUSED');
    // The target notices the cut itself, or hears first from the source asking for the outcome.
    expect(reply).toMatch(/^ReplyError: ERR slot (export connection|import aborted)/);
    await waitUntil('a still owns 100-199 everywhere', () => new Set(nodes.map(slotSignature)).size === 1 && owns(a, 100) && owns(a, 199));
    expect(Array.from({ length: 100 }, (_, s) => Number(cli(b, 'cluster', 'countkeysinslot', String(100 + s)))).every((c) => c === 0)).toBe(true);
    expect(errors).toEqual([]);
    expect(last.size).toBeGreaterThan(50);
    await expectValues(last);
  });
});
