// Which slots go where: given who owns every slot now and which masters should serve the cluster,
// the smallest set of single-slot moves that leaves every target master with an even share and
// the leaving masters with none. Pure; the planner turns the first group into one step.
import { SLOT_COUNT, type SlotRange } from '../../common/slots.js';

export interface SlotMove {
  slot: number;
  /** Current owner, or null when the slot is unassigned (then the move is an ADDSLOTS). */
  from: string | null;
  to: string;
}

/** Even shares of the 16384 slots for n masters, the first (16384 mod n) getting one more. */
export function slotQuotas(n: number): number[] {
  const base = Math.floor(SLOT_COUNT / n);
  const extra = SLOT_COUNT % n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * owners[slot] = id of the master serving it, or null. `targets` = masters that should serve the
 * cluster, in a stable order. `frozen` = owners whose slots cannot move (failed nodes): their
 * slots count as held and are left alone. Masters holding more than their share give away their
 * highest slots; masters with the most slots get the larger shares so fewer slots move.
 */
export function planSlotMoves(owners: readonly (string | null)[], targets: readonly string[], frozen: ReadonlySet<string> = new Set()): SlotMove[] {
  if (targets.length === 0) return [];
  const held = new Map<string, number[]>();
  for (const t of targets) held.set(t, []);
  const donated: { slot: number; from: string | null }[] = [];
  let frozenCount = 0;
  for (let s = 0; s < SLOT_COUNT; s++) {
    const o = owners[s] ?? null;
    if (o !== null && frozen.has(o)) frozenCount++;
    else if (o !== null && held.has(o)) held.get(o)!.push(s);
    else donated.push({ slot: s, from: o });
  }
  // Frozen slots are outside the balance: share out what can move.
  const quotas = slotQuotas(targets.length).map((q, i) => q - Math.floor(frozenCount / targets.length) - (i < frozenCount % targets.length ? 1 : 0));
  const order = [...targets].sort((a, b) => held.get(b)!.length - held.get(a)!.length || targets.indexOf(a) - targets.indexOf(b));
  const quota = new Map<string, number>();
  order.forEach((t, i) => quota.set(t, Math.max(0, quotas[i]!)));
  for (const t of targets) {
    const mine = held.get(t)!;
    const excess = mine.length - quota.get(t)!;
    if (excess > 0) for (const slot of mine.splice(mine.length - excess)) donated.push({ slot, from: t });
  }
  donated.sort((a, b) => a.slot - b.slot);
  const moves: SlotMove[] = [];
  let i = 0;
  for (const t of targets) {
    let need = quota.get(t)! - held.get(t)!.length;
    while (need > 0 && i < donated.length) {
      const d = donated[i++]!;
      moves.push({ slot: d.slot, from: d.from, to: t });
      need--;
    }
  }
  // Rounding can leave a few donated slots (only when frozen slots skew shares): give them to the
  // first target rather than leave them where they must not stay.
  for (; i < donated.length; i++) moves.push({ slot: donated[i]!.slot, from: donated[i]!.from, to: targets[0]! });
  return moves;
}

/** The first group of moves sharing one (from, to) pair, at most `limit` slots. */
export function firstMoveGroup(moves: readonly SlotMove[], limit: number): SlotMove[] {
  if (moves.length === 0) return [];
  const { from, to } = moves[0]!;
  return moves.filter((m) => m.from === from && m.to === to).slice(0, limit);
}

/** Contiguous ranges of a set of slots (ascending). */
export function rangesOf(slots: readonly number[]): SlotRange[] {
  const sorted = [...slots].sort((a, b) => a - b);
  const out: SlotRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.end + 1 === s) last.end = s;
    else if (!last || last.end !== s) out.push({ start: s, end: s });
  }
  return out;
}
