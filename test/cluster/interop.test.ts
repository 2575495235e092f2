// A mixed cluster of three redshard nodes and three Debian redis-server 7.0 nodes: MEET sent from
// either side converges, slot ownership set on either side is seen by both, a slot moved with the
// SETSLOT sequence propagates through epochs, redis-cli --cluster check passes from both sides,
// and garbage on our bus port closes only that link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { rawExchange, startNode, type ServerProcess } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { sortArrayReply } from '../helpers/differential.js';
import { encodeMessage, SLOT_BITMAP_LEN } from '../../node/bus/messages.js';
import { clusterArgs, cli, converged, nodesView, slotSignature, startClusterNode, waitUntil } from './cluster-helpers.js';
import { loggedCount } from '../helpers/tracked.js';

let ours: ServerProcess[] = [];

/** A raw subscriber connection collecting everything it receives. */
function subscribe(port: number, cmd: string, channel: string): { ready: Promise<void>; data: () => string; close: () => void } {
  const sock = net.connect({ host: '127.0.0.1', port });
  let buf = '';
  const ready = new Promise<void>((resolve) => {
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes(cmd.toLowerCase())) resolve();
    });
  });
  sock.on('error', () => {});
  sock.write(`*2\r\n$${cmd.length}\r\n${cmd}\r\n$${channel.length}\r\n${channel}\r\n`);
  return { ready, data: () => buf, close: () => sock.destroy() };
}
let theirs: ServerProcess[] = [];
const all = () => [...ours, ...theirs];

function check(p: ServerProcess): string {
  return execFileSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${p.port}`], { encoding: 'latin1', timeout: 30_000 });
}

describe('mixed cluster: redshard + redis-server 7.0', () => {
  beforeAll(async () => {
    ours = [await startClusterNode('redshard'), await startClusterNode('redshard'), await startClusterNode('redshard')];
    theirs = [await startClusterNode('redis'), await startClusterNode('redis'), await startClusterNode('redis')];
  });

  afterAll(async () => {
    await Promise.all(all().map((n) => n.stop('SIGKILL')));
    for (const n of all()) rmSync(n.dir, { recursive: true, force: true });
  });

  it('converges whichever side sends MEET', async () => {
    expect(cli(ours[0]!, 'cluster', 'meet', '127.0.0.1', String(theirs[0]!.port))).toBe('OK');
    expect(cli(theirs[1]!, 'cluster', 'meet', '127.0.0.1', String(ours[1]!.port))).toBe('OK');
    expect(cli(ours[2]!, 'cluster', 'meet', '127.0.0.1', String(theirs[1]!.port))).toBe('OK');
    expect(cli(theirs[2]!, 'cluster', 'meet', '127.0.0.1', String(ours[0]!.port))).toBe('OK');
    expect(cli(ours[1]!, 'cluster', 'meet', '127.0.0.1', String(ours[0]!.port))).toBe('OK');
    await waitUntil('six mixed nodes to converge', () => converged(all()), 30_000);
  });

  it('slot ownership set on either side is seen by both', async () => {
    expect(cli(ours[0]!, 'cluster', 'addslotsrange', '0', '5000')).toBe('OK');
    expect(cli(theirs[0]!, 'cluster', 'addslotsrange', '5001', '10000')).toBe('OK');
    expect(cli(ours[1]!, 'cluster', 'addslotsrange', '10001', '16383')).toBe('OK');
    await waitUntil('identical slot maps', () => new Set(all().map(slotSignature)).size === 1 && slotSignature(ours[2]!).split('|').length === 3, 20_000);
    await waitUntil('cluster_state:ok everywhere', () => all().every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')), 20_000);
    // Routing agrees with Redis's: both redirect the same key to the same owner.
    expect(cli(ours[2]!, 'get', 'foo')).toBe(cli(theirs[2]!, 'get', 'foo'));
  });

  it('a slot moved from redis-server to redshard with SETSLOT propagates to everyone', async () => {
    const src = theirs[0]!;
    const dst = ours[2]!;
    const srcId = cli(src, 'cluster', 'myid');
    const dstId = cli(dst, 'cluster', 'myid');
    expect(cli(dst, 'cluster', 'setslot', '5001', 'importing', srcId)).toBe('OK');
    expect(cli(src, 'cluster', 'setslot', '5001', 'migrating', dstId)).toBe('OK');
    expect(nodesView(dst).find((l) => l.flags.includes('myself'))!.importing).toEqual([{ slot: 5001, id: srcId }]);
    expect(cli(dst, 'cluster', 'setslot', '5001', 'node', dstId)).toBe('OK');
    // The importer owns the slot with the greatest configEpoch, bumped without consensus unless it
    // already held the unique maximum.
    const info = cli(dst, 'cluster', 'info');
    const myEpoch = Number(/cluster_my_epoch:(\d+)/.exec(info)![1]);
    expect(Number(/cluster_current_epoch:(\d+)/.exec(info)![1])).toBe(myEpoch);
    expect(nodesView(dst).filter((l) => l.configEpoch >= myEpoch).map((l) => l.id)).toEqual([dstId]);
    expect(cli(src, 'cluster', 'setslot', '5001', 'node', dstId)).toBe('OK');
    await waitUntil('everyone sees slot 5001 on the redshard node', () => all().every((n) => nodesView(n).find((l) => l.id === dstId)!.slots.some((r) => r.start <= 5001 && r.end >= 5001)), 20_000);
    await waitUntil('identical slot maps', () => new Set(all().map(slotSignature)).size === 1, 20_000);
    await waitUntil('everyone learned the new epoch', () => all().every((n) => nodesView(n).find((l) => l.id === dstId)!.configEpoch === myEpoch), 20_000);
  });

  it('CLUSTER SLOTS is identical on both kinds of node', async () => {
    expect(cli(ours[1]!, 'cluster', 'slots')).toBe(cli(theirs[1]!, 'cluster', 'slots'));
  });

  it('hostnames travel in the ping extension both ways', async () => {
    expect(cli(ours[0]!, 'config', 'set', 'cluster-announce-hostname', 'ours-0.example')).toBe('OK');
    expect(cli(theirs[0]!, 'config', 'set', 'cluster-announce-hostname', 'theirs-0.example')).toBe('OK');
    const oursId = cli(ours[0]!, 'cluster', 'myid');
    const theirsId = cli(theirs[0]!, 'cluster', 'myid');
    await waitUntil('hostnames seen', () =>
      nodesView(theirs[1]!).find((l) => l.id === oursId)!.hostname === 'ours-0.example' &&
      nodesView(ours[1]!).find((l) => l.id === theirsId)!.hostname === 'theirs-0.example',
    );
    await waitUntil('CLUSTER SLOTS with hostnames identical', () => cli(ours[1]!, 'cluster', 'slots') === cli(theirs[1]!, 'cluster', 'slots'));
    expect(cli(ours[1]!, 'cluster', 'slots')).toContain('ours-0.example');
  });

  it('PUBLISH reaches subscribers on every node, whichever kind publishes', async () => {
    const subs = [ours[1]!, theirs[2]!, ours[2]!].map((p) => subscribe(p.port, 'SUBSCRIBE', 'chan'));
    try {
      await Promise.all(subs.map((s) => s.ready));
      cli(ours[0]!, 'publish', 'chan', 'from-ours');
      cli(theirs[0]!, 'publish', 'chan', 'from-redis');
      await waitUntil('messages delivered', () => subs.every((s) => s.data().includes('from-ours') && s.data().includes('from-redis')), 10_000);
    } finally {
      for (const s of subs) s.close();
    }
  });

  it('SPUBLISH is delivered in the owning shard only', async () => {
    // 'foo' hashes to 12182: owned by ours[1] (10001-16383).
    const owner = ours[1]!;
    const sub = subscribe(owner.port, 'SSUBSCRIBE', 'foo');
    try {
      await sub.ready;
      const before = /cluster_stats_messages_publishshard_sent:(\d+)/.exec(cli(owner, 'cluster', 'info'))?.[1] ?? '0';
      expect(cli(owner, 'spublish', 'foo', 'sharded')).toBe('1');
      await waitUntil('smessage delivered', () => sub.data().includes('sharded'));
      expect(cli(theirs[0]!, 'spublish', 'foo', 'x')).toBe(`MOVED 12182 127.0.0.1:${owner.port}`);
      // No replicas in this cluster: nothing leaves the shard.
      expect(/cluster_stats_messages_publishshard_sent:(\d+)/.exec(cli(owner, 'cluster', 'info'))?.[1] ?? '0').toBe(before);
    } finally {
      sub.close();
    }
  });

  it('redis-cli --cluster check passes from either side', async () => {
    for (const p of [ours[0]!, theirs[1]!]) {
      const out = check(p);
      expect(out).toContain('[OK] All nodes agree about slots configuration.');
      expect(out).toContain('[OK] All 16384 slots covered.');
    }
  });

  it('garbage on the bus port closes that link only', async () => {
    const bus = ours[0]!.port + 10000;
    const junk = await rawExchange(bus, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2)), { quietMs: 1000 });
    expect(junk.closed).toBe(true);
    const huge = Buffer.alloc(16);
    huge.write('RCmb', 0, 'latin1');
    huge.writeUInt32BE(0xfffffff0, 4);
    expect((await rawExchange(bus, huge, { quietMs: 1000 })).closed).toBe(true);
    const short = Buffer.alloc(8);
    short.write('RCmb', 0, 'latin1');
    short.writeUInt32BE(10, 4);
    expect((await rawExchange(bus, short, { quietMs: 1000 })).closed).toBe(true);
    // A well-formed frame of an unknown type (or another protocol version) is ignored, link kept.
    const frame = encodeMessage({
      header: { type: 42, port: 1, currentEpoch: 0, configEpoch: 0, offset: 0, sender: 'f'.repeat(40), myslots: new Uint8Array(SLOT_BITMAP_LEN), slaveof: null, myip: '', pport: 0, cport: 2, flags: 17, state: 1, mflags: 0 },
      body: { kind: 'empty' },
    });
    const v2 = Buffer.from(frame);
    v2.writeUInt16BE(2, 8);
    expect((await rawExchange(bus, Buffer.concat([frame, v2]), { quietMs: 500 })).closed).toBe(false);
    expect(cli(ours[0]!, 'ping')).toBe('PONG');
    expect(await loggedCount(ours[0]!, /Bad message received from Cluster bus/)).toBeGreaterThan(0);
    expect(await loggedCount(ours[0]!, /Received unknown packet type/)).toBeGreaterThan(0);
    await waitUntil('cluster still converged', () => converged(all()), 10_000);
  });
  // Four slot owners (ours[0], theirs[0], ours[1], ours[2]): FAIL needs three of them, so a stopped
  // redis-server is failed by our votes alone, and a stopped redshard node needs redis-server's.
  for (const side of ['redis-server', 'redshard'] as const) {
    it(`a SIGSTOPped ${side} master goes PFAIL then FAIL on both kinds, cleared after SIGCONT`, async () => {
      const victim = side === 'redis-server' ? theirs[0]! : ours[1]!;
      const id = cli(victim, 'cluster', 'myid');
      const others = all().filter((n) => n !== victim);
      const flagsOf = (n: ServerProcess) => nodesView(n).find((l) => l.id === id)!.flags;
      victim.proc.kill('SIGSTOP');
      try {
        await waitUntil('PFAIL or FAIL seen by both kinds', () => [ours, theirs].every((k) => k.some((n) => n !== victim && flagsOf(n).some((f) => f === 'fail?' || f === 'fail'))), 15_000);
        await waitUntil('FAIL on every other node', () => others.every((n) => flagsOf(n).includes('fail')), 20_000);
        // Failure reports from the other slot owners are counted on both kinds of node.
        await waitUntil('failure reports counted', () => [ours[0]!, theirs[1]!].filter((n) => n !== victim).every((n) => Number(cli(n, 'cluster', 'count-failure-reports', id)) >= 1), 10_000);
      } finally {
        victim.proc.kill('SIGCONT');
      }
      await waitUntil('FAIL cleared everywhere', () => all().every((n) => !flagsOf(n).some((f) => f === 'fail' || f === 'fail?')), 20_000);
      await waitUntil('cluster_state:ok again', () => all().every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')), 20_000);
    });
  }
  it('a node restarted on another address (a rescheduled pod) rejoins with its ID and slots', async () => {
    const old = ours[1]!;
    const id = cli(old, 'cluster', 'myid');
    const slots = slotSignature(old);
    await old.stop('SIGTERM');
    const moved = await startNode({ host: '127.0.0.2', port: old.port, dir: old.dir, args: [...clusterArgs(), '--cluster-announce-ip', '127.0.0.2'] });
    ours[1] = moved;
    expect(cli(moved, 'cluster', 'myid')).toBe(id);
    await waitUntil('every node knows the new address', () => all().every((n) => nodesView(n).find((l) => l.id === id)?.ip === '127.0.0.2'), 30_000);
    await waitUntil('converged, same slots, cluster ok', () => converged(all()) && all().every((n) => slotSignature(n) === slots && cli(n, 'cluster', 'info').includes('cluster_state:ok')), 30_000);
    expect(cli(theirs[0]!, 'set', 'foo', 'x')).toBe(`MOVED 12182 127.0.0.2:${moved.port}`);
  });

  it('CLUSTER NODES, SHARDS, INFO and LINKS have the same shape and content on both kinds', async () => {
    await waitUntil('stable slot maps', () => new Set(all().map(slotSignature)).size === 1);
    // NODES: same lines once timestamps and the myself flag are set aside.
    const lines = (p: ServerProcess) =>
      cli(p, 'cluster', 'nodes').split('\n').map((l) => l.split(' ')).map((f) => [f[0], f[1], f[2]!.replace(/(myself,)/, ''), f[3], f[6], f[7], ...f.slice(8)].join(' ')).sort();
    await waitUntil('identical CLUSTER NODES', () => JSON.stringify(lines(ours[2]!)) === JSON.stringify(lines(theirs[2]!)));
    // SHARDS: order is the node table's, offsets are gossip-timed; the rest must be identical.
    const shards = async (p: ServerProcess) => {
      const c = await RawClient.connect(p.port);
      try {
        return sortArrayReply((await c.call('CLUSTER', 'SHARDS')).replace(/replication-offset\r\n:\d+/g, 'replication-offset\r\n:N'));
      } finally {
        c.close();
      }
    };
    expect(await shards(ours[2]!)).toBe(await shards(theirs[2]!));
    // INFO: same fields in the same order; state fields equal.
    const info = (p: ServerProcess) => cli(p, 'cluster', 'info').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^cluster_stats_messages_(?!sent|received)/.test(l));
    const fields = (p: ServerProcess) => info(p).map((l) => l.split(':')[0]);
    expect(fields(ours[2]!)).toEqual(fields(theirs[2]!));
    const stateOf = (p: ServerProcess) => info(p).filter((l) => /^cluster_(state|slots_|known_nodes|size|current_epoch)/.test(l));
    expect(stateOf(ours[2]!)).toEqual(stateOf(theirs[2]!));
    // LINKS: one outbound and one inbound link per peer, each a map with Redis's six keys.
    const links = async (p: ServerProcess) => {
      const c = await RawClient.connect(p.port);
      try {
        const raw = await c.call('CLUSTER', 'LINKS');
        const keys = [...raw.matchAll(/\$\d+\r\n(direction|node|create-time|events|send-buffer-allocated|send-buffer-used)\r\n/g)].map((m) => m[1]);
        return { count: Number(/^\*(\d+)/.exec(raw)![1]), to: raw.split('$2\r\nto\r\n').length - 1, from: raw.split('$4\r\nfrom\r\n').length - 1, keys: keys.slice(0, 6) };
      } finally {
        c.close();
      }
    };
    const [lo, lt] = [await links(ours[2]!), await links(theirs[2]!)];
    expect(lo).toEqual(lt);
    expect(lo.to).toBe(5);
  });

  it('CLUSTER FORGET bans the node from gossip on both kinds; RESET SOFT keeps ID and epochs', async () => {
    const gone = theirs[2]!;
    const id = cli(gone, 'cluster', 'myid');
    expect(cli(ours[0]!, 'cluster', 'forget', id)).toBe('OK');
    expect(cli(theirs[1]!, 'cluster', 'forget', id)).toBe('OK');
    // Everyone else keeps gossiping about it: the ban must hold for several ping rounds.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      for (const n of [ours[0]!, theirs[1]!]) expect(nodesView(n).map((l) => l.id)).not.toContain(id);
      await new Promise((r) => setTimeout(r, 200));
    }
    // A 7.0 node has no FORGOTTEN_NODE extension, so it keeps the node; our nodes got the ban
    // from ours[0] by gossip (7.2 behaviour), never through the 7.0 nodes.
    expect(nodesView(theirs[0]!).map((l) => l.id)).toContain(id);
    await waitUntil('our other nodes forget it by gossip', () => [ours[1]!, ours[2]!].every((n) => !nodesView(n).some((l) => l.id === id)));
    // RESET SOFT on a slot-less node of each kind: alone again, same ID and currentEpoch.
    for (const p of [ours[2]!, gone]) {
      cli(p, 'flushall');
      const before = cli(p, 'cluster', 'info');
      const myid = cli(p, 'cluster', 'myid');
      expect(cli(p, 'cluster', 'reset', 'soft')).toBe('OK');
      const after = cli(p, 'cluster', 'info');
      expect(after).toContain('cluster_known_nodes:1');
      expect(after).toContain('cluster_slots_assigned:0');
      expect(/cluster_current_epoch:(\d+)/.exec(after)![1]).toBe(/cluster_current_epoch:(\d+)/.exec(before)![1]);
      expect(cli(p, 'cluster', 'myid')).toBe(myid);
    }
    // 7.2's extensions (SHARDID, FORGOTTEN_NODE) never went to a 7.0 node: it warns for each.
    for (const p of theirs) expect(p.output()).not.toContain('unknown extension');
  });
});
