// Work that runs in slices between I/O (slot exports, big payloads) yields here. Replies are held
// for the end of the event-loop turn (Server.scheduleFlush, an immediate), and immediates run in
// the order they were queued: a slice queued before that flush would hold the replies of the
// requests read meanwhile back by a whole slice. So a slice first writes them; so does work done
// in an I/O callback (a slot import applying its stream), which would hold back the replies to
// the requests read before it in the same turn.

const flushers = new Set<() => void>();

/** Registers what writes the held replies; returns its unregistration. */
export function onTurnYield(flush: () => void): () => void {
  flushers.add(flush);
  return () => flushers.delete(flush);
}

/** Writes the replies held for the end of the turn now, before a slice of other work. */
export function flushHeldReplies(): void {
  for (const f of flushers) f();
}

/** Lets pending I/O run (or waits a millisecond when `idle`), then writes the replies it produced. */
export async function yieldTurn(idle = false): Promise<void> {
  await new Promise<void>((resolve) => (idle ? setTimeout(resolve, 1) : setImmediate(resolve)));
  flushHeldReplies();
}
