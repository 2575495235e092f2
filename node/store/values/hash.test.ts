import { describe, expect, it } from 'vitest';
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
    expect([...h.entries()]).toEqual([
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
