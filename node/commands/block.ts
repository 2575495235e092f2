// Blocking a client on keys from a handler (BZPOPMIN, BZPOPMAX, BZMPOP), on top of the blocking
// registry. The handler parses its timeout first, tries to serve at once, and only then calls
// blockClient() and writes no reply. serve(ctx, key) runs later with a fresh Ctx once `key` may
// have data: it checks the key's type itself, writes the reply, records the change and returns
// true; or returns false, writing nothing, to keep waiting.
//
// NOTE for merging: the lists branch brings a fuller version of this module with the same
// exported API (BlockRequest, blockClient); prefer that one.
import type { Ctx } from './types.js';
import type { Reply } from '../server/reply.js';
import { CommandError } from './args.js';

export interface BlockRequest {
  /** Keys to wait on, in the command's order. */
  readonly keys: readonly string[];
  /** Absolute ms since the epoch; 0 waits forever. */
  readonly deadline: number;
  /** Keys the serve may write besides the key that got data. */
  readonly alsoWrites?: readonly string[];
  serve(ctx: Ctx, key: string): boolean;
  /** The reply on timeout; a null array when not given. */
  timeout?(out: Reply): void;
}

/** Blocks the client of ctx until serve() succeeds for one of its keys or the deadline passes. */
export function blockClient(ctx: Ctx, req: BlockRequest): void {
  const { server, session } = ctx;
  const dbIndex = ctx.db.index;
  server.blocking.block(session, {
    keys: req.keys,
    db: dbIndex,
    deadline: req.deadline,
    timer: null,
    // This registry does not say which key got data: offer each key in the command's order.
    retry: () => {
      const db = server.dbs[dbIndex]!;
      for (const key of req.keys) {
        if (db.get(key, Date.now()) === undefined) continue;
        for (const s of server.snapshots) {
          s.beforeWrite(db, key);
          for (const k of req.alsoWrites ?? []) s.beforeWrite(db, k);
        }
        const c: Ctx = { server, session, db, out: session.out, now: Date.now(), propagateAs: null };
        let served: boolean;
        try {
          served = req.serve(c, key);
        } catch (e) {
          if (!(e instanceof CommandError)) throw e;
          c.out.error(e.reply);
          served = true;
        }
        if (!served) continue;
        if (server.propagator.active && c.propagateAs !== null) for (const a of c.propagateAs) server.propagator.propagate(dbIndex, a);
        return true;
      }
      return false;
    },
    timeout: () => (req.timeout ? req.timeout(session.out) : session.out.nullArray()),
  });
}
