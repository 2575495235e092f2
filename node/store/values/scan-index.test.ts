import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScanIndex } from './scan-index.js';

/** A Set with its ScanIndex kept in step, as the hashtable encodings do. */
class Indexed {
  readonly set = new Set<string>();
  readonly index = new ScanIndex();
  add(m: string): void {
    if (this.set.has(m)) return;
    this.set.add(m);
    this.index.added(m);
  }
  remove(m: string): void {
    if (!this.set.delete(m)) return;
    this.index.removed(() => this.set.values(), this.set.size);
  }
  scan(cursor: number, count: number): [number, string[]] {
    const out: string[] = [];
    const next = this.index.scan(cursor, count, (m) => this.set.has(m), out);
    return [next, out];
  }
}

type Op = { kind: 'add' | 'remove'; member: number } | { kind: 'scan'; count: number };

describe('ScanIndex', () => {
  it('returns every member once when nothing changes, in pages of COUNT', () => {
    const s = new Indexed();
    for (let i = 0; i < 1000; i++) s.add(`m${i}`);
    const seen: string[] = [];
    let cursor = 0;
    let calls = 0;
    do {
      const [next, page] = s.scan(cursor, 100);
      expect(page.length).toBeLessThanOrEqual(100);
      seen.push(...page);
      cursor = next;
      calls++;
    } while (cursor !== 0);
    expect(calls).toBe(10);
    expect(seen.sort()).toEqual([...s.set].sort());
  });

  it('bounds the slots visited per call when most slots are stale', () => {
    const s = new Indexed();
    for (let i = 0; i < 60; i++) s.add(`m${i}`);
    for (let i = 0; i < 50; i++) s.remove(`m${i}`);
    const [next, page] = s.scan(0, 1);
    // 10 slots visited at most, all stale: an empty page with a cursor to continue from.
    expect(page).toEqual([]);
    expect(next).not.toBe(0);
  });

  it('guarantees members present for the whole iteration are returned (property)', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), member: fc.integer({ min: 0, max: 300 }) }),
      fc.record({ kind: fc.constant('scan' as const), count: fc.integer({ min: 1, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(op, { maxLength: 400 }), (initial, ops) => {
        const s = new Indexed();
        for (let i = 0; i < initial; i++) s.add(String(i));
        const atStart = new Set(s.set);
        const removedSometime = new Set<string>();
        const seen = new Set<string>();
        let cursor = 0;
        let started = false;
        const step = (count: number): void => {
          const [next, page] = s.scan(cursor, count);
          for (const m of page) {
            expect(s.set.has(m)).toBe(true);
            seen.add(m);
          }
          cursor = next;
          started = true;
        };
        for (const o of ops) {
          if (o.kind === 'scan') {
            if (started && cursor === 0) break;
            step(o.count);
          } else if (o.kind === 'add') s.add(String(o.member));
          else {
            if (s.set.has(String(o.member))) removedSometime.add(String(o.member));
            s.remove(String(o.member));
          }
        }
        if (!started || cursor !== 0) {
          do step(7);
          while (cursor !== 0);
        }
        for (const m of atStart) if (!removedSometime.has(m)) expect(seen.has(m)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps cursors valid across compaction', () => {
    const s = new Indexed();
    for (let i = 0; i < 5000; i++) s.add(`m${i}`);
    const [cursor, first] = s.scan(0, 100);
    // Delete most of the members not yet returned, which compacts the index several times.
    for (let i = 100; i < 4900; i++) s.remove(`m${i}`);
    const seen = new Set(first);
    let c = cursor;
    while (c !== 0) {
      const [next, page] = s.scan(c, 50);
      for (const m of page) seen.add(m);
      c = next;
    }
    for (let i = 4900; i < 5000; i++) expect(seen.has(`m${i}`)).toBe(true);
    expect(s.index.slots).toBeLessThan(400);
  });
});
