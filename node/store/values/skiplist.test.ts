import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SkipList, type LexRange, type ScoreRange } from './skiplist.js';

// Model: a sorted array of [score, member] ordered by (score, member bytes).
type Entry = [number, string];
const cmp = (a: Entry, b: Entry): number => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

const member = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\x00', '\xff', 'z'), maxLength: 4 });
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(Infinity, -Infinity, 0.5, -0.5));
type Op = { op: 'add'; m: string; s: number } | { op: 'del'; m: string } | { op: 'upd'; m: string; s: number };
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('add' as const), m: member, s: score }),
    fc.record({ op: fc.constant('del' as const), m: member }),
    fc.record({ op: fc.constant('upd' as const), m: member, s: score }),
  ),
  { maxLength: 120 },
);

function inScore(s: number, r: ScoreRange): boolean {
  return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
}

describe('SkipList against a sorted-array model', () => {
  it('keeps order, ranks, rank lookups and ranges in agreement with the model', () => {
    fc.assert(
      fc.property(ops, fc.record({ min: score, max: score, minex: fc.boolean(), maxex: fc.boolean() }), (script, range) => {
        const sl = new SkipList();
        const nodes = new Map<string, ReturnType<SkipList['insert']>>();
        let model: Entry[] = [];
        for (const o of script) {
          const cur = nodes.get(o.m);
          if (o.op === 'add' && cur === undefined) {
            nodes.set(o.m, sl.insert(o.s, o.m));
            model.push([o.s, o.m]);
          } else if (o.op === 'del' && cur !== undefined) {
            expect(sl.delete(cur.score, o.m)).toBe(cur);
            nodes.delete(o.m);
            model = model.filter((e) => e[1] !== o.m);
          } else if (o.op === 'upd' && cur !== undefined) {
            sl.updateScore(cur, o.s);
            model = model.map((e) => (e[1] === o.m ? [o.s, o.m] : e));
          }
          model.sort(cmp);
        }
        sl.check();
        expect(sl.length).toBe(model.length);
        const walked: Entry[] = [];
        for (let n = sl.first; n !== null; n = n.forward) walked.push([n.score, n.member]);
        expect(walked).toEqual(model);
        const back: Entry[] = [];
        for (let n = sl.tail; n !== null; n = n.prev) back.push([n.score, n.member]);
        expect(back.reverse()).toEqual(model);
        model.forEach(([s, m], i) => {
          expect(sl.rank(s, m)).toBe(i + 1);
          expect(sl.byRank(i + 1)!.member).toBe(m);
        });
        expect(sl.byRank(0)).toBeNull();
        expect(sl.byRank(model.length + 1)).toBeNull();
        const inRange = model.filter((e) => inScore(e[0], range));
        expect(sl.firstInRange(range)?.member ?? null).toBe(inRange[0]?.[1] ?? null);
        expect(sl.lastInRange(range)?.member ?? null).toBe(inRange.at(-1)?.[1] ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('finds lex range ends when all scores are equal', () => {
    const bound = fc.oneof(
      fc.constant({ inf: -1 as const, s: '', ex: true }),
      fc.constant({ inf: 1 as const, s: '', ex: true }),
      fc.record({ inf: fc.constant(0 as const), s: member, ex: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(member, { maxLength: 40 }), bound, bound, (members, min, max) => {
        const sl = new SkipList();
        for (const m of members) sl.insert(0, m);
        const sorted = [...members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const r: LexRange = { min, max };
        const geMin = (m: string) => (min.inf === -1 ? true : min.inf === 1 ? false : min.ex ? m > min.s : m >= min.s);
        const leMax = (m: string) => (max.inf === 1 ? true : max.inf === -1 ? false : max.ex ? m < max.s : m <= max.s);
        const want = sorted.filter((m) => geMin(m) && leMax(m));
        expect(sl.firstInLex(r)?.member ?? null).toBe(want[0] ?? null);
        expect(sl.lastInLex(r)?.member ?? null).toBe(want.at(-1) ?? null);
      }),
      { numRuns: 300 },
    );
  });
});
