import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { keySlot } from '../../common/slots.js';
import { Db, type KeyspaceEvents } from './keyspace.js';
import { chargeFor } from './memory.js';

const QUIET: KeyspaceEvents = { modified() {}, added() {}, expiring() {}, expired() {} };

/** Keys that fall in a few slots (hash tags), so that slots fill, empty and refill. */
const keyArb = fc.tuple(fc.constantFrom('a', 'b', 'c', 'user1000', 'x'), fc.integer({ min: 0, max: 7 })).map(([tag, n]) => `{${tag}}:${n}`);

type Op =
  | { op: 'set'; key: string; value: string }
  | { op: 'replace'; key: string; value: string }
  | { op: 'delete'; key: string }
  | { op: 'flushSlot'; key: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key: keyArb, value: fc.string({ maxLength: 4 }) }),
  fc.record({ op: fc.constant('replace' as const), key: keyArb, value: fc.string({ maxLength: 4 }) }),
  fc.record({ op: fc.constant('delete' as const), key: keyArb }),
  fc.record({ op: fc.constant('flushSlot' as const), key: keyArb }),
);

describe('Db keyspace', () => {
  it('answers as empty before its first key allocates the slot index, and swaps with a filled one', () => {
    const empty = new Db(1, QUIET);
    expect(empty.countInSlot(keySlot('k'))).toBe(0);
    expect(empty.slotKeys(keySlot('k'))).toBeUndefined();
    expect(empty.keysInSlot(keySlot('k'), 10)).toEqual([]);
    expect(empty.nextNonEmptySlot(0)).toBe(-1);
    expect([...empty.entries()]).toEqual([]);
    expect(empty.flushSlot(keySlot('k'))).toBe(0);
    expect(empty.randomKey()).toBeUndefined();
    empty.flush();
    const filled = new Db(0, QUIET);
    filled.set('k', 'v');
    filled.swapContents(empty);
    expect(filled.size).toBe(0);
    expect(filled.nextNonEmptySlot(0)).toBe(-1);
    expect(empty.keysInSlot(keySlot('k'), 10)).toEqual(['k']);
    filled.set('j', 'w');
    expect(filled.keysInSlot(keySlot('j'), 10)).toEqual(['j']);
    expect(filled.delete('j')).toBe(true);
    expect(filled.countInSlot(keySlot('j'))).toBe(0);
  });

  it('matches a model of per-slot insertion-ordered maps (counts, listing order, sizes, bytes)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const db = new Db(0, QUIET);
        // The model: one insertion-ordered map per slot.
        const model = new Map<number, Map<string, string>>();
        for (const o of ops) {
          const slot = keySlot(o.key);
          const m = model.get(slot) ?? new Map<string, string>();
          if (o.op === 'set') {
            db.set(o.key, o.value);
            m.set(o.key, o.value);
          } else if (o.op === 'replace') {
            // Callers replace only keys that exist.
            if (m.has(o.key)) {
              db.replace(o.key, o.value);
              m.set(o.key, o.value);
            }
          } else if (o.op === 'delete') {
            expect(db.delete(o.key)).toBe(m.delete(o.key));
          } else {
            expect(db.flushSlot(slot)).toBe(m.size);
            m.clear();
          }
          if (m.size === 0) model.delete(slot);
          else model.set(slot, m);
        }
        let size = 0;
        let bytes = 0;
        for (const [slot, m] of model) {
          expect(db.countInSlot(slot)).toBe(m.size);
          expect(db.keysInSlot(slot, 1000)).toEqual([...m.keys()]);
          expect([...db.slotKeys(slot)!]).toEqual([...m.keys()]);
          for (const [k, v] of m) {
            expect(db.rawGet(k)).toBe(v);
            bytes += chargeFor(k, v);
          }
          size += m.size;
        }
        expect(db.size).toBe(size);
        expect(db.bytes).toBe(bytes);
        const slots = [...model.keys()].sort((a, b) => a - b);
        expect([...db.entries()]).toEqual(slots.flatMap((s) => [...model.get(s)!]));
        expect(db.nextNonEmptySlot(0)).toBe(slots[0] ?? -1);
        for (const s of slots) expect(db.nextNonEmptySlot(s)).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps slot indexes apart across swapContents and flush', () => {
    const a = new Db(0, QUIET);
    const b = new Db(1, QUIET);
    a.set('{a}:1', 'x');
    b.set('{b}:1', 'y');
    a.swapContents(b);
    expect(a.get('{b}:1', 0)).toBe('y');
    expect(a.get('{a}:1', 0)).toBeUndefined();
    expect(b.keysInSlot(keySlot('{a}:1'), 10)).toEqual(['{a}:1']);
    expect(a.countInSlot(keySlot('{a}:1'))).toBe(0);
    a.flush();
    expect(a.size).toBe(0);
    expect(a.get('{b}:1', 0)).toBeUndefined();
    expect(a.nextNonEmptySlot(0)).toBe(-1);
    expect(a.randomKey()).toBeUndefined();
    expect(b.randomKey()).toBe('{a}:1');
  });

  it('iterating a slot while keys are added and deleted sees the live set', () => {
    const db = new Db(0, QUIET);
    for (let i = 0; i < 4; i++) db.set(`{t}:${i}`, 'v');
    const seen: string[] = [];
    for (const k of db.slotKeys(keySlot('{t}'))!) {
      seen.push(k);
      if (k === '{t}:0') {
        db.delete('{t}:1');
        db.set('{t}:9', 'v');
      }
    }
    expect(seen).toEqual(['{t}:0', '{t}:2', '{t}:3', '{t}:9']);
  });

  it("an access stamps the clock of the key read, and a new key's own clock", () => {
    // Clock cells are 1 per key here (fewer keys than cells), so each key's idle time is its own.
    const db = new Db(0, QUIET);
    const t0 = Date.now();
    const keys = Array.from({ length: 200 }, (_, i) => `k:${i}`);
    for (const k of keys) db.set(k, 'v');
    for (const k of keys) expect(db.clock.idleMs(k, t0 + 60_000)).toBeGreaterThanOrEqual(50_000);
    const later = t0 + 60_000;
    for (let i = 0; i < keys.length; i += 2) expect(db.get(keys[i]!, later)).toBe('v');
    let stale = 0;
    for (let i = 0; i < keys.length; i++) {
      const idle = db.clock.idleMs(keys[i]!, later);
      if (i % 2 === 0) expect(idle).toBe(0);
      else if (idle >= 50_000) stale++;
    }
    // Unread keys keep their old stamp unless they share a cell with a read one.
    expect(stale).toBeGreaterThan(keys.length / 2 - 10);
    // peek() does not count as an access.
    db.peek(keys[1]!, later + 60_000);
    expect(db.clock.idleMs(keys[1]!, later + 60_000)).toBeGreaterThanOrEqual(100_000);
  });
});
