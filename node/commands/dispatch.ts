// The ordered gates every request passes: lookup, arity, auth, subscribe context, MULTI queueing,
// cluster routing, memory, then the handler.
import type { Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import { E } from './errors.js';
import { CommandError } from './args.js';
import { lookupCommand, keyIndexes } from './table.js';
import type { CommandSpec, Ctx } from './types.js';
import { freeMemoryIfNeeded } from '../store/eviction.js';
import { anyFrozen, frozenKeyCount, parkUntilThawed } from '../migration/key-freeze.js';

const SUBSCRIBE_CONTEXT_ALLOWED = new Set(['subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

export function execute(server: Server, session: Session, argv: string[]): void {
  const out = session.out;
  const name = argv[0]!.toLowerCase();
  const spec = lookupCommand(name);
  if (spec === undefined) {
    rejectInMulti(session);
    out.error(E.unknownCommand(argv[0]!, argv.slice(1)));
    return;
  }
  const argc = argv.length;
  if ((spec.arity > 0 && argc !== spec.arity) || argc < -spec.arity) {
    rejectInMulti(session);
    out.error(E.arity(name));
    return;
  }
  if (!session.authenticated && !spec.flags.includes('no_auth')) {
    rejectInMulti(session);
    out.error(E.noAuth);
    return;
  }
  if (spec.flags.includes('write') && !session.isMaster) {
    const refusal = replicationRefusal(server);
    if (refusal !== null) {
      rejectInMulti(session);
      out.error(refusal);
      return;
    }
  }
  if (session.inSubscribeContext && !SUBSCRIBE_CONTEXT_ALLOWED.has(name)) {
    out.error(E.onlyInSubscribe(name));
    return;
  }
  if (session.multi !== null && !MULTI_IMMEDIATE.has(name)) {
    if (spec.flags.includes('no_multi')) {
      rejectInMulti(session);
      out.error(E.notAllowedInMulti(name));
      return;
    }
    if (server.cluster !== null) {
      const err = server.cluster.route(session, argv, keyIndexes(spec, argv), spec.flags);
      if (err !== null) {
        rejectInMulti(session);
        out.error(err);
        return;
      }
    }
    session.multi.push(argv);
    out.simple('QUEUED');
    return;
  }
  if (frozenKeyCount !== 0 && writesFrozenKey(session, spec, argv)) {
    parkOnFrozenKey(server, session, argv);
    return;
  }
  run(server, session, spec, argv, false);
}

/** Why a write cannot run here: a read-only replica, or too few good replicas. */
function replicationRefusal(server: Server): string | null {
  if (server.replicaLink !== null && server.config.bool('replica-read-only')) return E.readonlyReplica;
  const min = server.config.int('min-replicas-to-write');
  if (min > 0 && server.replicaLink === null && server.replication.goodReplicas(server.config.int('min-replicas-max-lag')) < min) return E.noReplicas;
  return null;
}

/** A write (or an EXEC holding one) to a key MIGRATE is moving right now. */
function writesFrozenKey(session: Session, spec: CommandSpec, argv: string[]): boolean {
  if (spec.name === 'exec' && session.multi !== null) {
    for (const q of session.multi) {
      const qs = lookupCommand(q[0]!.toLowerCase());
      if (qs !== undefined && qs.flags.includes('write') && anyFrozen(session.db, q, keyIndexes(qs, q))) return true;
    }
    return false;
  }
  return spec.flags.includes('write') && anyFrozen(session.db, argv, keyIndexes(spec, argv));
}

/** Holds the request (and everything pipelined after it) until the migration is over. */
function parkOnFrozenKey(server: Server, session: Session, argv: string[]): void {
  server.blocking.block(session, { keys: [], db: session.db, deadline: 0, timer: null, retry: () => false, timeout: () => {} });
  parkUntilThawed(session, () => {
    server.blocking.unblock(session);
    execute(server, session, argv);
    if (session.blocked !== null) return;
    server.scheduleFlush(session);
    setImmediate(() => server.processInput(session));
  });
}

function rejectInMulti(session: Session): void {
  if (session.multi !== null) session.multiError = true;
}

/** Runs a command whose gates passed (also used by EXEC for queued commands). */
export function run(server: Server, session: Session, spec: CommandSpec, argv: string[], inExec: boolean): void {
  const out = session.out;
  if (server.cluster !== null && !inExec && !session.isMaster) {
    const err = server.cluster.route(session, argv, keyIndexes(spec, argv), spec.flags);
    if (err !== null) {
      out.error(err);
      return;
    }
  }
  if (spec.flags.includes('denyoom') && server.config.int('maxmemory') > 0 && !freeMemoryIfNeeded(server)) {
    out.error(E.oom);
    return;
  }
  if (server.snapshots.size !== 0 && spec.flags.includes('write')) notifySnapshots(server, session, spec, argv);
  const now = Date.now();
  const ctx: Ctx = { server, session, db: server.dbs[session.db]!, out, now, propagateAs: null };
  const dirtyBefore = server.dirty;
  const stat = commandStat(server, spec.name);
  stat.calls++;
  server.stats.commandsProcessed++;
  session.lastCommand = spec.name;
  const t0 = performance.now();
  try {
    spec.handler(ctx, argv);
  } catch (e) {
    if (e instanceof CommandError) {
      stat.failed++;
      out.error(e.reply);
    } else {
      server.log.error({ err: e, command: spec.name }, 'command failed unexpectedly');
      out.error(`ERR internal error while running '${spec.name}': ${(e as Error).message}`);
    }
  }
  stat.usec += Math.round((performance.now() - t0) * 1000);
  if (server.dirty !== dirtyBefore && server.propagator.active) {
    if (ctx.propagateAs === null) server.propagator.propagate(ctx.db.index, argv);
    else for (const a of ctx.propagateAs) server.propagator.propagate(ctx.db.index, a);
  }
  // ASKING covers exactly the next command (or the whole transaction it precedes).
  if (spec.name !== 'asking' && session.multi === null) session.asking = false;
}

function commandStat(server: Server, name: string) {
  let s = server.stats.commandCalls.get(name);
  if (!s) server.stats.commandCalls.set(name, (s = { calls: 0, usec: 0, failed: 0, rejected: 0 }));
  return s;
}

/** Commands whose effect reaches beyond their key arguments (other databases, whole databases). */
const WIDE_WRITES = new Set(['flushall', 'flushdb', 'swapdb', 'move', 'copy']);

/** Lets running snapshots capture what this write is about to change (persistence/snapshot.ts). */
function notifySnapshots(server: Server, session: Session, spec: CommandSpec, argv: string[]): void {
  const db = server.dbs[session.db]!;
  if (WIDE_WRITES.has(spec.name)) {
    const whole = spec.name === 'flushdb' ? db : null;
    for (const s of server.snapshots) s.beforeWholeDbWrite(whole);
    return;
  }
  const idx = keyIndexes(spec, argv);
  for (const s of server.snapshots) for (const i of idx) s.beforeWrite(db, argv[i]!);
}
