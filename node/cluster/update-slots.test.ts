// updateSlotsFrom skips whole bytes of slots already bound to the sender; a property test checks
// it against the per-slot rule of facts §4.2 on random owner tables, claims and marks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SLOT_COUNT } from '../../common/slots.js';
import { SLOT_BITMAP_LEN, NodeFlag, slotBitGet, slotBitSet } from '../bus/messages.js';
import { updateSlotsFrom } from './receive.js';
import { addSlot, createNode, createState, delSlot, type ClusterNode, type ClusterState, type Effect } from './state.js';

const ID = (c: string) => c.repeat(40);
const OPTS = { nodeTimeout: 1000, requireFullCoverage: true, allowReplicaMigration: true, announceIp: '' };

/** The rule slot by slot, as Redis writes it. */
function reference(st: ClusterState, sender: ClusterNode, senderEpoch: number, slots: Uint8Array, keys: (s: number) => number): { dirty: number[]; newMaster: boolean; senderSlots: number; migrated: number } {
  const me = st.myself;
  let newMaster = false;
  let migrated = 0;
  let senderSlots = 0;
  const dirty: number[] = [];
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (slotBitGet(slots, s)) {
      senderSlots++;
      const owner = st.owners[s] ?? null;
      if (owner === sender) {
        slotBitSet(st.notClaiming, s, false);
        continue;
      }
      if (st.importing.has(s)) continue;
      if (owner === null || owner.configEpoch < senderEpoch || slotBitGet(st.notClaiming, s)) {
        if (owner === me && keys(s) > 0) dirty.push(s);
        if (owner === me) {
          newMaster = true;
          migrated++;
        }
        delSlot(st, s);
        addSlot(st, sender, s);
      }
    } else if (st.owners[s] === sender) slotBitSet(st.notClaiming, s, true);
  }
  return { dirty, newMaster, senderSlots, migrated };
}

interface Case {
  /** Owner of each slot: 0 none, 1 me, 2 sender, 3 other. Runs of slots share an owner. */
  runs: { len: number; owner: number; claimed: boolean; importing: boolean; notClaiming: boolean }[];
  senderEpoch: number;
}

function build(c: Case): { st: ClusterState; sender: ClusterNode; claims: Uint8Array } {
  const st = createState(ID('a'), OPTS, 0);
  st.myself.configEpoch = 5;
  const sender = createNode(ID('b'), NodeFlag.MASTER, 0);
  sender.configEpoch = 3;
  const other = createNode(ID('c'), NodeFlag.MASTER, 0);
  other.configEpoch = 7;
  st.nodes.set(sender.id, sender);
  st.nodes.set(other.id, other);
  const claims = new Uint8Array(SLOT_BITMAP_LEN);
  let s = 0;
  for (const r of c.runs) {
    for (let k = 0; k < r.len && s < SLOT_COUNT; k++, s++) {
      const o = [null, st.myself, sender, other][r.owner]!;
      if (o !== null) addSlot(st, o, s);
      if (r.claimed) slotBitSet(claims, s, true);
      if (r.importing) st.importing.set(s, other.id);
      if (r.notClaiming) slotBitSet(st.notClaiming, s, true);
    }
  }
  return { st, sender, claims };
}

const snapshot = (st: ClusterState) => ({
  owners: st.owners.map((o) => o?.id ?? null),
  notClaiming: [...st.notClaiming],
  bitmaps: [...st.nodes.values()].map((n) => [n.id, n.numSlots, [...n.slots].join(',')]),
  role: st.myself.masterId,
});

describe('updateSlotsFrom', () => {
  it('matches the per-slot rule on random tables', () => {
    const run = fc.record({
      len: fc.integer({ min: 1, max: 3000 }),
      owner: fc.integer({ min: 0, max: 3 }),
      claimed: fc.boolean(),
      importing: fc.boolean(),
      notClaiming: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 9 }), (runs, senderEpoch) => {
        const c: Case = { runs, senderEpoch };
        const keys = (s: number) => s % 3;
        const a = build(c);
        const b = build(c);
        const fx: Effect[] = [];
        updateSlotsFrom(a.st, a.sender, senderEpoch, a.claims, { now: 0, keysInSlot: keys }, fx);
        const ref = reference(b.st, b.sender, senderEpoch, b.claims, keys);
        const drop = fx.find((e) => e.t === 'drop-slot-keys');
        const demoted = a.st.myself.masterId !== null;
        // Same owners, bitmaps and not-claiming marks; same keys dropped or the same demotion.
        if (demoted) expect(ref.newMaster && b.st.myself.numSlots === 0).toBe(true);
        else {
          expect(drop === undefined ? [] : (drop as { slots: number[] }).slots).toEqual(ref.dirty);
          expect(snapshot(a.st)).toEqual(snapshot(b.st));
        }
        expect(a.st.owners.map((o) => o?.id ?? null)).toEqual(b.st.owners.map((o) => o?.id ?? null));
        expect([...a.st.notClaiming]).toEqual([...b.st.notClaiming]);
      }),
      { numRuns: 150 },
    );
  });
});
