// An atomic slot import (CLUSTER IMPORT-SLOTS) in progress shows its slots as IMPORTING on the
// target's own CLUSTER NODES line (`[<slot>-<-<source-id>]`, as Redis shows SETSLOT IMPORTING),
// so an import whose client went away is visible: redis-cli --cluster check reports the slots
// as open. A finished import shows nothing; CLUSTER SETSLOT <slot> STABLE (or IMPORTING /
// MIGRATING: a classic migration of the slot), or redis-cli --cluster fix, ends an unclaimed
// import, which drops what it copied and leaves the source owning the slots with every key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { execFileSync, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import type { ServerProcess } from '../helpers/processes.js';
import { keySlot } from '../../common/slots.js';
import { cli, nodesView, slotSignature, startClusterNode, waitUntil } from '../cluster/cluster-helpers.js';

const SLOTS = 10;
const PER_SLOT = 300;
let nodes: ServerProcess[] = [];
let first = 0; // nodes[0]'s first slot: slots first..first+SLOTS-1 move (or not), first+SLOTS is finished
let sourceId = '';

/** The IMPORTING marks on `p`'s own line. */
function importing(p: ServerProcess): { slot: number; id: string }[] {
  return nodesView(p).find((l) => l.flags.includes('myself'))!.importing;
}

function keysIn(p: ServerProcess, from: number, to: number): number {
  let n = 0;
  for (let s = from; s <= to; s++) n += Number(cli(p, 'cluster', 'countkeysinslot', String(s)));
  return n;
}

/** Starts a slow import on `p` and closes the connection at once: nobody waits for it. */
function orphanImport(p: ServerProcess, from: number, to: number, sourcePort: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['CLUSTER', 'IMPORT-SLOTS', String(from), String(to), 'FROM', '127.0.0.1', String(sourcePort), 'RATE', '200'];
    const s = net.connect({ host: '127.0.0.1', port: p.port }, () => {
      s.end(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`, () => resolve());
    });
    s.on('error', reject);
  });
}

function clusterCheck(p: ServerProcess): { out: string; code: number | null } {
  const r = spawnSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${p.port}`], { encoding: 'utf8', timeout: 30_000 });
  return { out: r.stdout + r.stderr, code: r.status };
}

describe('atomic slot import visible in CLUSTER NODES', () => {
  beforeAll(async () => {
    nodes = [await startClusterNode('redshard'), await startClusterNode('redshard'), await startClusterNode('redshard')];
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { timeout: 30_000 });
    await waitUntil('cluster ok', () => nodes.every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')));
    await waitUntil('all agree', () => new Set(nodes.map(slotSignature)).size === 1);
    const a = nodes[0]!;
    const mine = nodesView(a).find((l) => l.flags.includes('myself'))!;
    first = mine.slots[0]!.start;
    sourceId = mine.id;
    const r = new Redis(a.port, '127.0.0.1');
    const count = new Map<number, number>();
    const p = r.pipeline();
    for (let i = 0; count.size <= SLOTS || [...count.values()].some((c) => c < PER_SLOT); i++) {
      const k = `k:${i}`;
      const s = keySlot(k) - first;
      if (s < 0 || s > SLOTS || (count.get(s) ?? 0) >= PER_SLOT) continue;
      count.set(s, (count.get(s) ?? 0) + 1);
      p.set(k, `v${i}`);
    }
    await p.exec();
    r.disconnect();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  });

  it('shows no mark once an import has finished', async () => {
    const [a, , c] = nodes as [ServerProcess, ServerProcess, ServerProcess];
    const slot = String(first + SLOTS);
    expect(cli(c, 'cluster', 'import-slots', slot, slot, 'from', '127.0.0.1', String(a.port))).toBe('OK');
    expect(importing(c)).toEqual([]);
    expect(keysIn(c, first + SLOTS, first + SLOTS)).toBe(PER_SLOT);
  });

  it('shows an orphaned import as IMPORTING; SETSLOT STABLE ends it and drops the copies', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const last = first + SLOTS - 1;
    await orphanImport(b, first, last, a.port);
    await waitUntil('the import shows', () => importing(b).length === SLOTS && keysIn(b, first, last) > 0);
    expect(importing(b)).toEqual(Array.from({ length: SLOTS }, (_, i) => ({ slot: first + i, id: sourceId })));
    // Only on the importing node's own line.
    expect(nodesView(a).every((l) => l.importing.length === 0)).toBe(true);
    const check = clusterCheck(a);
    expect(check.out).toContain(`has slots in importing state ${first},`);
    expect(check.out).toContain('The following slots are open');
    expect(check.code).not.toBe(0);
    expect(cli(b, 'cluster', 'setslot', String(first + 3), 'stable')).toBe('OK');
    expect(importing(b)).toEqual([]);
    expect(keysIn(b, first, last)).toBe(0);
    expect(keysIn(a, first, last)).toBe(SLOTS * PER_SLOT);
    await waitUntil('check clean', () => clusterCheck(a).code === 0);
  });

  it('gives way to a classic migration of the slot (SETSLOT IMPORTING on the target, MIGRATING on the source)', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const last = first + SLOTS - 1;
    const bId = cli(b, 'cluster', 'myid');
    await orphanImport(b, first, last, a.port);
    await waitUntil('the import shows', () => importing(b).length === SLOTS && keysIn(b, first, last) > 0);
    expect(cli(b, 'cluster', 'setslot', String(first), 'importing', sourceId)).toBe('OK');
    // Only the classic mark is left; the import's copies are gone.
    expect(importing(b)).toEqual([{ slot: first, id: sourceId }]);
    expect(keysIn(b, first, last)).toBe(0);
    expect(cli(b, 'cluster', 'setslot', String(first), 'stable')).toBe('OK');
    // The same from the source's side: its export ends, and the target drops what it copied.
    await orphanImport(b, first, last, a.port);
    await waitUntil('the import shows', () => importing(b).length === SLOTS && keysIn(b, first, last) > 0);
    expect(cli(a, 'cluster', 'setslot', String(last), 'migrating', bId)).toBe('OK');
    await waitUntil('the import ended', () => importing(b).length === 0 && keysIn(b, first, last) === 0);
    expect(cli(a, 'cluster', 'setslot', String(last), 'stable')).toBe('OK');
    expect(keysIn(a, first, last)).toBe(SLOTS * PER_SLOT);
    await waitUntil('check clean', () => clusterCheck(a).code === 0);
  });

  it('lets redis-cli --cluster fix resolve an orphaned import: the source keeps the slots and every key', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const last = first + SLOTS - 1;
    await orphanImport(b, first, last, a.port);
    await waitUntil('the import shows', () => importing(b).length === SLOTS && keysIn(b, first, last) > 0);
    const fix = spawnSync('redis-cli', ['--cluster', 'fix', `127.0.0.1:${a.port}`, '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
    expect(fix.stdout).toContain(`Fixing open slot ${first}`);
    await waitUntil('fixed', () => importing(b).length === 0 && clusterCheck(a).code === 0);
    expect(keysIn(b, first, last)).toBe(0);
    expect(keysIn(a, first, last)).toBe(SLOTS * PER_SLOT);
    await waitUntil('all agree', () => new Set(nodes.map(slotSignature)).size === 1);
    for (let s = first; s <= last; s++) expect(nodesView(b).find((l) => l.slots.some((r) => r.start <= s && s <= r.end))?.id).toBe(sourceId);
  });
});
