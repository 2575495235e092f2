// Work that runs in slices between I/O (slot exports, big payloads) yields here. Replies are held
// for the end of the event-loop turn (Server.scheduleFlush, an immediate), and immediates run in
// the order they were queued: a slice queued before that flush would hold the replies of the
// requests read meanwhile back by a whole slice. So a slice first writes them.

const flushers = new Set<() => void>();

/** Registers what writes the held replies; returns its unregistration. */
export function onTurnYield(flush: () => void): () => void {
  flushers.add(flush);
  return () => flushers.delete(flush);
}

/** Lets pending I/O run (or waits a millisecond when `idle`), then writes the replies it produced. */
export async function yieldTurn(idle = false): Promise<void> {
  await new Promise<void>((resolve) => (idle ? setTimeout(resolve, 1) : setImmediate(resolve)));
  for (const f of flushers) f();
}
