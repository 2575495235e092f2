// MULTI / EXEC / DISCARD / WATCH / UNWATCH. Queueing happens in dispatch.ts (commands other than
// these are queued while a transaction is open); EXEC runs the queue through dispatch's run().
import type { CommandSpec, Ctx } from './types.js';
import type { Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import { E } from './errors.js';
import { fail } from './args.js';
import { findCommand } from './table.js';
import { run } from './dispatch.js';
import { freeMemoryIfNeeded } from '../store/eviction.js';

/** Drops the open transaction and every WATCH of the session. */
export function discardTransaction(server: Server, s: Session): void {
  s.multi = null;
  s.multiError = false;
  server.unwatchAll(s);
}

function multi(ctx: Ctx): void {
  if (ctx.session.multi !== null) fail(E.multiNested);
  ctx.session.multi = [];
  ctx.session.multiError = false;
  ctx.out.ok();
}

function discard(ctx: Ctx): void {
  if (ctx.session.multi === null) fail(E.discardNoMulti);
  discardTransaction(ctx.server, ctx.session);
  ctx.out.ok();
}

function watch(ctx: Ctx, argv: string[]): void {
  if (ctx.session.multi !== null) fail(E.watchInMulti);
  for (let i = 1; i < argv.length; i++) ctx.server.watch(ctx.session, ctx.db.index, argv[i]!, ctx.now);
  ctx.out.ok();
}

function unwatch(ctx: Ctx): void {
  ctx.server.unwatchAll(ctx.session);
  ctx.out.ok();
}

function exec(ctx: Ctx): void {
  const { server, session: s } = ctx;
  const queue = s.multi;
  if (queue === null) fail(E.execNoMulti);
  if (s.multiError) {
    discardTransaction(server, s);
    fail(E.execAbort);
  }
  if (!s.dirtyCas && server.watches.anyExpiredSinceWatch(s, server.dbs, ctx.now)) s.dirtyCas = true;
  if (s.dirtyCas) {
    discardTransaction(server, s);
    ctx.out.nullArray();
    return;
  }
  const specs = queue.map((argv) => findCommand(argv[0]!)!);
  if (server.config.int('maxmemory') > 0 && specs.some((c) => c.isDenyOom) && !freeMemoryIfNeeded(server)) {
    discardTransaction(server, s);
    fail(E.execAbortBecause(E.oom));
  }
  server.unwatchAll(s);
  ctx.out.array(queue.length);
  s.inExec = true;
  // Replicas and the AOF see the transaction's writes as one MULTI/EXEC block; EXEC itself
  // propagates nothing more.
  ctx.propagateAs = [];
  server.propagator.beginTransaction(ctx.db.index);
  try {
    for (let i = 0; i < queue.length; i++) run(server, s, specs[i]!, queue[i]!, true);
  } finally {
    server.propagator.endTransaction();
    s.inExec = false;
    s.multi = null;
    s.multiError = false;
  }
}

const txFlags = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const transactionCommands: readonly CommandSpec[] = [
  { name: 'multi', arity: 1, flags: [...txFlags], group: 'transactions', acl: ['fast', 'transaction'], summary: 'Start a transaction block', since: '1.2.0', handler: multi },
  { name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], group: 'transactions', acl: ['slow', 'transaction'], summary: 'Run every command queued since MULTI', since: '1.2.0', handler: exec },
  { name: 'discard', arity: 1, flags: [...txFlags], group: 'transactions', acl: ['fast', 'transaction'], summary: 'Drop every command queued since MULTI', since: '2.0.0', handler: discard },
  {
    name: 'watch',
    arity: -2,
    flags: [...txFlags],
    keys: { first: 1, last: -1, step: 1 },
    group: 'transactions',
    acl: ['fast', 'transaction'],
    summary: 'Make the next EXEC conditional on the keys staying unmodified',
    since: '2.2.0',
    handler: watch,
  },
  { name: 'unwatch', arity: 1, flags: [...txFlags], group: 'transactions', acl: ['fast', 'transaction'], summary: 'Forget every WATCHed key', since: '2.2.0', handler: unwatch },
];
