// nodes.conf changes that Redis writes without fsync (ADDSLOTS, SETSLOT, FORGET) are coalesced to
// one write per event-loop turn but must be in the file before the reply leaves: a node SIGKILLed
// right after its replies restarts with the same slots and migration marks. Slot moves learned from
// a peer's PONG (fsynced off the event loop) are in the file as soon as the node answers anything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCli, type ServerProcess } from '../helpers/processes.js';
import { cli, nodesView, startClusterNode, waitUntil } from './cluster-helpers.js';

const nodes: ServerProcess[] = [];

describe('nodes.conf written before the reply', () => {
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) nodes.push(await startClusterNode('redshard'));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(nodes.map((p) => p.stop('SIGKILL')));
  });

  it('keeps ADDSLOTS and SETSLOT changes across a SIGKILL right after the replies', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const idA = cli(a, 'cluster', 'myid');
    const idB = cli(b, 'cluster', 'myid');
    cli(a, 'cluster', 'meet', '127.0.0.1', String(b.port));
    await waitUntil('A knows B', () => nodesView(a).some((l) => l.id === idB && l.flags.includes('master') && !l.flags.includes('handshake')));
    // B too: a handshake that A's SIGKILL below cuts short would leave B without A.
    await waitUntil('B knows A', () => nodesView(b).some((l) => l.id === idA && l.flags.includes('master') && !l.flags.includes('handshake')));
    const cmds = ['cluster addslotsrange 0 999', 'cluster setslot 1 migrating ' + idB, 'cluster setslot 2000 importing ' + idB, 'cluster setslot 3 node ' + idB, 'cluster setslot 4 migrating ' + idB, 'cluster setslot 4 stable'];
    const out = redisCli(a.port, [], { input: cmds.join('\n') + '\n' });
    expect(out.trim().split('\n')).toEqual(cmds.map(() => 'OK'));
    await a.stop('SIGKILL');
    const again = await startClusterNode('redshard', { port: a.port, dir: a.dir });
    nodes[0] = again;
    const view = nodesView(again);
    const me = view.find((l) => l.flags.includes('myself'))!;
    expect(me.id).toBe(idA);
    expect(me.slots).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 999 },
    ]);
    expect(me.migrating).toEqual([{ slot: 1, id: idB }]);
    expect(me.importing).toEqual([{ slot: 2000, id: idB }]);
    expect(view.find((l) => l.id === idB)!.slots).toEqual([{ start: 3, end: 3 }]);
  }, 30_000);

  it('has a slot move learned from the bus in the file, and restarts with it', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const idA = cli(a, 'cluster', 'myid');
    const idB = cli(b, 'cluster', 'myid');
    await waitUntil('B knows A', () => nodesView(b).some((l) => l.id === idA && !l.flags.includes('handshake')), 20_000);
    // B's bump below wins only if B already knows A's epoch. A may have resolved their initial
    // configEpoch collision (both 0, the smaller ID moves) just before its SIGKILL and come back
    // with that epoch before its first PING reached B: B's bump then lands on A's epoch, the
    // collision moves A above B, and A's higher claim takes slot 500 back (B, slotless, becomes
    // A's replica). Redis 7.0 does exactly the same, so wait until the epochs are distinct and
    // B's currentEpoch has caught up with A's.
    const epochs = (p: ServerProcess) => {
      const info = cli(p, 'cluster', 'info');
      const num = (k: string) => Number(new RegExp(`${k}:(\\d+)`).exec(info)?.[1] ?? NaN);
      return { current: num('cluster_current_epoch'), mine: num('cluster_my_epoch') };
    };
    await waitUntil('distinct epochs, B caught up with A', () => {
      const ea = epochs(a);
      const eb = epochs(b);
      return ea.mine !== eb.mine && eb.current >= ea.mine && epochs(a).mine === ea.mine;
    }, 20_000);
    // B imports slot 500 and closes it: its configEpoch goes up and its PONG hands the slot over.
    expect(cli(b, 'cluster', 'setslot', '500', 'importing', idA)).toBe('OK');
    expect(cli(b, 'cluster', 'setslot', '500', 'node', idB)).toBe('OK');
    // By B's PONG, or by its next PING if the link to the restarted A was not up yet.
    await waitUntil('A learned that B owns slot 500', () => nodesView(a).find((l) => l.id === idB)!.slots.some((r) => r.start <= 500 && r.end >= 500), 20_000);
    // redis-cli then tells A too: already so, still OK.
    expect(cli(a, 'cluster', 'setslot', '500', 'node', idB)).toBe('OK');
    await a.stop('SIGKILL');
    const line = (text: string, id: string) => text.split('\n').find((l) => l.startsWith(id))!;
    const conf = readFileSync(join(a.dir, 'nodes.conf'), 'latin1');
    expect(line(conf, idB).split(' ').slice(8)).toContain('500');
    expect(line(conf, idA)).toContain(' 0-2 4-499 501-999');
    const again = await startClusterNode('redshard', { port: a.port, dir: a.dir });
    nodes[0] = again;
    const view = nodesView(again);
    expect(view.find((l) => l.flags.includes('myself'))!.slots).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 499 },
      { start: 501, end: 999 },
    ]);
  }, 90_000);

  it('restarted with an owner that went stale while it was down, converges to the newer one', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const idA = cli(a, 'cluster', 'myid');
    const idB = cli(b, 'cluster', 'myid');
    await a.stop('SIGKILL');
    // B takes slot 501 while A is down; its configEpoch is already above A's (case above).
    expect(cli(b, 'cluster', 'setslot', '501', 'importing', idA)).toBe('OK');
    expect(cli(b, 'cluster', 'setslot', '501', 'node', idB)).toBe('OK');
    const again = await startClusterNode('redshard', { port: a.port, dir: a.dir });
    nodes[0] = again;
    // A comes back claiming 501 with its older epoch: B's PONG slots (or its UPDATE) win.
    await waitUntil('A learned that B owns slot 501', () => nodesView(again).find((l) => l.id === idB)!.slots.some((r) => r.start <= 501 && r.end >= 501), 20_000);
    expect(nodesView(again).find((l) => l.flags.includes('myself'))!.slots).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 499 },
      { start: 502, end: 999 },
    ]);
    expect(nodesView(b).find((l) => l.id === idB)!.slots).toEqual([{ start: 500, end: 501 }]);
  }, 60_000);
});
