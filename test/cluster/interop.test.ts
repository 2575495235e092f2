// A mixed cluster of three redshard nodes and three Debian redis-server 7.0 nodes: MEET sent from
// either side converges, slot ownership set on either side is seen by both, a slot moved with the
// SETSLOT sequence propagates through epochs, redis-cli --cluster check passes from both sides,
// and garbage on our bus port closes only that link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { rawExchange, type ServerProcess } from '../helpers/processes.js';
import { encodeMessage, SLOT_BITMAP_LEN } from '../../node/bus/messages.js';
import { cli, converged, nodesView, slotSignature, startClusterNode, waitUntil } from './cluster-helpers.js';

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
    expect(cli(src, 'cluster', 'setslot', '5001', 'node', dstId)).toBe('OK');
    await waitUntil('everyone sees slot 5001 on the redshard node', () => all().every((n) => nodesView(n).find((l) => l.id === dstId)!.slots.some((r) => r.start <= 5001 && r.end >= 5001)), 20_000);
    await waitUntil('identical slot maps', () => new Set(all().map(slotSignature)).size === 1, 20_000);
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
    expect(ours[0]!.output()).toMatch(/Bad message received from Cluster bus/);
    expect(ours[0]!.output()).toMatch(/Received unknown packet type/);
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
      } finally {
        victim.proc.kill('SIGCONT');
      }
      await waitUntil('FAIL cleared everywhere', () => all().every((n) => !flagsOf(n).some((f) => f === 'fail' || f === 'fail?')), 20_000);
      await waitUntil('cluster_state:ok again', () => all().every((n) => cli(n, 'cluster', 'info').includes('cluster_state:ok')), 20_000);
    });
  }
});
