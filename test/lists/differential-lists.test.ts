// List commands against Debian's redis-server 7.0: same script, byte-identical replies, in RESP2
// and RESP3, error cases included. Blocking commands appear here only where they do not block.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectSameReplies, runBoth, useServerPair, type Step } from '../helpers/differential.js';
import { RawClient } from '../helpers/raw-client.js';
import { lzfDecompress } from '../../node/migration/lzf.js';

/** The node listpacks (hex, decompressed) of a DUMP payload of a QUICKLIST_2 list. */
function quicklistNodes(p: Buffer): string[] {
  let at = 0;
  const len = (): number => {
    const b = p[at]!;
    if (b >> 6 === 0) return (at++, b & 63);
    if (b >> 6 === 1) return ((at += 2), ((b & 63) << 8) | p[at - 1]!);
    if (b === 0x80) return ((at += 5), p.readUInt32BE(at - 4));
    throw new Error(`unexpected length byte ${b}`);
  };
  expect(p[at++]).toBe(18);
  const n = len();
  const nodes: string[] = [];
  for (let i = 0; i < n; i++) {
    expect(len()).toBe(2);
    if (p[at] === 0xc3) {
      at++;
      const clen = len();
      const ulen = len();
      nodes.push(Buffer.from(lzfDecompress(p.subarray(at, at + clen), ulen)!).toString('hex'));
      at += clen;
    } else {
      const l = len();
      nodes.push(p.subarray(at, at + l).toString('hex'));
      at += l;
    }
  }
  return nodes;
}

const pushPop: Step[] = [
  ['LPUSH', 'l', 'a', 'b', 'c'],
  ['RPUSH', 'l', 'x', 'y'],
  ['LRANGE', 'l', '0', '-1'],
  ['LLEN', 'l'],
  ['LLEN', 'nope'],
  ['LPUSHX', 'nope', 'a'],
  ['RPUSHX', 'nope', 'a'],
  ['EXISTS', 'nope'],
  ['LPUSHX', 'l', 'h1', 'h2'],
  ['RPUSHX', 'l', 't1'],
  ['LRANGE', 'l', '0', '-1'],
  ['LPOP', 'l'],
  ['RPOP', 'l'],
  ['LPOP', 'l', '2'],
  ['RPOP', 'l', '0'],
  ['RPOP', 'l', '100'],
  ['EXISTS', 'l'],
  ['LPOP', 'l'],
  ['LPOP', 'l', '3'],
  ['RPOP', 'l', '0'],
  ['LPOP', 'l', '-1'],
  ['LPOP', 'l', 'abc'],
  ['LPOP', 'l', '1', '2'],
  ['LPOP'],
  ['LPUSH', 'l'],
  ['RPUSH', 'e', ''],
  ['LRANGE', 'e', '0', '-1'],
  ['SET', 's', 'str'],
  ['LPUSH', 's', 'a'],
  ['LPUSHX', 's', 'a'],
  ['LPOP', 's'],
  ['LPOP', 's', '-1'],
  ['LPOP', 's', '0'],
  ['LLEN', 's'],
  ['LRANGE', 's', '0', '1'],
  ['LRANGE', 's', 'x', '1'],
  ['TYPE', 'e'],
];

const ranges: Step[] = [
  ['RPUSH', 'r', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  ['LRANGE', 'r', '2', '4'],
  ['LRANGE', 'r', '-3', '-1'],
  ['LRANGE', 'r', '-100', '100'],
  ['LRANGE', 'r', '5', '2'],
  ['LRANGE', 'r', '10', '20'],
  ['LRANGE', 'r', '-1', '-3'],
  ['LRANGE', 'r', '0', '9223372036854775807'],
  ['LRANGE', 'r', '-9223372036854775808', '0'],
  ['LRANGE', 'r', '0', '9223372036854775808'],
  ['LRANGE', 'r', 'a', '1'],
  ['LRANGE', 'missing', 'a', '1'],
  ['LRANGE', 'missing', '0', '-1'],
  ['LINDEX', 'r', '0'],
  ['LINDEX', 'r', '-1'],
  ['LINDEX', 'r', '10'],
  ['LINDEX', 'r', '-11'],
  ['LINDEX', 'r', 'x'],
  ['LINDEX', 'missing', 'x'],
  ['LINDEX', 'missing', '0'],
  ['LINDEX', 'r', '9223372036854775807'],
  ['LSET', 'r', '0', 'zero'],
  ['LSET', 'r', '-1', 'nine'],
  ['LSET', 'r', '10', 'x'],
  ['LSET', 'r', '-11', 'x'],
  ['LSET', 'r', 'x', 'x'],
  ['LSET', 'missing', '0', 'x'],
  ['LSET', 'missing', 'x', 'x'],
  ['LRANGE', 'r', '0', '-1'],
  ['LTRIM', 'r', '1', '-2'],
  ['LRANGE', 'r', '0', '-1'],
  ['LTRIM', 'r', '-100', '100'],
  ['LRANGE', 'r', '0', '-1'],
  ['LTRIM', 'r', '2', '1'],
  ['EXISTS', 'r'],
  ['RPUSH', 'r', 'a', 'b', 'c'],
  ['LTRIM', 'r', '5', '10'],
  ['EXISTS', 'r'],
  ['LTRIM', 'missing', '0', '1'],
  ['LTRIM', 'missing', 'x', '1'],
  ['SET', 's', 'v'],
  ['LTRIM', 's', '0', '1'],
  ['LINDEX', 's', '0'],
  ['LSET', 's', '0', 'x'],
];

const edits: Step[] = [
  ['RPUSH', 'e', 'a', 'b', 'a', 'c', 'a', 'b'],
  ['LINSERT', 'e', 'BEFORE', 'b', 'X'],
  ['LINSERT', 'e', 'after', 'c', 'Y'],
  ['LINSERT', 'e', 'AFTER', 'nothere', 'Z'],
  ['LINSERT', 'e', 'MIDDLE', 'a', 'Z'],
  ['LINSERT', 'missing', 'BEFORE', 'a', 'Z'],
  ['LINSERT', 'missing', 'bad', 'a', 'Z'],
  ['LRANGE', 'e', '0', '-1'],
  ['LREM', 'e', '1', 'a'],
  ['LRANGE', 'e', '0', '-1'],
  ['LREM', 'e', '-1', 'b'],
  ['LRANGE', 'e', '0', '-1'],
  ['LREM', 'e', '0', 'a'],
  ['LRANGE', 'e', '0', '-1'],
  ['LREM', 'e', '0', 'nothere'],
  ['LREM', 'e', 'x', 'a'],
  ['LREM', 'missing', 'x', 'a'],
  ['LREM', 'missing', '0', 'a'],
  ['LREM', 'e', '0', 'X'],
  ['LREM', 'e', '0', 'Y'],
  ['LREM', 'e', '0', 'c'],
  ['LREM', 'e', '0', 'b'],
  ['EXISTS', 'e'],
  ['SET', 's', 'v'],
  ['LINSERT', 's', 'BEFORE', 'a', 'b'],
  ['LREM', 's', '0', 'a'],
];

const lpos: Step[] = [
  ['RPUSH', 'p', 'a', 'b', 'c', 'a', 'b', 'c', 'a'],
  ['LPOS', 'p', 'a'],
  ['LPOS', 'p', 'c'],
  ['LPOS', 'p', 'z'],
  ['LPOS', 'p', 'a', 'RANK', '2'],
  ['LPOS', 'p', 'a', 'RANK', '-1'],
  ['LPOS', 'p', 'a', 'RANK', '-2'],
  ['LPOS', 'p', 'a', 'RANK', '4'],
  ['LPOS', 'p', 'a', 'COUNT', '0'],
  ['LPOS', 'p', 'a', 'COUNT', '2'],
  ['LPOS', 'p', 'a', 'COUNT', '2', 'RANK', '-1'],
  ['LPOS', 'p', 'a', 'COUNT', '0', 'RANK', '2'],
  ['LPOS', 'p', 'a', 'COUNT', '0', 'MAXLEN', '4'],
  ['LPOS', 'p', 'a', 'RANK', '-1', 'MAXLEN', '1'],
  ['LPOS', 'p', 'a', 'RANK', '-1', 'MAXLEN', '2', 'COUNT', '5'],
  ['LPOS', 'p', 'z', 'COUNT', '3'],
  ['LPOS', 'p', 'a', 'MAXLEN', '0'],
  ['LPOS', 'p', 'a', 'RANK', '0'],
  ['LPOS', 'p', 'a', 'RANK', 'x'],
  ['LPOS', 'p', 'a', 'RANK', '-9223372036854775808'],
  ['LPOS', 'p', 'a', 'RANK', '9223372036854775807'],
  ['LPOS', 'p', 'a', 'RANK', '-9223372036854775807'],
  ['LPOS', 'p', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1'],
  ['LPOS', 'p', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1', 'MAXLEN', '3'],
  ['LPOS', 'p', 'a', 'COUNT', '-1'],
  ['LPOS', 'p', 'a', 'COUNT', 'x'],
  ['LPOS', 'p', 'a', 'MAXLEN', '-1'],
  ['LPOS', 'p', 'a', 'MAXLEN', 'x'],
  ['LPOS', 'p', 'a', 'COUNT'],
  ['LPOS', 'p', 'a', 'FOO', '1'],
  ['LPOS', 'missing', 'a'],
  ['LPOS', 'missing', 'a', 'COUNT', '1'],
  ['LPOS', 'missing', 'a', 'RANK', '0'],
  ['SET', 's', 'v'],
  ['LPOS', 's', 'a'],
  ['LPOS', 's', 'a', 'COUNT', '1'],
];

const moves: Step[] = [
  ['RPUSH', 'src', '1', '2', '3'],
  ['RPOPLPUSH', 'src', 'dst'],
  ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
  ['LMOVE', 'src', 'dst', 'left', 'left'],
  ['EXISTS', 'src'],
  ['LRANGE', 'dst', '0', '-1'],
  ['RPOPLPUSH', 'src', 'dst'],
  ['LMOVE', 'src', 'dst', 'LEFT', 'UP'],
  ['LMOVE', 'src', 'dst', 'UP', 'LEFT'],
  ['LMOVE', 'dst', 'dst', 'LEFT', 'RIGHT'],
  ['LRANGE', 'dst', '0', '-1'],
  ['RPUSH', 'one', 'x'],
  ['RPOPLPUSH', 'one', 'one'],
  ['LRANGE', 'one', '0', '-1'],
  ['SET', 's', 'v'],
  ['RPOPLPUSH', 'dst', 's'],
  ['LRANGE', 'dst', '0', '-1'],
  ['RPOPLPUSH', 's', 'dst'],
  ['LMOVE', 's', 'dst', 'LEFT', 'LEFT'],
  ['LMOVE', 'missing', 's', 'LEFT', 'LEFT'],
  ['LMOVE', 'dst', 's', 'LEFT', 'LEFT'],
  ['BRPOPLPUSH', 'dst', 'other', '0'],
  ['BLMOVE', 'dst', 'other', 'RIGHT', 'RIGHT', '0'],
  ['BLMOVE', 'dst', 'other', 'RIGHT', 'UP', '0'],
  ['BLMOVE', 'dst', 'other', 'RIGHT', 'LEFT', 'x'],
  ['BLMOVE', 'dst', 'other', 'UP', 'LEFT', 'x'],
  ['BLMOVE', 'dst', 'other', 'RIGHT', 'LEFT', '-1'],
  ['BRPOPLPUSH', 'dst', 'other', '-1'],
  ['BRPOPLPUSH', 's', 'other', '0'],
  ['BLMOVE', 's', 'other', 'LEFT', 'LEFT', '0'],
  ['BRPOPLPUSH', 'dst', 's', '0'],
  ['LRANGE', 'other', '0', '-1'],
  ['LRANGE', 'dst', '0', '-1'],
];

const mpop: Step[] = [
  ['RPUSH', 'k2', 'a', 'b', 'c', 'd'],
  ['LMPOP', '2', 'k1', 'k2', 'LEFT'],
  ['LMPOP', '2', 'k1', 'k2', 'RIGHT', 'COUNT', '2'],
  ['LMPOP', '1', 'k2', 'left', 'count', '10'],
  ['LMPOP', '2', 'k1', 'k2', 'LEFT'],
  ['EXISTS', 'k2'],
  ['LMPOP', '0', 'k1', 'LEFT'],
  ['LMPOP', '-1', 'k1', 'LEFT'],
  ['LMPOP', 'x', 'k1', 'LEFT'],
  ['LMPOP', '2', 'k1', 'LEFT'],
  ['LMPOP', '9223372036854775807', 'k1', 'LEFT'],
  ['LMPOP', '1', 'k1', 'UP'],
  ['LMPOP', '1', 'k1', 'LEFT', 'COUNT', '0'],
  ['LMPOP', '1', 'k1', 'LEFT', 'COUNT', 'x'],
  ['LMPOP', '1', 'k1', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
  ['LMPOP', '1', 'k1', 'LEFT', 'COUNT'],
  ['LMPOP', '1', 'k1', 'LEFT', 'FOO'],
  ['LMPOP', '1', 'k1'],
  ['SET', 's', 'v'],
  ['RPUSH', 'k3', 'z'],
  ['LMPOP', '2', 's', 'k3', 'LEFT'],
  ['LMPOP', '2', 'k3', 's', 'LEFT'],
  ['LMPOP', '2', 'k3', 's', 'LEFT'],
  ['RPUSH', 'k4', '1', '2', '3'],
  ['BLMPOP', '0', '2', 'k1', 'k4', 'RIGHT', 'COUNT', '2'],
  ['BLMPOP', '0', '1', 'k4', 'LEFT', 'COUNT', '5'],
  ['BLMPOP', 'x', '1', 'k4', 'LEFT'],
  ['BLMPOP', '-1', '1', 'k4', 'LEFT'],
  ['BLMPOP', 'x', '0', 'k4', 'LEFT'],
  ['BLMPOP', 'x', '1', 'k4', 'UP'],
  ['BLMPOP', 'x', '1', 'k4', 'LEFT', 'COUNT', '0'],
  ['BLMPOP', '0', '1', 's', 'LEFT'],
  ['BLMPOP', '0', '1', 'k4'],
  ['RPUSH', 'b1', 'x', 'y'],
  ['BLPOP', 'nob', 'b1', '0'],
  ['BRPOP', 'nob', 'b1', '0'],
  ['EXISTS', 'b1'],
  ['BLPOP', 'b1', 'x'],
  ['BLPOP', 'b1', '-1'],
  ['BLPOP', 'b1', 'inf'],
  ['BLPOP', 'b1', ' 1'],
  ['BLPOP', 'b1', ''],
  ['BLPOP', 's', '0'],
  ['RPUSH', 'b2', 'v'],
  ['BLPOP', 'nob', 's', 'b2', '0'],
  ['BLPOP', 'b2', 's', '0'],
  ['BLPOP', 'b1'],
];

describe('list commands behave like redis-server 7.0', () => {
  const { ours, redis } = useServerPair();

  for (const resp of [2, 3] as const) {
    it(`push and pop (RESP${resp})`, () => expectSameReplies(ours, redis, pushPop, resp));
    it(`ranges, LINDEX, LSET, LTRIM (RESP${resp})`, () => expectSameReplies(ours, redis, ranges, resp));
    it(`LINSERT and LREM (RESP${resp})`, () => expectSameReplies(ours, redis, edits, resp));
    it(`LPOS (RESP${resp})`, () => expectSameReplies(ours, redis, lpos, resp));
    it(`RPOPLPUSH, LMOVE and their blocking forms with data (RESP${resp})`, () => expectSameReplies(ours, redis, moves, resp));
    it(`LMPOP, BLMPOP, BLPOP with data and argument errors (RESP${resp})`, () => expectSameReplies(ours, redis, mpop, resp));
  }

  const names = ['lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'llen', 'lrange', 'lindex', 'lset', 'linsert', 'lrem', 'ltrim', 'lpos', 'rpoplpush', 'lmove', 'lmpop', 'blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop'];
  for (const resp of [2, 3] as const) {
    it(`declares flags, key positions and key specs as COMMAND INFO does (RESP${resp})`, () =>
      expectSameReplies(ours, redis, names.map((c) => ['COMMAND', 'INFO', c]), resp));
  }

  it('DUMPs lists in the quicklist nodes Redis would and RESTOREs Redis payloads', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? String(i * 7919 - 5000) : i % 3 === 1 ? `item-${i}` : 'x'.repeat(i % 200)));
    await expectSameReplies(ours, redis, [['RPUSH', 'small', 'a', '1', '-2', ''], ['RPUSH', 'big', ...items], ['DUMP', 'small']]);
    const [a, b] = await Promise.all([RawClient.connect(ours.port), RawClient.connect(redis.port)]);
    try {
      // LZF output is not unique, so compare the listpack of every node after decompression.
      const bulk = (r: string) => Buffer.from(r.slice(r.indexOf('\r\n') + 2, -2), 'latin1');
      expect(quicklistNodes(bulk(await a.call('DUMP', 'big')))).toEqual(quicklistNodes(bulk(await b.call('DUMP', 'big'))));
      for (const fill of ['7', '-1']) {
        for (const c of [a, b]) {
          await c.call('CONFIG', 'SET', 'list-max-listpack-size', fill);
          await c.call('RPUSH', `fill${fill}`, ...items.slice(0, 200));
          await c.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
        }
        await a.call('CONFIG', 'SET', 'list-max-listpack-size', fill);
        const mine = quicklistNodes(bulk(await a.call('DUMP', `fill${fill}`)));
        await a.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
        expect(mine).toEqual(quicklistNodes(bulk(await b.call('DUMP', `fill${fill}`))));
      }
      for (const key of ['small', 'big']) {
        const payload = await b.call('DUMP', key);
        expect(await a.call('RESTORE', `${key}-copy`, '0', payload.slice(payload.indexOf('\r\n') + 2, -2))).toBe('+OK\r\n');
        expect(await a.call('LRANGE', `${key}-copy`, '0', '-1')).toBe(await b.call('LRANGE', key, '0', '-1'));
        // OBJECT comes with the generic-keys work; compare once this node has it.
        if ((await a.call('COMMAND', 'INFO', 'object')) !== '*1\r\n*-1\r\n')
          expect(await a.call('OBJECT', 'ENCODING', `${key}-copy`)).toBe(await b.call('OBJECT', 'ENCODING', key));
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('agrees with Redis on random sequences of list commands', async () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const val = fc.constantFrom('x', 'y', 'z', '1', '-7', '');
    const idx = fc.integer({ min: -6, max: 6 }).map(String);
    const end = fc.constantFrom('LEFT', 'RIGHT');
    const cmd: fc.Arbitrary<string[]> = fc.oneof(
      fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, fc.array(val, { minLength: 1, maxLength: 4 })).map(([c, k, vs]) => [c, k, ...vs]),
      fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.option(fc.nat(4).map(String), { nil: undefined })).map(([c, k, n]) => (n === undefined ? [c, k] : [c, k, n])),
      fc.tuple(key, fc.constantFrom('BEFORE', 'AFTER'), val, val).map(([k, w, p, v]) => ['LINSERT', k, w, p, v]),
      fc.tuple(key, idx, val).map(([k, n, v]) => ['LREM', k, n, v]),
      fc.tuple(key, idx, idx).map(([k, a, b]) => ['LTRIM', k, a, b]),
      fc.tuple(key, idx, idx).map(([k, a, b]) => ['LRANGE', k, a, b]),
      fc.tuple(key, idx, val).map(([k, i, v]) => ['LSET', k, i, v]),
      fc.tuple(key, idx).map(([k, i]) => ['LINDEX', k, i]),
      fc.tuple(key, val, fc.constantFrom([], ['RANK', '-1'], ['RANK', '2'], ['COUNT', '0'], ['COUNT', '2', 'RANK', '-2'], ['MAXLEN', '3', 'COUNT', '0'])).map(([k, v, o]) => ['LPOS', k, v, ...o]),
      fc.tuple(key, key, end, end).map(([a, b, f, t]) => ['LMOVE', a, b, f, t]),
      fc.tuple(key, key).map(([a, b]) => ['RPOPLPUSH', a, b]),
      fc.tuple(key, key, end, fc.nat(3)).map(([a, b, w, n]) => ['LMPOP', '2', a, b, w, 'COUNT', String(n + 1)]),
      fc.tuple(key, key).map(([a, b]) => ['BLPOP', a, b, '0.001']),
      key.map((k) => ['LLEN', k]),
      key.map((k) => ['SET', k, 'str']),
      key.map((k) => ['DEL', k]),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 40 }), async (steps) => {
        const all = [...steps, ['LRANGE', 'a', '0', '-1'], ['LRANGE', 'b', '0', '-1'], ['LRANGE', 'c', '0', '-1']];
        const results = await runBoth(ours, redis, all);
        const bad = results.find((r) => r.ours !== r.theirs);
        expect(bad, JSON.stringify(bad)).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it('reports key positions for movable-key commands', () =>
    expectSameReplies(ours, redis, [
      ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'],
      ['COMMAND', 'GETKEYS', 'BLMPOP', '0', '3', 'a', 'b', 'c', 'RIGHT', 'COUNT', '2'],
      ['COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', '0'],
      ['COMMAND', 'GETKEYS', 'LMOVE', 'a', 'b', 'LEFT', 'RIGHT'],
      ['COMMAND', 'GETKEYS', 'LMPOP', '2abc', 'a', 'b', 'LEFT'],
      ['COMMAND', 'GETKEYS', 'LMPOP', '0', 'a', 'LEFT'],
      ['COMMAND', 'GETKEYS', 'LMPOP', '3', 'a', 'LEFT'],
      ['COMMAND', 'GETKEYS', 'BLMPOP', '0', 'x', 'a', 'LEFT'],
      ['COMMAND', 'GETKEYS', 'LMPOP', '1'],
      ['COMMAND', 'GETKEYS', 'LLEN', 'a', 'b'],
    ]));
});
