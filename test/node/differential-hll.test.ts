import { describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { runBoth, useServerPair, type Step } from '../helpers/differential.js';
import type { ServerProcess } from '../helpers/processes.js';

/** expectSameReplies with the long PFADD argument lists and values cut short in the report. */
async function expectSameReplies(ours: ServerProcess, theirs: ServerProcess, steps: Step[], resp: 2 | 3): Promise<void> {
  const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}... (${s.length} chars)` : s);
  const results = await runBoth(ours, theirs, steps, resp);
  const mismatches = results.filter((r) => r.ours !== r.theirs);
  expect(
    mismatches.map((m) => ({ cmd: cut(m.cmd.join(' ')), ours: cut(JSON.stringify(m.ours)), redis: cut(JSON.stringify(m.theirs)) })),
    'replies that differ from redis-server 7.0',
  ).toEqual([]);
}

// HyperLogLog against redis-server 7.0: replies and the raw bytes of the values (GET) must match,
// so that values move between our nodes and Redis unchanged (DUMP/RESTORE, MIGRATE).

/** PFADD of elements `prefix`from..to-1 in batches of `batch`, with GET/PFCOUNT after each. */
function addRange(key: string, prefix: string, from: number, to: number, batch: number, check = true): Step[] {
  const steps: Step[] = [];
  for (let i = from; i < to; i += batch) {
    const els: string[] = [];
    for (let j = i; j < Math.min(to, i + batch); j++) els.push(`${prefix}${j}`);
    steps.push(['PFADD', key, ...els]);
    if (check) steps.push(['GET', key], ['PFCOUNT', key]);
  }
  steps.push(['GET', key], ['PFCOUNT', key], ['GET', key], ['PFDEBUG', 'ENCODING', key]);
  return steps;
}

// A sparse value whose runs cover 16383 registers only (Z:16383), and one covering 16385.
const HDR = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80';
const SHORT = `${HDR}\x7f\xfe`;
const LONG = `${HDR}\x7f\xff\x80`;
const DENSE_HDR = 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80';

const steps: Step[] = [
  ['PFADD', 'e'],
  ['GET', 'e'],
  ['PFCOUNT', 'e'],
  ['GET', 'e'],
  ['PFADD', 'e'],
  ['PFADD', 'e', 'a', 'b', 'c', 'a'],
  ['PFADD', 'e', 'a'],
  ['GET', 'e'],
  ['PFCOUNT', 'e'],
  ['PFDEBUG', 'DECODE', 'e'],
  ['PFDEBUG', 'ENCODING', 'e'],
  ['PFCOUNT', 'nokey'],
  ['PFCOUNT', 'nokey', 'e'],
  ...addRange('h10', 'el:', 0, 10, 3),
  ['PFDEBUG', 'DECODE', 'h10'],
  ...addRange('h1k', 'x', 0, 1000, 50),
  ['PFDEBUG', 'DECODE', 'h1k'],
  ...addRange('h100k', 'big-', 0, 100000, 2500, false),
  ['PFCOUNT', 'h10', 'h1k'],
  ['PFCOUNT', 'h10', 'h1k', 'h100k', 'nokey'],
  ['PFMERGE', 'm1', 'h10', 'h1k'],
  ['GET', 'm1'],
  ['PFCOUNT', 'm1'],
  ['PFDEBUG', 'ENCODING', 'm1'],
  ['PFMERGE', 'm2', 'h10', 'h100k'],
  ['GET', 'm2'],
  ['PFCOUNT', 'm2'],
  ['PFMERGE', 'h10', 'h1k'],
  ['GET', 'h10'],
  ['EXPIRE', 'h10', '1000'],
  ['PFADD', 'h10', 'ttl-kept'],
  ['PFCOUNT', 'h10'],
  ['PFMERGE', 'h10', 'm1'],
  ['TTL', 'h10'],
  ['PFMERGE', 'only'],
  ['GET', 'only'],
  ['PFMERGE', 'h1k', 'h100k'],
  ['GET', 'h1k'],
  ['PFCOUNT', 'h1k'],
  // Big single registers (> 32) force a sparse value to dense.
  ['PFADD', 'hi', 'x'],
  ['PFDEBUG', 'TODENSE', 'hi'],
  ['PFDEBUG', 'TODENSE', 'hi'],
  ['GET', 'hi'],
  ['PFDEBUG', 'DECODE', 'hi'],
  ['PFDEBUG', 'ENCODING', 'hi'],
  ['PFDEBUG', 'GETREG', 'h10'],
  ['PFDEBUG', 'GETREG', 'nokey'],
  ['PFDEBUG', 'NOPE', 'h10'],
  ['PFDEBUG', 'getreg', 'h10', 'x'],
  // Wrong types and invalid strings.
  ['SET', 's', 'hello'],
  ['PFADD', 's', 'a'],
  ['PFCOUNT', 's'],
  ['PFCOUNT', 's', 'e'],
  ['PFMERGE', 'e', 's'],
  ['PFMERGE', 's', 'e'],
  ['PFDEBUG', 'ENCODING', 's'],
  ['RPUSH', 'l', 'a'],
  ['PFADD', 'l', 'a'],
  ['PFCOUNT', 'l'],
  ['PFCOUNT', 'e', 'l'],
  ['PFMERGE', 'l', 'e'],
  ['SET', 'n', '12345'],
  ['PFCOUNT', 'n'],
  ['SET', 'bad-enc', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'],
  ['PFCOUNT', 'bad-enc'],
  ['SET', 'bad-dense', `${DENSE_HDR}\x00\x00`],
  ['PFCOUNT', 'bad-dense'],
  ['PFADD', 'bad-dense', 'a'],
  // Corrupt sparse values: counted, added to and merged.
  ['SET', 'short', SHORT],
  ['PFCOUNT', 'short'],
  ['PFCOUNT', 'short', 'e'],
  ['PFADD', 'short', 'a', 'b', 'c', 'd'],
  ['GET', 'short'],
  ['PFMERGE', 'e', 'short'],
  ['PFDEBUG', 'GETREG', 'short'],
  ['PFDEBUG', 'TODENSE', 'short'],
  ['PFDEBUG', 'DECODE', 'short'],
  ['SET', 'long', LONG],
  ['PFCOUNT', 'long'],
  ['PFADD', 'long', 'a'],
  ['SET', 'cachedbad', `${HDR.slice(0, 8)}\x07\x00\x00\x00\x00\x00\x00\x00\x7f\xfe`],
  ['PFCOUNT', 'cachedbad'],
  ['SET', 'empty-sparse', HDR],
  ['PFCOUNT', 'empty-sparse'],
  ['PFADD', 'empty-sparse', 'a'],
  ['PFMERGE', 'dst', 'h100k', 'short'],
  ['EXISTS', 'dst'],
  ['PFMERGE', 'short', 'h100k'],
  ['GET', 'short'],
  // An HLL is a string: string commands work on it and DUMP output matches.
  ['STRLEN', 'h100k'],
  ['OBJECT', 'ENCODING', 'h100k'],
  ['OBJECT', 'ENCODING', 'e'],
  ['SET', 'copied', `${HDR}\x7f\xff`],
  ['OBJECT', 'ENCODING', 'copied'],
  ['PFCOUNT', 'copied'],
  ['OBJECT', 'ENCODING', 'copied'],
  ['SET', 'copied2', `${HDR}\x7f\xff`],
  ['PFADD', 'copied2'],
  ['OBJECT', 'ENCODING', 'copied2'],
  ['SET', 'copied3', `${HDR}\x7f\xff`],
  ['PFCOUNT', 'copied3', 'e'],
  ['OBJECT', 'ENCODING', 'copied3'],
  ['TYPE', 'h1k'],
  ['APPEND', 'e', 'x'],
  ['PFCOUNT', 'e'],
  ['PFADD', 'e', 'zz'],
  ['PFADD', 'a', 'b'],
  ['PFADD'],
  ['PFCOUNT'],
  ['PFMERGE'],
  ['PFSELFTEST', 'x'],
  ['COMMAND', 'INFO', 'PFADD', 'PFCOUNT', 'PFMERGE', 'PFDEBUG', 'PFSELFTEST'],
];

// Sparse values near the size limit, with a small limit set through CONFIG SET.
const limitSteps: Step[] = [
  ['CONFIG', 'SET', 'hll-sparse-max-bytes', '60'],
  ...addRange('lim', 'k', 0, 40, 1),
  ['CONFIG', 'SET', 'hll-sparse-max-bytes', '0'],
  ['PFADD', 'lim0', 'a'],
  ['GET', 'lim0'],
  ['PFDEBUG', 'ENCODING', 'lim0'],
  ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
  ...addRange('def', 'q', 0, 3000, 100),
  ['PFMERGE', 'sd', 'def', 'lim'],
  ['GET', 'sd'],
];

describe('HyperLogLog behaves like redis-server 7.0', () => {
  const { ours, redis } = useServerPair();

  it('PFADD/PFCOUNT/PFMERGE/PFDEBUG replies and values match (RESP2)', async () => {
    await expectSameReplies(ours, redis, steps, 2);
  });

  it('replies match (RESP3)', async () => {
    await expectSameReplies(ours, redis, steps, 3);
  });

  it('hll-sparse-max-bytes decides the promotion to dense', async () => {
    await expectSameReplies(ours, redis, limitSteps, 2);
  });

  it('values DUMPed by one server RESTORE on the other as the same HLL', async () => {
    const a = await RawClient.connect(ours.port, ours.host);
    const b = await RawClient.connect(redis.port, redis.host);
    try {
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        await from.call('DEL', 'src');
        await from.call('PFADD', 'src', ...Array.from({ length: 300 }, (_, i) => `e${i}`));
        const dump = await from.call('DUMP', 'src');
        const payload = dump.slice(dump.indexOf('\r\n') + 2, -2);
        expect(await to.call('RESTORE', 'copy', '0', payload, 'REPLACE')).toBe('+OK\r\n');
        expect(await to.call('GET', 'copy')).toBe(await from.call('GET', 'src'));
        expect(await to.call('PFCOUNT', 'copy')).toBe(await from.call('PFCOUNT', 'src'));
        expect(await to.call('PFADD', 'copy', 'more')).toBe(await from.call('PFADD', 'src', 'more'));
        expect(await to.call('GET', 'copy')).toBe(await from.call('GET', 'src'));
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('PFSELFTEST passes', async () => {
    const c = await RawClient.connect(ours.port, ours.host);
    try {
      expect(await c.call('PFSELFTEST')).toBe('+OK\r\n');
    } finally {
      c.close();
    }
  });
});
