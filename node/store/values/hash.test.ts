import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HashValue } from './hash.js';
import type { EncodingThresholds } from './object.js';

const t: EncodingThresholds = {
  hashMaxListpackEntries: 4,
  hashMaxListpackValue: 8,
  setMaxIntsetEntries: 4,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  listMaxListpackSize: -2,
};

describe('HashValue', () => {
  it('keeps insertion order and updates values in place, like a listpack', () => {
    const h = new HashValue();
    expect(h.set('a', '1', t)).toBe(true);
    expect(h.set('b', '2', t)).toBe(true);
    expect(h.set('a', '3', t)).toBe(false);
    const seen: string[][] = [];
    h.forEach((f, v) => seen.push([f, v]));
    expect(seen).toEqual([
      ['a', '3'],
      ['b', '2'],
    ]);
    expect(h.encoding()).toBe('listpack');
    expect(h.size()).toBe(2);
  });

  it('becomes a hashtable past the entry limit and stays one', () => {
    const h = new HashValue();
    for (const f of ['a', 'b', 'c', 'd']) h.set(f, '1', t);
    expect(h.encoding()).toBe('listpack');
    h.set('e', '1', t);
    expect(h.encoding()).toBe('hashtable');
    for (const f of ['a', 'b', 'c', 'd']) h.delete(f);
    expect(h.size()).toBe(1);
    expect(h.encoding()).toBe('hashtable');
  });

  it('becomes a hashtable for a long field or value', () => {
    const a = new HashValue();
    a.set('f', '123456789', t);
    expect(a.encoding()).toBe('hashtable');
    const b = new HashValue();
    b.set('123456789', 'v', t);
    expect(b.encoding()).toBe('hashtable');
    const c = new HashValue();
    c.set('f', '12345678', t);
    expect(c.encoding()).toBe('listpack');
  });

  it('scans a listpack in one call and a hashtable in pages', () => {
    const small = new HashValue();
    small.set('a', '1', t);
    small.set('b', '2', t);
    const out: string[] = [];
    expect(small.scan(12345, 1, out)).toBe(0);
    expect(out).toEqual(['a', '1', 'b', '2']);

    const big = new HashValue();
    for (let i = 0; i < 100; i++) big.set(`f${i}`, `v${i}`, t);
    const pairs = new Map<string, string>();
    let cursor = 0;
    do {
      const page: string[] = [];
      cursor = big.scan(cursor, 10, page);
      expect(page.length).toBeLessThanOrEqual(20);
      for (let i = 0; i < page.length; i += 2) pairs.set(page[i]!, page[i + 1]!);
    } while (cursor !== 0);
    expect(pairs.size).toBe(100);
    expect(pairs.get('f42')).toBe('v42');
  });

  it('picks random fields among live ones only', () => {
    const h = new HashValue();
    for (let i = 0; i < 200; i++) h.set(`f${i}`, 'v', t);
    for (let i = 0; i < 190; i++) h.delete(`f${i}`);
    for (let i = 0; i < 500; i++) expect(h.has(h.randomField())).toBe(true);
    const small = new HashValue();
    small.set('only', 'v', t);
    expect(small.randomField()).toBe('only');
  });

  it('behaves as a map under any sequence of writes, in either encoding (property)', () => {
    const field = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'long-field-name');
    const value = fc.constantFrom('1', '2', 'x', 'a-long-value');
    const op = fc.tuple(fc.boolean(), field, value);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
        const h = new HashValue();
        const model = new Map<string, string>();
        let converted = false;
        for (const [set, f, v] of ops) {
          if (set) {
            expect(h.set(f, v, t)).toBe(!model.has(f));
            model.set(f, v);
            if (f.length > 8 || v.length > 8 || model.size > 4) converted = true;
          } else {
            expect(h.delete(f)).toBe(model.has(f));
            model.delete(f);
          }
          expect(h.size()).toBe(model.size);
          expect(h.encoding()).toBe(converted ? 'hashtable' : 'listpack');
        }
        const seen: [string, string][] = [];
        h.forEach((f, v) => seen.push([f, v]));
        // Both encodings iterate in insertion order, like the model.
        expect(seen).toEqual([...model]);
        expect(h.fields()).toEqual([...model.keys()]);
        expect([...h.entries()]).toEqual([...model]);
        expect([...h.keys()]).toEqual([...model.keys()]);
        expect([...h.values()]).toEqual([...model.values()]);
        for (const [f, v] of model) expect(h.get(f)).toBe(v);
        expect(h.get('zz')).toBeUndefined();
        if (model.size > 0) expect(model.has(h.randomField())).toBe(true);
      }),
    );
  });

  it('clones deeply, keeping the encoding', () => {
    const h = new HashValue();
    for (let i = 0; i < 10; i++) h.set(`f${i}`, 'v', t);
    const c = h.clone();
    c.set('f0', 'changed', t);
    c.delete('f1');
    expect(h.get('f0')).toBe('v');
    expect(h.has('f1')).toBe(true);
    expect(c.encoding()).toBe('hashtable');
    expect(c.size()).toBe(9);
  });
});
