import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OrderedTable } from './ordered-table.js';

type Op = { kind: 'set'; key: string; value: number } | { kind: 'get'; key: string } | { kind: 'delete'; key: string } | { kind: 'clear' };

const key = fc.oneof(fc.integer({ min: 0, max: 200 }).map((i) => `f:${i}`), fc.string({ maxLength: 3 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 60, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }) },
  { weight: 20, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 45, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('OrderedTable', () => {
  it('behaves as a Map, insertion order included, under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 1500 }), (ops) => {
        const t = new OrderedTable<number>();
        const m = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            t.set(o.key, o.value);
            m.set(o.key, o.value);
          } else if (o.kind === 'get') {
            expect(t.get(o.key)).toBe(m.get(o.key));
            expect(t.has(o.key)).toBe(m.has(o.key));
          } else if (o.kind === 'delete') expect(t.delete(o.key)).toBe(m.delete(o.key));
          else {
            t.clear();
            m.clear();
          }
          expect(t.size).toBe(m.size);
        }
        expect([...t]).toEqual([...m]);
        expect([...t.keys()]).toEqual([...m.keys()]);
        expect([...t.values()]).toEqual([...m.values()]);
        const seen: [string, number][] = [];
        t.forEach((v, k) => seen.push([k, v]));
        expect(seen).toEqual([...m]);
      }),
      { numRuns: 200 },
    );
  });

  it('an iteration in progress sees every entry present throughout, whatever is deleted meanwhile', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 400 }), fc.array(op, { minLength: 50, maxLength: 400 }), (setup, during) => {
        const t = new OrderedTable<number>();
        for (const o of setup) if (o.kind === 'set') t.set(o.key, o.value);
        const before = new Set(t.keys());
        const touched = new Set<string>();
        const seen = new Set<string>();
        let k = 0;
        for (const key of t.keys()) {
          seen.add(key);
          // Interleave the other operations with the iteration.
          for (let n = 0; n < 3 && k < during.length; n++, k++) {
            const o = during[k]!;
            if (o.kind === 'set') t.set(o.key, o.value);
            else if (o.kind === 'delete') {
              t.delete(o.key);
              touched.add(o.key);
            }
          }
        }
        for (const key of before) if (!touched.has(key)) expect(seen.has(key)).toBe(true);
        // Compaction waited for the iteration; later deletes compact as usual.
        for (const key of [...t.keys()]) t.delete(key);
        expect(t.size).toBe(0);
        expect([...t]).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('holds many entries and shrinks back', () => {
    const t = new OrderedTable<number>();
    for (let i = 0; i < 20_000; i++) t.set(`m${i}`, i);
    for (let i = 0; i < 20_000; i += 2) t.delete(`m${i}`);
    expect(t.size).toBe(10_000);
    expect([...t.keys()].slice(0, 3)).toEqual(['m1', 'm3', 'm5']);
    for (let i = 1; i < 20_000; i += 2) expect(t.get(`m${i}`)).toBe(i);
    const copy = new OrderedTable(t);
    expect([...copy]).toEqual([...t]);
  });
});
