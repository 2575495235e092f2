// Keys being migrated are frozen: reads go on, but a write to a frozen key waits (its client is
// parked, the request kept) until MIGRATE has the target's acknowledgement and has deleted or
// kept the key. Redis gets this for free by blocking the whole server during MIGRATE; we stay
// responsive (payloads of big keys are built over many event-loop turns and sent asynchronously)
// and still never lose a write that raced with a migration.
import type { Session } from '../server/session.js';
import { keySlot } from '../../common/slots.js';

/** Number of frozen keys across all servers in the process: the dispatcher's one-compare fast path. */
export let frozenKeyCount = 0;

const frozen = new Map<string, number>(); // "db\0key" -> number of migrations holding it
const parked: { session: Session; resume: () => void }[] = [];

const id = (db: number, key: string) => `${db}\0${key}`;

export function freezeKeys(db: number, keys: readonly string[]): void {
  for (const k of keys) {
    const i = id(db, k);
    const n = frozen.get(i) ?? 0;
    frozen.set(i, n + 1);
    if (n === 0) frozenKeyCount++;
  }
}

export function thawKeys(db: number, keys: readonly string[]): void {
  for (const k of keys) {
    const i = id(db, k);
    const n = frozen.get(i);
    if (n === undefined) continue;
    if (n > 1) frozen.set(i, n - 1);
    else {
      frozen.delete(i);
      frozenKeyCount--;
    }
  }
  if (parked.length === 0) return;
  // Re-run every parked request: those still touching a frozen key park again, in order.
  const again = parked.splice(0);
  for (const p of again) if (!p.session.closing) p.resume();
}

export function isFrozen(db: number, key: string): boolean {
  return frozenKeyCount !== 0 && (frozen.has(id(db, key)) || (db === 0 && inFrozenSlot(key)));
}

export function anyFrozen(db: number, argv: readonly string[], keyIndexes: readonly number[]): boolean {
  for (const i of keyIndexes) if (frozen.has(id(db, argv[i]!)) || (db === 0 && inFrozenSlot(argv[i]!))) return true;
  return false;
}

// Whole slot ranges frozen by the atomic slot export (CLUSTER EXPORT-SLOTS) during its short
// handover pause: writes and reads both park (the dispatcher asks anyInFrozenSlot for reads).
// Each range counts as one frozen key so the dispatcher's fast path still holds.
const frozenSlots: { start: number; end: number }[] = [];

function inFrozenSlot(key: string): boolean {
  if (frozenSlots.length === 0) return false;
  const s = keySlot(key);
  for (const r of frozenSlots) if (s >= r.start && s <= r.end) return true;
  return false;
}

/** Only database 0 has slots (cluster mode). */
export function anyInFrozenSlot(db: number, argv: readonly string[], keyIndexes: readonly number[]): boolean {
  if (db !== 0 || frozenSlots.length === 0) return false;
  for (const i of keyIndexes) if (inFrozenSlot(argv[i]!)) return true;
  return false;
}

export function freezeSlots(start: number, end: number): void {
  frozenSlots.push({ start, end });
  frozenKeyCount++;
}

export function thawSlots(start: number, end: number): void {
  const i = frozenSlots.findIndex((r) => r.start === start && r.end === end);
  if (i === -1) return;
  frozenSlots.splice(i, 1);
  frozenKeyCount--;
  const again = parked.splice(0);
  for (const p of again) if (!p.session.closing) p.resume();
}

/** Keeps a request until the keys thaw; `resume` re-dispatches it. */
export function parkUntilThawed(session: Session, resume: () => void): void {
  parked.push({ session, resume });
}
