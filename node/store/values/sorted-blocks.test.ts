import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SortedBlocks, ZEntry } from './sorted-blocks.js';
import type { LexRange, ScoreRange } from './zset-range.js';

// Model: a sorted array of [score, member] ordered by (score, member bytes).
type Entry = [number, string];
const cmp = (a: Entry, b: Entry): number => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

// Short members over a tiny alphabet (ties and byte order, including \x00 and \xff) plus a wide
// domain so that blocks fill, split and merge.
const member = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\x00', '\xff', 'z'), maxLength: 4 }),
  fc.integer({ min: 0, max: 700 }).map((i) => `m${i}`),
);
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(Infinity, -Infinity, 0.5, -0.5, -0), fc.double({ noNaN: true }));
type Op = { op: 'add'; m: string; s: number } | { op: 'del'; m: string } | { op: 'upd'; m: string; s: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), m: member, s: score }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), m: member }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('upd' as const), m: member, s: score }) },
);
const scoreRange = fc.record({ min: score, max: score, minex: fc.boolean(), maxex: fc.boolean() });

function inScore(s: number, r: ScoreRange): boolean {
  return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
}

function walk(idx: SortedBlocks): Entry[] {
  const out: Entry[] = [];
  for (const c = idx.head(); c.entry !== null; c.next()) out.push([c.entry.score, c.entry.member]);
  return out;
}

function compare(idx: SortedBlocks, model: Entry[], ranges: ScoreRange[], probes: number[]): void {
  idx.check();
  expect(idx.length).toBe(model.length);
  expect(walk(idx)).toEqual(model);
  const back: Entry[] = [];
  for (const c = idx.end(); c.entry !== null; c.prev()) back.push([c.entry.score, c.entry.member]);
  expect(back.reverse()).toEqual(model);
  expect(idx.first?.member ?? null).toBe(model[0]?.[1] ?? null);
  expect(idx.tail?.member ?? null).toBe(model.at(-1)?.[1] ?? null);
  model.forEach(([s, m], i) => {
    expect(idx.rank(s, m)).toBe(i + 1);
    expect(idx.byRank(i + 1)!.member).toBe(m);
    expect(idx.at(i).rank()).toBe(i);
  });
  for (const p of probes) {
    const [s, m] = [p, `m${Math.abs(p) % 7}zz`];
    if (!model.some((e) => e[1] === m)) expect(idx.rank(s, m)).toBe(0);
  }
  expect(idx.byRank(0)).toBeNull();
  expect(idx.byRank(model.length + 1)).toBeNull();
  expect(idx.at(model.length).entry).toBeNull();
  for (const range of ranges) {
    const first = model.findIndex((e) => inScore(e[0], range));
    let last = -1;
    for (let i = model.length - 1; i >= 0; i--)
      if (inScore(model[i]![0], range)) {
        last = i;
        break;
      }
    const f = idx.firstInRange(range);
    const l = idx.lastInRange(range);
    expect(f?.entry?.member ?? null).toBe(first < 0 ? null : model[first]![1]);
    expect(l?.entry?.member ?? null).toBe(last < 0 ? null : model[last]![1]);
    if (f !== null) expect(f.rank()).toBe(first);
    if (l !== null) expect(l.rank()).toBe(last);
  }
}

describe('SortedBlocks against a sorted-array model', () => {
  it('keeps order, ranks, rank lookups, cursors and score ranges in agreement with the model', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 900, size: 'max' }), fc.array(scoreRange, { maxLength: 4 }), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 }), (script, ranges, probes) => {
        const idx = new SortedBlocks();
        const entries = new Map<string, ZEntry>();
        const model: Entry[] = [];
        const pos = (e: Entry): number => {
          let lo = 0;
          let hi = model.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (cmp(model[mid]!, e) < 0) lo = mid + 1;
            else hi = mid;
          }
          return lo;
        };
        let seq = 1;
        for (const o of script) {
          const cur = entries.get(o.m);
          if (o.op === 'add' && cur === undefined) {
            const e = new ZEntry(o.m, o.s, seq++);
            idx.insert(e);
            entries.set(o.m, e);
            model.splice(pos([o.s, o.m]), 0, [o.s, o.m]);
          } else if (o.op === 'del' && cur !== undefined) {
            model.splice(pos([cur.score, o.m]), 1);
            expect(idx.delete(cur.score, o.m)).toBe(cur);
            entries.delete(o.m);
          } else if (o.op === 'upd' && cur !== undefined) {
            model.splice(pos([cur.score, o.m]), 1);
            idx.updateScore(cur, o.s);
            model.splice(pos([o.s, o.m]), 0, [o.s, o.m]);
          } else if (o.op === 'del') {
            expect(idx.delete(0, o.m)).toBeNull();
          }
        }
        compare(idx, model, ranges, probes);
      }),
      { numRuns: 150 },
    );
  });

  it('stays consistent through bulk growth and shrinking (splits, merges, rebalancing)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 200, max: 3000 }), (seed, n) => {
        let x = seed;
        const rnd = (k: number): number => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          return x % k;
        };
        const idx = new SortedBlocks();
        const live = new Map<string, ZEntry>();
        for (let i = 0; i < n; i++) {
          const m = `k${rnd(n)}`;
          const e = live.get(m);
          if (e === undefined) {
            const ne = new ZEntry(m, rnd(50), i);
            idx.insert(ne);
            live.set(m, ne);
          } else idx.updateScore(e, rnd(50));
        }
        idx.check();
        // Remove in an order that empties some stretches and thins others.
        const ms = [...live.keys()];
        for (let i = 0; i < ms.length; i++) {
          if (rnd(4) === 0 && i % 3 !== 0) continue;
          const e = live.get(ms[i]!)!;
          expect(idx.delete(e.score, e.member)).toBe(e);
          live.delete(ms[i]!);
          if (i % 97 === 0) idx.check();
        }
        const model: Entry[] = [...live.values()].map((e): Entry => [e.score, e.member]).sort(cmp);
        compare(idx, model, [{ min: 10, max: 20, minex: false, maxex: true }], []);
      }),
      { numRuns: 20 },
    );
  });

  it('finds lex range ends when all scores are equal', () => {
    const bound = fc.oneof(
      fc.constant({ inf: -1 as const, s: '', ex: true }),
      fc.constant({ inf: 1 as const, s: '', ex: true }),
      fc.record({ inf: fc.constant(0 as const), s: member, ex: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(member, { maxLength: 400, size: 'max' }), bound, bound, (members, min, max) => {
        const idx = new SortedBlocks();
        members.forEach((m, i) => idx.insert(new ZEntry(m, 0, i)));
        const sorted = [...members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const r: LexRange = { min, max };
        const geMin = (m: string) => (min.inf === -1 ? true : min.inf === 1 ? false : min.ex ? m > min.s : m >= min.s);
        const leMax = (m: string) => (max.inf === 1 ? true : max.inf === -1 ? false : max.ex ? m < max.s : m <= max.s);
        const want = sorted.filter((m) => geMin(m) && leMax(m));
        const f = idx.firstInLex(r);
        const l = idx.lastInLex(r);
        expect(f?.entry?.member ?? null).toBe(want[0] ?? null);
        expect(l?.entry?.member ?? null).toBe(want.at(-1) ?? null);
        if (f !== null) expect(f.rank()).toBe(sorted.indexOf(want[0]!));
        if (l !== null) expect(l.rank()).toBe(sorted.indexOf(want.at(-1)!));
      }),
      { numRuns: 300 },
    );
  });
});
