// Read-your-write through classic slot moves: a few hot slots go back and forth between two of
// our masters in exactly the order redis-cli 7.0 uses (SETSLOT IMPORTING on the target,
// MIGRATING on the source, GETKEYSINSLOT/MIGRATE ... KEYS until empty, SETSLOT NODE on the
// target, then the source, then the other master), while ioredis clients write and read back
// keys of those slots. Every write races MIGRATE of its key, the parked-write resume, the ASK
// to the importer, and both sides of each SETSLOT NODE: no acknowledged write may read back as
// anything else, and every key keeps its last value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import type { ServerProcess } from '../helpers/processes.js';
import { cli, converged, slotSignature, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';
import { keySlot } from '../../common/slots.js';

const HOT = [0, 1, 2, 3, 4, 5];
const WORKERS = 4;
const MOVE_MS = 8_000;

/** Keys of the hot slots, `perSlot` per slot. */
function hotKeys(perSlot: number): string[] {
  const by = new Map<number, string[]>(HOT.map((s) => [s, []]));
  for (let i = 0; [...by.values()].some((l) => l.length < perSlot); i++) {
    const l = by.get(keySlot(`k${i}`));
    if (l !== undefined && l.length < perSlot) l.push(`k${i}`);
  }
  return [...by.values()].flat();
}

describe('classic slot moves under read-your-write load', () => {
  const nodes: ServerProcess[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) nodes.push(await startClusterNode('redshard'));
    const ranges = [
      ['0', '5460'],
      ['5461', '10922'],
      ['10923', '16383'],
    ];
    nodes.forEach((n, i) => {
      cli(n, 'cluster', 'addslotsrange', ...ranges[i]!);
      cli(n, 'cluster', 'set-config-epoch', String(i + 1));
    });
    for (const n of nodes.slice(1)) cli(nodes[0]!, 'cluster', 'meet', '127.0.0.1', String(n.port));
    await waitUntil('converged', () => converged(nodes) && new Set(nodes.map(slotSignature)).size === 1, 30_000);
    await waitUntil('cluster ok', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')), 30_000);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
  });

  it('no acknowledged write reads back differently, none is lost', { timeout: 120_000 }, async () => {
    const ids = nodes.map((n) => cli(n, 'cluster', 'myid'));
    const raw = nodes.map((n) => new Redis({ port: n.port, host: n.host }));
    const clients = [0, 1].map((i) => new Cluster([{ host: nodes[i]!.host, port: nodes[i]!.port }], { redisOptions: { maxRetriesPerRequest: 20 } }));
    const keys = hotKeys(WORKERS * 2);
    const last = new Map<string, string>();
    const errors: string[] = [];
    let phase = 'start';
    let stop = false;
    let ops = 0;
    // Worker w owns keys w, w + WORKERS, ...: one writer per key, so a read must see its write.
    const loops = Array.from({ length: WORKERS }, async (_, w) => {
      const c = clients[w % clients.length]!;
      for (let i = 0; !stop; i++) {
        const k = keys[(w + WORKERS * i) % keys.length]!;
        const v = `${w}:${i}`;
        try {
          await c.set(k, v);
          last.set(k, v);
          const got = await c.get(k);
          if (got !== v && errors.length < 20) errors.push(`${phase}: ${k} (slot ${keySlot(k)}) read ${got}, wrote ${v}`);
        } catch (e) {
          if (errors.length < 20) errors.push(`${phase}: ${k}: ${(e as Error).message}`);
        }
        ops++;
      }
    });
    let owner = 0;
    let moves = 0;
    const until = Date.now() + MOVE_MS;
    try {
      while (Date.now() < until && errors.length === 0) {
        const src = owner;
        const dst = 1 - owner;
        for (const s of HOT) {
          phase = `slot ${s} ${src}->${dst}`;
          await raw[dst]!.call('cluster', 'setslot', s, 'importing', ids[src]!);
          await raw[src]!.call('cluster', 'setslot', s, 'migrating', ids[dst]!);
          for (;;) {
            const ks = (await raw[src]!.call('cluster', 'getkeysinslot', s, 10)) as string[];
            if (ks.length === 0) break;
            expect(await raw[src]!.call('migrate', nodes[dst]!.host, nodes[dst]!.port, '', 0, 60_000, 'KEYS', ...ks)).toMatch(/^(OK|NOKEY)$/);
          }
          await raw[dst]!.call('cluster', 'setslot', s, 'node', ids[dst]!);
          await raw[src]!.call('cluster', 'setslot', s, 'node', ids[dst]!);
          await raw[2]!.call('cluster', 'setslot', s, 'node', ids[dst]!);
          moves++;
        }
        owner = dst;
      }
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    console.log(`classic moves: ${moves} slot moves, ${ops} write+read pairs, ${errors.length} errors`);
    expect(errors).toEqual([]);
    expect(moves).toBeGreaterThanOrEqual(HOT.length * 2);
    for (const [k, v] of last) expect(await clients[0]!.get(k)).toBe(v);
    for (const c of clients) c.disconnect();
    for (const r of raw) r.disconnect();
  });
});
