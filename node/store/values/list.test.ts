import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ListValue } from './list.js';

type Op =
  | { op: 'pushHead' | 'pushTail'; v: string }
  | { op: 'popHead' | 'popTail' }
  | { op: 'set'; i: number; v: string }
  | { op: 'insert'; i: number; v: string }
  | { op: 'remove'; v: string; count: number }
  | { op: 'trim'; h: number; t: number };

const value = fc.constantFrom('a', 'b', 'c', '', 'x\0y');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), v: value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('set' as const), i: fc.nat(), v: value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), i: fc.nat(), v: value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), v: value, count: fc.integer({ min: -3, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('trim' as const), h: fc.nat(5), t: fc.nat(5) }) },
);

/** Applies op to both the deque and a plain array model. */
function apply(l: ListValue, model: string[], o: Op): void {
  switch (o.op) {
    case 'pushHead':
      l.pushHead(o.v);
      model.unshift(o.v);
      break;
    case 'pushTail':
      l.pushTail(o.v);
      model.push(o.v);
      break;
    case 'popHead':
      expect(l.popHead()).toBe(model.shift());
      break;
    case 'popTail':
      expect(l.popTail()).toBe(model.pop());
      break;
    case 'set':
      if (model.length === 0) return;
      l.set(o.i % model.length, o.v);
      model[o.i % model.length] = o.v;
      break;
    case 'insert': {
      const i = o.i % (model.length + 1);
      l.insertAt(i, o.v);
      model.splice(i, 0, o.v);
      break;
    }
    case 'remove': {
      let left = o.count === 0 ? Infinity : Math.abs(o.count);
      let removed = 0;
      const idx = model.map((_, i) => i);
      if (o.count < 0) idx.reverse();
      const drop = new Set<number>();
      for (const i of idx) if (left > 0 && model[i] === o.v) (drop.add(i), left--, removed++);
      const next = model.filter((_, i) => !drop.has(i));
      model.length = 0;
      model.push(...next);
      expect(l.remove(o.v, o.count)).toBe(removed);
      break;
    }
    case 'trim': {
      l.trim(o.h, o.t);
      const next = o.h + o.t >= model.length ? [] : model.slice(o.h, model.length - o.t);
      model.length = 0;
      model.push(...next);
      break;
    }
  }
}

describe('ListValue deque', () => {
  it('behaves like an array under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const l = new ListValue();
        const model: string[] = [];
        for (const o of ops) {
          apply(l, model, o);
          expect(l.size()).toBe(model.length);
        }
        expect([...l.values()]).toEqual(model);
        for (let i = 0; i < model.length; i++) expect(l.at(i)).toBe(model[i]);
        if (model.length > 0) expect(l.slice(0, model.length - 1)).toEqual(model);
        expect(l.indexOf('b')).toBe(model.indexOf('b'));
        expect([...l.clone().values()]).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('grows and shrinks across many wraps of the ring', () => {
    const l = new ListValue();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10_000; i++) (i % 2 ? l.pushHead : l.pushTail).call(l, String(i));
      expect(l.size()).toBe(10_000);
      for (let i = 0; i < 9_990; i++) (i % 3 ? l.popTail() : l.popHead());
      expect(l.size()).toBe(10);
      while (l.size() > 0) l.popHead();
    }
    expect(l.popHead()).toBeUndefined();
    expect(l.popTail()).toBeUndefined();
  });

  it('reports quicklist as Redis 7.0 does for every list', () => {
    expect(ListValue.of(['a']).encoding()).toBe('quicklist');
  });
});
