import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyTable, tableHash } from './key-table.js';

type Op = { kind: 'set'; key: string; value: number } | { kind: 'get'; key: string } | { kind: 'delete'; key: string } | { kind: 'getThenSet'; key: string; value: number } | { kind: 'clear' };

// Few distinct keys so that operations hit the same keys and probe runs overlap.
const key = fc.oneof(fc.integer({ min: 0, max: 300 }).map((i) => `k:${i}`), fc.string({ maxLength: 4 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('getThenSet' as const), key, value: fc.integer() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** Applies `ops` to the table and to a Map side by side, checking every answer and the end state. */
function replay(t: KeyTable<number>, ops: Op[]): void {
  const m = new Map<string, number>();
  for (const o of ops) {
    if (o.kind === 'set' || o.kind === 'getThenSet') {
      if (o.kind === 'getThenSet') expect(t.get(o.key)).toBe(m.get(o.key));
      expect(t.set(o.key, o.value)).toBe(m.get(o.key));
      // A key added (or found) leaves its hash for the keyspace's access clock.
      if (!m.has(o.key) || o.kind === 'getThenSet') expect(t.lastHash).toBe(tableHash(o.key));
      m.set(o.key, o.value);
    } else if (o.kind === 'get') {
      expect(t.get(o.key)).toBe(m.get(o.key));
      if (m.has(o.key)) expect(t.lastHash).toBe(tableHash(o.key));
    }
    else if (o.kind === 'delete') {
      expect(t.delete(o.key)).toBe(m.get(o.key));
      m.delete(o.key);
    } else {
      t.clear();
      m.clear();
    }
    expect(t.size).toBe(m.size);
  }
  for (const [k, v] of m) expect(t.get(k)).toBe(v);
}

describe('KeyTable', () => {
  it('behaves as a Map under any sequence of sets, gets, deletes and clears', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 1500 }), (ops) => {
        replay(new KeyTable<number>(), ops);
      }),
      { numRuns: 200 },
    );
  });

  it('grows to many keys and shrinks back when they are deleted', () => {
    const t = new KeyTable<number>();
    const n = 50_000;
    for (let i = 0; i < n; i++) t.set(`key:${i}`, i);
    expect(t.size).toBe(n);
    for (let i = 0; i < n; i += 2) expect(t.delete(`key:${i}`)).toBe(i);
    for (let i = 0; i < n; i++) expect(t.get(`key:${i}`)).toBe(i % 2 === 0 ? undefined : i);
    for (let i = 1; i < n; i += 2) t.delete(`key:${i}`);
    expect(t.size).toBe(0);
    expect(t.get('key:1')).toBeUndefined();
  });

  it('a write after a get lands on the live cell even after deletes moved it', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 1000; i++) t.set(`k${i}`, i);
    expect(t.get('k500')).toBe(500);
    for (let i = 0; i < 1000; i += 3) if (i !== 500) t.delete(`k${i}`);
    expect(t.set('k500', -1)).toBe(500);
    expect(t.get('k500')).toBe(-1);
    const u = new KeyTable<number>();
    t.swap(u);
    expect(u.set('k500', -2)).toBe(-1);
    expect(t.get('k500')).toBeUndefined();
  });
});

describe('KeyTable with one small sub-table (collection members)', () => {
  it('behaves as a Map from its smallest size up and back', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 800 }), (ops) => {
        replay(new KeyTable<number>(1, 2), ops);
      }),
      { numRuns: 200 },
    );
  });
});

describe('KeyTable.getRecent', () => {
  it('answers as get() whatever happened since the last lookup', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 600 }), key, (ops, probe) => {
        const t = new KeyTable<number>();
        const m = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set' || o.kind === 'getThenSet') {
            t.set(o.key, o.value);
            m.set(o.key, o.value);
          } else if (o.kind === 'get') t.get(o.key);
          else if (o.kind === 'delete') {
            t.delete(o.key);
            m.delete(o.key);
          }
          expect(t.getRecent(probe)).toBe(m.get(probe));
          expect(t.getRecent(o.kind === 'clear' ? probe : o.key)).toBe(m.get(o.kind === 'clear' ? probe : o.key));
        }
      }),
      { numRuns: 100 },
    );
  });
});
