import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatNodeLine, parseNodeLine, NodeLineError, NODE_FLAG_NAMES, type NodeLine } from '../../common/cluster-nodes.js';
import { slotRanges } from '../../common/slots.js';
import { bitmapRanges, formatClusterNodes, formatConf, parseConf, stateFromConf, writeConfInPlace, ConfError } from './nodes-conf.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addSlot, createNode, createState, type ClusterOptions } from './state.js';
import { NodeFlag } from '../bus/messages.js';

const OPTS: ClusterOptions = { nodeTimeout: 15000, requireFullCoverage: true, allowReplicaMigration: true, announceIp: '' };
const ID = (c: string) => c.repeat(40);

const examples = [
  '75b4a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7f9b29 127.0.0.1:31001@41001 myself,master - 0 1795394022000 1 connected 0-5460',
  '08d5a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7fc620 127.0.0.1:31005@41005 slave 75b4a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7f9b29 0 1795394023894 1 connected',
  '75b4a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7f9b29 127.0.0.1:31001@41001,node-a.example master - 0 1795394104000 1 connected 0-5460',
  '2d78a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7f65aa 127.0.0.1:31002@41002 master,fail - 1795394747024 1795394744504 12 disconnected',
  '214ca2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7fa2e9 127.0.0.1:31003@41003 myself,master - 0 1795394203000 3 connected 10923-16383 [11298->-2d784f14120baa649572253822a6efda019365aa]',
  '95e6a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7f5ecf 127.0.0.1:31009@41009 handshake - 0 0 0 disconnected',
  '95e6a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7f5ecf :0@0 myself,master - 0 0 0 connected',
  '95e6a2e0f8c1d1e1aa7d4f8c9b1d0a3c5e7f5ecf 127.0.0.1:7000@17000 myself,master - 0 0 0 connected 1 3-4 [5-<-2d784f14120baa649572253822a6efda019365aa]',
];

const line: fc.Arbitrary<NodeLine> = fc.record({
  id: fc.stringMatching(/^[0-9a-f]{40}$/),
  ip: fc.oneof(fc.constant(''), fc.ipV4()),
  port: fc.integer({ min: 0, max: 65535 }),
  cport: fc.integer({ min: 0, max: 65535 }),
  hostname: fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/)),
  shardId: fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: undefined }),
  flags: fc.subarray(NODE_FLAG_NAMES.filter((f) => f !== 'noflags'), { minLength: 1 }),
  masterId: fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: null }),
  pingSent: fc.nat(),
  pongReceived: fc.nat(),
  configEpoch: fc.nat(),
  connected: fc.boolean(),
  slots: fc.uniqueArray(fc.integer({ min: 0, max: 16383 }), { maxLength: 40 }).map((a) => {
    const set = new Set(a);
    return slotRanges((s) => set.has(s));
  }),
  migrating: fc.constant([]),
  importing: fc.constant([]),
});

describe('CLUSTER NODES line grammar', () => {
  it.each(examples)('round-trips %s', (l) => {
    expect(formatNodeLine(parseNodeLine(l))).toBe(l);
  });
  it('round-trips generated lines', () => {
    fc.assert(
      fc.property(line, (l) => {
        expect(parseNodeLine(formatNodeLine(l))).toEqual(l);
      }),
    );
  });
  it('never throws anything but NodeLineError on junk', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseNodeLine(s);
        } catch (e) {
          expect(e).toBeInstanceOf(NodeLineError);
        }
      }),
    );
  });
  it('defaults a missing bus port to port + 10000 and rejects unknown flags', () => {
    expect(parseNodeLine(`${ID('a')} 127.0.0.1:7000 myself,master - 0 0 0 connected`).cport).toBe(17000);
    expect(() => parseNodeLine(`${ID('a')} 127.0.0.1:7000 myself,wizard - 0 0 0 connected`)).toThrow(NodeLineError);
  });
});

describe('nodes.conf', () => {
  it('keeps ID, epochs, slots, roles and migration marks across a save and load', () => {
    const st = createState(ID('a'), OPTS, 1000);
    st.myself.ip = '127.0.0.1';
    st.myself.port = 7000;
    st.myself.cport = 17000;
    st.myself.configEpoch = 4;
    st.myself.shardId = ID('1');
    st.currentEpoch = 9;
    st.lastVoteEpoch = 3;
    const b = createNode(ID('b'), NodeFlag.MASTER, 1000);
    Object.assign(b, { ip: '127.0.0.1', port: 7001, cport: 17001, configEpoch: 9, shardId: ID('2'), hostname: 'b.example' });
    const c = createNode(ID('c'), NodeFlag.SLAVE, 1000);
    Object.assign(c, { ip: '127.0.0.1', port: 7002, cport: 17002, masterId: ID('b'), shardId: ID('3') });
    const h = createNode(ID('d'), NodeFlag.HANDSHAKE, 1000);
    for (const n of [b, c, h]) st.nodes.set(n.id, n);
    for (let s = 0; s < 100; s++) addSlot(st, st.myself, s);
    for (let s = 100; s < 16384; s++) addSlot(st, b, s);
    st.migrating.set(5, ID('b'));
    st.importing.set(200, ID('b'));
    const text = formatConf(st);
    expect(text).not.toContain(ID('d'));
    expect(text.endsWith('vars currentEpoch 9 lastVoteEpoch 3\n')).toBe(true);
    // Shard IDs are 7.2's aux field, after the (possibly empty) hostname.
    expect(text).toContain(`${ID('a')} 127.0.0.1:7000@17000,,shard-id=${ID('1')} myself,master - 0 0 4 connected 0-99 [5->-${ID('b')}] [200-<-${ID('b')}]\n`);
    expect(text).toContain(`${ID('b')} 127.0.0.1:7001@17001,b.example,shard-id=${ID('2')} master - 0 0 9 disconnected 100-16383\n`);
    expect(formatClusterNodes(st)).not.toContain('shard-id');
    const back = stateFromConf(parseConf(text), OPTS, 2000);
    expect(back.myself.shardId).toBe(ID('1'));
    expect(back.nodes.get(ID('b'))?.hostname).toBe('b.example');
    // A replica is in its master's shard.
    expect(back.nodes.get(ID('c'))?.shardId).toBe(ID('2'));
    expect(back.myself.id).toBe(ID('a'));
    expect(back.myself.configEpoch).toBe(4);
    expect(back.currentEpoch).toBe(9);
    expect(back.lastVoteEpoch).toBe(3);
    expect(back.owners[99]?.id).toBe(ID('a'));
    expect(back.owners[100]?.id).toBe(ID('b'));
    expect(back.nodes.get(ID('c'))?.masterId).toBe(ID('b'));
    expect(back.migrating.get(5)).toBe(ID('b'));
    expect(back.importing.get(200)).toBe(ID('b'));
    expect(formatConf(back)).toBe(text.replace(`shard-id=${ID('3')}`, `shard-id=${ID('2')}`));
  });
  it('reads 7.2 aux fields and files without them', () => {
    const l = parseNodeLine(`${ID('a')} 127.0.0.1:7000@17000,,tls-port=0,shard-id=${ID('e')} myself,master - 0 0 1 connected`);
    expect(l.hostname).toBe('');
    expect(l.shardId).toBe(ID('e'));
    expect(parseNodeLine(`${ID('a')} 127.0.0.1:7000@17000,h.example,nodename=x myself,master - 0 0 1 connected`).hostname).toBe('h.example');
    expect(() => parseNodeLine(`${ID('a')} 127.0.0.1:7000@17000,,shard-id=xyz myself,master - 0 0 1 connected`)).toThrow(NodeLineError);
    const st = stateFromConf(parseConf(`${ID('a')} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected\n`), OPTS, 0);
    expect(st.myself.shardId).toMatch(/^[0-9a-f]{40}$/);
    expect(st.myself.shardId).not.toBe(ID('a'));
  });
  it('raises currentEpoch to the largest configEpoch and rejects files without myself', () => {
    const st = stateFromConf(parseConf(`${ID('a')} :0@0 myself,master - 0 0 7 connected\nvars currentEpoch 2 lastVoteEpoch 0\n`), OPTS, 0);
    expect(st.currentEpoch).toBe(7);
    expect(() => parseConf(`${ID('a')} :0@0 master - 0 0 7 connected\n`)).toThrow(ConfError);
  });
});

describe('slot bitmap ranges', () => {
  it('equals the slot-by-slot scan', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2048, maxLength: 2048 }), fc.array(fc.tuple(fc.nat(2047), fc.constantFrom(0, 0xff)), { maxLength: 40 }), (bits, fills) => {
        const bm = Uint8Array.from(bits);
        for (const [i, v] of fills) bm.fill(v, i, Math.min(2048, i + 50));
        expect(bitmapRanges(bm)).toEqual(slotRanges((s) => (bm[s >> 3]! & (1 << (s & 7))) !== 0));
      }),
      { numRuns: 100 },
    );
  });
});

describe('nodes.conf in-place write', () => {
  it('leaves exactly the last content whatever the earlier sizes, and creates a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nodes-conf-'));
    try {
      const file = join(dir, 'nodes.conf');
      writeConfInPlace(file, 'first\n');
      expect(readFileSync(file, 'latin1')).toBe('first\n');
      fc.assert(
        fc.property(fc.array(fc.string({ maxLength: 300 }).map((x) => x.replace(/[^ -~]/g, 'x') + '\n'), { minLength: 1, maxLength: 6 }), (contents) => {
          for (const c of contents) writeConfInPlace(file, c);
          expect(readFileSync(file, 'latin1')).toBe(contents[contents.length - 1]);
        }),
        { numRuns: 50 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pads a shorter content with newlines before truncating, so any prefix of the work loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nodes-conf-'));
    try {
      const file = join(dir, 'nodes.conf');
      const long = formatConf(createState(ID('a'), OPTS, 0)) + '#'.repeat(200);
      writeFileSync(file, long);
      const short = formatConf(createState(ID('b'), OPTS, 0));
      writeConfInPlace(file, short);
      expect(readFileSync(file, 'latin1')).toBe(short);
      expect(parseConf(short + '\n'.repeat(50)).lines[0]!.id).toBe(ID('b'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nodes.conf lock', () => {
  it('refuses a file locked by another live process, takes over stale locks', async () => {
    const { mkdtempSync, writeFileSync, existsSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { lockConf } = await import('./nodes-conf.js');
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const path = join(dir, 'nodes.conf');
    try {
      writeFileSync(`${path}.lock`, String(process.ppid));
      expect(() => lockConf(path)).toThrow(ConfError);
      writeFileSync(`${path}.lock`, '999999999');
      const release = lockConf(path);
      expect(existsSync(`${path}.lock`)).toBe(true);
      release();
      expect(existsSync(`${path}.lock`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
