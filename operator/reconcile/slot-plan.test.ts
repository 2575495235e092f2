import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLOT_COUNT } from '../../common/slots.js';
import { firstMoveGroup, planSlotMoves, rangesOf, slotQuotas } from './slot-plan.js';

function apply(owners: (string | null)[], moves: { slot: number; to: string }[]): (string | null)[] {
  const out = [...owners];
  for (const m of moves) out[m.slot] = m.to;
  return out;
}

function counts(owners: (string | null)[]): Map<string | null, number> {
  const c = new Map<string | null, number>();
  for (const o of owners) c.set(o, (c.get(o) ?? 0) + 1);
  return c;
}

/** A random assignment of slots to up to 6 masters (contiguous runs, some unassigned). */
const ownersArb = fc
  .array(fc.record({ len: fc.integer({ min: 1, max: 4000 }), owner: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', null) }), { minLength: 1, maxLength: 12 })
  .map((runs) => {
    const owners: (string | null)[] = [];
    let i = 0;
    while (owners.length < SLOT_COUNT) {
      const r = runs[i++ % runs.length]!;
      for (let k = 0; k < r.len && owners.length < SLOT_COUNT; k++) owners.push(r.owner);
    }
    return owners;
  });

describe('slot plan', () => {
  it('splits 16384 evenly', () => {
    expect(slotQuotas(3)).toEqual([5462, 5461, 5461]);
    expect(slotQuotas(4)).toEqual([4096, 4096, 4096, 4096]);
    expect(slotQuotas(7).reduce((a, b) => a + b)).toBe(16384);
  });

  it('bootstrap hands out contiguous ranges in shard order', () => {
    const moves = planSlotMoves(new Array(SLOT_COUNT).fill(null), ['x', 'y', 'z']);
    expect(rangesOf(moves.filter((m) => m.to === 'x').map((m) => m.slot))).toEqual([{ start: 0, end: 5461 }]);
    expect(rangesOf(moves.filter((m) => m.to === 'z').map((m) => m.slot))).toEqual([{ start: 10923, end: 16383 }]);
  });

  it('property: after the moves only targets own slots, each within one of an even share, and no slot a target may keep moves', () => {
    fc.assert(
      fc.property(ownersArb, fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'g'), { minLength: 1, maxLength: 5 }), (owners, targets) => {
        const moves = planSlotMoves(owners, targets);
        const after = apply(owners, moves);
        const c = counts(after);
        for (const [o, n] of c) {
          expect(o !== null && (targets as string[]).includes(o), `owner ${o}`).toBe(true);
          expect(Math.abs(n - SLOT_COUNT / targets.length)).toBeLessThanOrEqual(1);
        }
        // minimality: a target never both gives and receives, and moves never exceed what is needed
        // (plain checks: an expect() per move made 60 runs of up to 16384 moves take seconds)
        const givers = new Set(moves.map((m) => m.from));
        expect(moves.filter((m) => givers.has(m.to) || m.from === m.to)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('property: an already balanced map needs no moves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), (n) => {
        const targets = Array.from({ length: n }, (_, i) => `m${i}`);
        const balanced = apply(new Array(SLOT_COUNT).fill(null), planSlotMoves(new Array(SLOT_COUNT).fill(null), targets));
        expect(planSlotMoves(balanced, targets)).toEqual([]);
        expect(planSlotMoves(balanced, [...targets].reverse())).toEqual([]);
      }),
    );
  });

  it('leaves frozen owners alone', () => {
    const owners: (string | null)[] = new Array(SLOT_COUNT).fill('a');
    for (let s = 0; s < 100; s++) owners[s] = 'dead';
    const moves = planSlotMoves(owners, ['a', 'b'], new Set(['dead']));
    expect(moves.some((m) => m.from === 'dead')).toBe(false);
    expect(moves.length).toBe(Math.floor((SLOT_COUNT - 100) / 2));
  });

  it('groups moves by (from, to) up to a limit', () => {
    const g = firstMoveGroup(
      [
        { slot: 1, from: 'a', to: 'b' },
        { slot: 2, from: 'c', to: 'b' },
        { slot: 3, from: 'a', to: 'b' },
        { slot: 4, from: 'a', to: 'b' },
      ],
      2,
    );
    expect(g.map((m) => m.slot)).toEqual([1, 3]);
  });
});
