import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddResult, ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NX, ZADD_XX, ZSet } from './zset.js';
import type { EncodingThresholds } from './object.js';

const lim = { zsetMaxListpackEntries: 4, zsetMaxListpackValue: 8 };
const cfg = {} as EncodingThresholds;

describe('ZSet', () => {
  it('applies ZADD flags like zsetAdd', () => {
    const z = ZSet.forFirstMember('a', lim);
    expect(z.add(1, 'a', 0, lim)).toBe(AddResult.Added);
    expect(z.add(1, 'a', 0, lim)).toBe(AddResult.Same);
    expect(z.add(2, 'a', ZADD_NX, lim)).toBe(AddResult.Nop);
    expect(z.add(2, 'b', ZADD_XX, lim)).toBe(AddResult.Nop);
    expect(z.add(0, 'a', ZADD_GT, lim)).toBe(AddResult.Nop);
    expect(z.add(5, 'a', ZADD_LT, lim)).toBe(AddResult.Nop);
    expect(z.add(5, 'a', ZADD_GT, lim)).toBe(AddResult.Updated);
    expect(z.add(2, 'a', ZADD_INCR, lim)).toBe(AddResult.Updated);
    expect(z.lastScore).toBe(7);
    expect(z.add(Infinity, 'a', 0, lim)).toBe(AddResult.Updated);
    expect(z.add(-Infinity, 'a', ZADD_INCR, lim)).toBe(AddResult.Nan);
    expect(z.add(NaN, 'x', 0, lim)).toBe(AddResult.Nan);
  });

  it('tracks the encoding Redis would use, converting only upwards', () => {
    const z = ZSet.forFirstMember('a', lim);
    for (const m of ['a', 'b', 'c', 'd']) z.add(1, m, 0, lim);
    expect(z.encoding(cfg)).toBe('listpack');
    z.add(1, 'e', 0, lim);
    expect(z.encoding(cfg)).toBe('skiplist');
    z.remove('e');
    z.remove('d');
    expect(z.encoding(cfg)).toBe('skiplist');
    z.shrinkEncodingIfFits(lim);
    expect(z.encoding(cfg)).toBe('listpack');
    const long = ZSet.forFirstMember('123456789', lim);
    expect(long.encoding(cfg)).toBe('skiplist');
    const small = ZSet.forFirstMember('x', lim);
    small.add(1, 'x', 0, lim);
    small.add(1, '123456789', 0, lim);
    expect(small.encoding(cfg)).toBe('skiplist');
    expect(ZSet.forFirstMember('x', { zsetMaxListpackEntries: 0, zsetMaxListpackValue: 64 }).encoding(cfg)).toBe('skiplist');
    expect(small.clone().encoding(cfg)).toBe('skiplist');
  });

  it('stores -0 as 0 only while a listpack', () => {
    const lp = ZSet.forFirstMember('a', lim);
    lp.add(-0, 'a', 0, lim);
    expect(Object.is(lp.score('a'), 0)).toBe(true);
    const sk = new ZSet(false);
    sk.add(-0, 'a', 0, lim);
    expect(Object.is(sk.score('a'), -0)).toBe(true);
  });

  it('ranks from either end', () => {
    const z = new ZSet(false);
    ['a', 'b', 'c'].forEach((m, i) => z.add(i, m, 0, lim));
    expect(z.rank('a', false)).toBe(0);
    expect(z.rank('a', true)).toBe(2);
    expect(z.rank('zz', false)).toBe(-1);
  });

  it('ZSCAN pages return every member present throughout, whatever changes in between', () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('add' as const), m: fc.integer({ min: 0, max: 300 }), s: fc.integer({ min: -50, max: 50 }) }),
      fc.record({ op: fc.constant('del' as const), m: fc.integer({ min: 0, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.array(step, { maxLength: 15 }), { maxLength: 60 }), (initial, count, changes) => {
        const z = new ZSet(false);
        for (let i = 0; i < initial; i++) z.add(i % 7, `m${i}`, 0, lim);
        const removed = new Set<string>();
        const seen = new Set<string>();
        const initialMembers = [...z.members()].map((n) => n.member);
        let cursor = 0;
        let pages = 0;
        do {
          const page = z.scanPage(cursor, count);
          expect(page.nodes.length).toBeLessThanOrEqual(count);
          for (const n of page.nodes) seen.add(n.member);
          cursor = page.next;
          for (const c of changes[pages] ?? []) {
            const m = `m${c.m}`;
            if (c.op === 'add') z.add(c.s, m, 0, lim);
            else if (z.remove(m)) removed.add(m);
          }
          pages++;
        } while (cursor !== 0 && pages < 10000);
        expect(cursor).toBe(0);
        for (const m of initialMembers) if (!removed.has(m)) expect(seen.has(m)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
