import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareCanonicalInts, isCanonicalInt64, SetValue } from './set.js';
import type { EncodingThresholds } from './object.js';

const t: EncodingThresholds = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 4,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  listMaxListpackSize: -2,
};

describe('canonical 64-bit integers', () => {
  it('accepts exactly what string2ll accepts', () => {
    for (const s of ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '1234567890']) expect(isCanonicalInt64(s)).toBe(true);
    for (const s of ['', '-', '-0', '+1', '01', ' 1', '1 ', '1.0', '9223372036854775808', '-9223372036854775809', '99999999999999999999', 'a']) {
      expect(isCanonicalInt64(s)).toBe(false);
    }
  });

  it('agrees with BigInt on every bigint in range (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(isCanonicalInt64(n.toString())).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        let expected = false;
        if (/^(0|-?[1-9][0-9]*)$/.test(s)) {
          const n = BigInt(s);
          expected = n >= -(2n ** 63n) && n < 2n ** 63n;
        }
        expect(isCanonicalInt64(s)).toBe(expected);
      }),
    );
  });

  it('orders numerically (property)', () => {
    const big = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(big, big, (a, b) => {
        expect(Math.sign(compareCanonicalInts(a.toString(), b.toString()))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});

describe('SetValue', () => {
  it('is an intset iterating in ascending order while it holds few integers', () => {
    const s = new SetValue();
    for (const m of ['30', '-5', '7', '0']) expect(s.add(m, t)).toBe(true);
    expect(s.add('7', t)).toBe(false);
    expect(s.encoding()).toBe('intset');
    expect([...s.values()]).toEqual(['-5', '0', '7', '30']);
    expect(s.has('07')).toBe(false);
    expect(s.has('-0')).toBe(false);
    expect(s.remove('x')).toBe(false);
    expect(s.remove('0')).toBe(true);
    expect(s.size()).toBe(3);
  });

  it('becomes a hashtable for a non-integer or past the size limit, and stays one', () => {
    const a = new SetValue();
    a.add('1', t);
    a.add('x', t);
    a.remove('x');
    expect(a.encoding()).toBe('hashtable');
    expect(a.has('1')).toBe(true);
    const b = new SetValue();
    for (const m of ['1', '2', '3', '4', '5']) b.add(m, t);
    expect(b.encoding()).toBe('hashtable');
    b.remove('5');
    expect(b.encoding()).toBe('hashtable');
  });

  it('goes back to an intset after a bulk pop when it can, as Redis rebuilds the set', () => {
    const s = new SetValue();
    for (let i = 0; i < 10; i++) s.add(String(i), t);
    for (let i = 0; i < 8; i++) s.remove(String(i));
    s.reencodeAfterBulkPop(t);
    expect(s.encoding()).toBe('intset');
    expect([...s.values()]).toEqual(['8', '9']);
  });

  it('behaves as a set under any sequence of adds and removes (property)', () => {
    const member = fc.oneof(fc.integer({ min: -20, max: 20 }).map(String), fc.constantFrom('a', 'b', '-0', '007'));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), member), { maxLength: 200 }), (ops) => {
        const s = new SetValue();
        const model = new Set<string>();
        for (const [add, m] of ops) {
          if (add) expect(s.add(m, { ...t, setMaxIntsetEntries: 16 })).toBe(!model.has(m));
          else expect(s.remove(m)).toBe(model.has(m));
          if (add) model.add(m);
          else model.delete(m);
          expect(s.size()).toBe(model.size);
        }
        expect([...s.values()].sort()).toEqual([...model].sort());
        for (const m of model) expect(s.has(m)).toBe(true);
        if (model.size > 0) expect(model.has(s.randomMember())).toBe(true);
        const scanned = new Set<string>();
        let cursor = 0;
        do {
          const out: string[] = [];
          cursor = s.scan(cursor, 3, out);
          for (const m of out) scanned.add(m);
        } while (cursor !== 0);
        expect([...scanned].sort()).toEqual([...model].sort());
      }),
    );
  });

  it('clones deeply', () => {
    const s = new SetValue();
    for (const m of ['a', 'b']) s.add(m, t);
    const c = s.clone();
    c.remove('a');
    expect(s.has('a')).toBe(true);
    expect(c.encoding()).toBe('hashtable');
  });
});
