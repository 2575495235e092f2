// Blocking a client on keys from a command handler, for any data type (lists here; sorted sets
// use the same calls for BZPOPMIN/BZPOPMAX/BZMPOP):
//
//   const deadline = timeoutArg(argv[i], ctx.now);        // parse first: errors come first
//   ... try to serve right away; if nothing to serve:
//   if (ctx.denyBlocking) return ctx.out.nullArray();     // inside MULTI/EXEC: a timeout at once
//   blockClient(ctx, { keys, deadline, serve, timeout }); // no reply now
//
// serve(ctx, key) runs later, once `key` got data: it must check the type itself (the key may
// now hold another type), write the reply, record the change with modified()/propagateAs() as a
// handler would, and return true; or return false and write nothing to keep waiting. It gets a
// fresh Ctx for the blocked client; writes it makes reach WATCH, snapshots and propagation as a
// normal command's would (propagate the effective non-blocking command with propagateAs()).
import type { Ctx } from './types.js';
import type { Server } from '../server/server.js';
import type { Session, BlockedState } from '../server/session.js';
import type { Reply } from '../server/reply.js';
import { CommandError } from './args.js';

export interface BlockRequest {
  /** Keys to wait on, in the command's order. */
  readonly keys: readonly string[];
  /** From timeoutArg(): absolute ms, 0 = forever. */
  readonly deadline: number;
  /** Keys the serve may write besides the key that got data (BLMOVE's destination). */
  readonly alsoWrites?: readonly string[];
  serve(ctx: Ctx, key: string): boolean;
  /** The reply on timeout; Redis 7.0 answers every list/zset wait with a null array. */
  timeout?(out: Reply): void;
}

function nullArray(out: Reply): void {
  out.nullArray();
}

/** Blocks the client of ctx; the handler writes no reply. */
export function blockClient(ctx: Ctx, req: BlockRequest): void {
  const { server, session } = ctx;
  // The index, not the Db object: SWAPDB may put other contents behind the same index.
  const dbIndex = ctx.db.index;
  const onTimeout = req.timeout ?? nullArray;
  const state: BlockedState = {
    keys: req.keys,
    db: dbIndex,
    deadline: req.deadline,
    timer: null,
    retry: (key) => serveBlocked(server, session, dbIndex, key, req),
    timeout: () => onTimeout(session.out),
  };
  server.blocking.block(session, state);
}

/** Runs a blocked client's serve as a command of its own for snapshots and propagation. */
function serveBlocked(server: Server, session: Session, dbIndex: number, key: string, req: BlockRequest): boolean {
  const db = server.dbs[dbIndex]!;
  if (server.snapshots.size !== 0) {
    for (const s of server.snapshots) {
      s.beforeWrite(db, key);
      for (const k of req.alsoWrites ?? []) s.beforeWrite(db, k);
    }
  }
  const ctx: Ctx = { server, session, db, out: session.out, now: Date.now(), propagateAs: null, denyBlocking: true };
  const dirtyBefore = server.dirty;
  let served: boolean;
  try {
    served = req.serve(ctx, key);
  } catch (e) {
    // A check that fails while serving (BLMOVE into a key that now holds another type) ends
    // the wait with that error, as Redis 7.0 does.
    if (!(e instanceof CommandError)) throw e;
    ctx.out.error(e.reply);
    served = true;
  }
  if (served && server.dirty !== dirtyBefore && server.propagator.active && ctx.propagateAs !== null) {
    for (const a of ctx.propagateAs) server.propagator.propagate(dbIndex, a);
  }
  return served;
}
