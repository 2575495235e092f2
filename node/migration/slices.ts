// Running step-wise work (generators that yield between slices) without holding the event loop:
// each turn runs steps until the budget is spent, then yields to I/O (yieldTurn).

import { yieldTurn } from '../server/turn.js';

/** Work done per event-loop turn by sliced migration work (payload building, RESTORE decoding). */
export const SLICE_BUDGET_MS = 4;

/**
 * `idle`: wait a millisecond between turns rather than only letting pending I/O run, for
 * background work that is not waited for (a process that never sleeps is scheduled behind the
 * others on a busy machine, and its clients wait with it).
 */
export async function runSliced<T>(steps: Generator<void, T>, budgetMs = SLICE_BUDGET_MS, idle = false): Promise<T> {
  for (;;) {
    const t0 = performance.now();
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() - t0 >= budgetMs) break;
    }
    await yieldTurn(idle);
  }
}

/** A latin1 argument as bytes, copied a few MB per step. */
export function* latin1BytesSteps(s: string, sliceChars = 4 << 20): Generator<void, Buffer> {
  const out = Buffer.allocUnsafe(s.length);
  for (let at = 0; at < s.length; at += sliceChars) {
    const end = Math.min(s.length, at + sliceChars);
    out.write(at === 0 && end === s.length ? s : s.slice(at, end), at, 'latin1');
    if (end < s.length) yield;
  }
  return out;
}
