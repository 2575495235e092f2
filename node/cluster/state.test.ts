import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addSlot, bumpEpochWithoutConsensus, createNode, createState, delSlot, moveSlots, updateState, WRITABLE_DELAY_MS, type ClusterState } from './state.js';
import { NodeFlag } from '../bus/messages.js';

const ID = (c: string) => c.repeat(40);
const opts = (requireFullCoverage: boolean) => ({ nodeTimeout: 1000, requireFullCoverage, allowReplicaMigration: true, announceIp: '' });

describe('cluster_state', () => {
  it('waits the writable delay, then needs full coverage unless disabled', () => {
    const st = createState(ID('a'), opts(true), 0);
    for (let s = 0; s < 100; s++) addSlot(st, st.myself, s);
    updateState(st, 1);
    updateState(st, WRITABLE_DELAY_MS + 2);
    expect(st.ok).toBe(false);
    st.opts = opts(false);
    updateState(st, WRITABLE_DELAY_MS + 3);
    expect(st.ok).toBe(true);
    expect(st.size).toBe(1);
  });

  it('goes down in a minority partition and waits the rejoin delay before coming back', () => {
    const st = createState(ID('a'), opts(true), 0);
    const b = createNode(ID('b'), NodeFlag.MASTER, 0);
    const c = createNode(ID('c'), NodeFlag.MASTER, 0);
    st.nodes.set(b.id, b);
    st.nodes.set(c.id, c);
    for (let s = 0; s < 16384; s++) addSlot(st, s < 5000 ? st.myself : s < 10000 ? b : c, s);
    st.firstStateEval = 1;
    updateState(st, 5000);
    expect(st.ok).toBe(true);
    b.flags |= NodeFlag.PFAIL;
    c.flags |= NodeFlag.PFAIL;
    updateState(st, 6000);
    expect(st.ok).toBe(false);
    b.flags &= ~NodeFlag.PFAIL;
    c.flags &= ~NodeFlag.PFAIL;
    updateState(st, 6500);
    expect(st.ok).toBe(false);
    updateState(st, 7001);
    expect(st.ok).toBe(true);
  });
});

describe('bumpEpochWithoutConsensus', () => {
  it('bumps when my epoch is 0, not the maximum or shared; otherwise keeps it', () => {
    const st = createState(ID('a'), opts(true), 0);
    expect(bumpEpochWithoutConsensus(st)).toBe(true);
    expect(st.myself.configEpoch).toBe(1);
    expect(bumpEpochWithoutConsensus(st)).toBe(false);
    const b = createNode(ID('b'), NodeFlag.MASTER, 0);
    b.configEpoch = 5;
    st.nodes.set(b.id, b);
    expect(bumpEpochWithoutConsensus(st)).toBe(true);
    expect(st.myself.configEpoch).toBe(2);
    st.currentEpoch = 9;
    expect(bumpEpochWithoutConsensus(st)).toBe(true);
    expect(st.myself.configEpoch).toBe(10);
  });

  it('full coverage by live owners: the per-node sum agrees with a slot scan', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 16383 }), fc.integer({ min: 0, max: 2 })), { maxLength: 40 }), fc.boolean(), (holes, failB) => {
        const st = createState(ID('a'), opts(true), 0);
        const b = createNode(ID('b'), NodeFlag.MASTER, 0);
        const c = createNode(ID('c'), NodeFlag.MASTER, 0);
        st.nodes.set(b.id, b);
        st.nodes.set(c.id, c);
        const all = [st.myself, b, c];
        for (let s = 0; s < 16384; s++) addSlot(st, all[s % 3]!, s);
        // Holes, or slots moved to another owner.
        for (const [s, to] of holes) {
          delSlot(st, s);
          if (to !== 0) addSlot(st, all[to]!, s);
        }
        if (failB) b.flags |= NodeFlag.FAIL;
        st.firstStateEval = -WRITABLE_DELAY_MS - 1;
        st.ok = true;
        updateState(st, 0);
        let expected = true;
        for (let s = 0; s < 16384; s++) {
          const o = st.owners[s];
          if (o === null || o === undefined || (o.flags & NodeFlag.FAIL) !== 0) expected = false;
        }
        // A failed master also costs the majority of reachable masters: only compare coverage.
        if (!failB) expect(st.ok).toBe(expected);
        else expect(st.ok).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe('moveSlots', () => {
  it('binds a range exactly as delSlot + addSlot per slot would (owners, bitmaps, counts, not-claiming marks)', () => {
    const snapshot = (st: ClusterState) => ({
      owners: st.owners.map((o) => o?.id ?? null),
      nodes: [...st.nodes.values()].map((n) => ({ id: n.id, slots: Buffer.from(n.slots).toString('hex'), slotsVersion: n.slotsVersion, numSlots: n.numSlots, flags: n.flags })),
      notClaiming: Buffer.from(st.notClaiming).toString('hex'),
    });
    const build = (owners: number[], marks: number[]) => {
      const st = createState(ID('a'), opts(true), 0);
      const others = [createNode(ID('b'), NodeFlag.MASTER, 0), createNode(ID('c'), NodeFlag.MASTER, 0)];
      for (const n of others) st.nodes.set(n.id, n);
      const all = [st.myself, ...others];
      owners.forEach((o, s) => o < 3 && addSlot(st, all[o]!, s));
      for (const s of marks) st.notClaiming[s >> 3]! |= 1 << (s & 7);
      return { st, all };
    };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 64, maxLength: 64 }), fc.array(fc.nat(63)), fc.nat(63), fc.nat(63), fc.nat(2), (owners, marks, x, y, to) => {
        const [start, end] = x <= y ? [x, y] : [y, x];
        const one = build(owners, marks);
        const two = build(owners, marks);
        moveSlots(one.st, start, end, one.all[to]!);
        for (let s = start; s <= end; s++) {
          if (two.st.owners[s] !== two.all[to]) {
            delSlot(two.st, s);
            addSlot(two.st, two.all[to]!, s);
          }
        }
        expect(snapshot(one.st)).toEqual(snapshot(two.st));
      }),
    );
  });
});
