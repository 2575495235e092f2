// The ordered gates every request passes: lookup, arity, auth, subscribe context, MULTI queueing,
// cluster routing, memory, then the handler.
import type { Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import { E } from './errors.js';
import { CommandError } from './args.js';
import { Command, findCommand, keyIndexes, lookupCommand } from './table.js';
import type { CommandSpec, Ctx } from './types.js';
import type { CommandStat } from '../server/server.js';
import { freeMemoryIfNeeded } from '../store/eviction.js';
import { redactedArgs } from '../server/redact.js';
import { anyFrozen, anyInFrozenSlot, frozenKeyCount, parkUntilThawed } from '../migration/key-freeze.js';

// Node defines the global `performance` as a lazy accessor: read through it, every command paid a
// getter call (LoadGlobalIC) twice. A module constant is a plain load.
const perf = performance;

export function execute(server: Server, session: Session, argv: string[]): void {
  const out = session.out;
  const spec = findCommand(argv[0]!);
  if (spec === undefined) return reject(server, session, undefined, E.unknownCommand(argv[0]!, argv.slice(1)));
  const name = spec.name;
  const argc = argv.length;
  if ((spec.arity > 0 && argc !== spec.arity) || argc < -spec.arity) return reject(server, session, spec, E.arity(name), argv);
  if (session.multi !== null && spec.isNoMulti) return reject(server, session, spec, E.notAllowedInMulti(name), argv);
  if (!session.authenticated && !spec.isNoAuth) return reject(server, session, spec, E.noAuth, argv);
  const queueing = session.multi !== null && !spec.multiImmediate;
  if (queueing && server.cluster !== null) {
    const err = server.cluster.route(session, argv, keyIndexes(spec, argv), spec.flags);
    if (err !== null) return reject(server, session, spec, err, argv);
  }
  if (queueing && spec.isDenyOom && server.maxmemory > 0 && !freeMemoryIfNeeded(server)) {
    return reject(server, session, spec, E.oom, argv);
  }
  // Outside MULTI this check runs in run(), after cluster routing: a replica redirects writes for
  // its master's slots with MOVED before it would refuse them as READONLY (as Redis orders it).
  if (queueing && spec.isWrite && !session.isMaster) {
    const refusal = replicationRefusal(server);
    if (refusal !== null) return reject(server, session, spec, refusal, argv);
  }
  if (!spec.subscribeContextAllowed && session.inSubscribeContext) {
    // Redis redirects before it checks the subscribe context.
    const redirect = queueing || server.cluster === null ? null : server.cluster.route(session, argv, keyIndexes(spec, argv), spec.flags);
    return reject(server, session, spec, redirect ?? E.onlyInSubscribe(name), argv);
  }
  if (queueing) {
    session.multi!.push(argv);
    out.simple('QUEUED');
    return;
  }
  if (frozenKeyCount !== 0 && writesFrozenKey(session, spec, argv)) {
    parkOnFrozenKey(server, session, argv);
    return;
  }
  if (server.cluster !== null && server.cluster.writesPaused?.() === true && !session.isMaster && writes(session, spec)) {
    parkWhilePaused(server, session, argv);
    return;
  }
  run(server, session, spec, argv, false);
}

function writes(session: Session, spec: Command): boolean {
  if (spec.isExec && session.multi !== null) return session.multi.some((q) => findCommand(q[0]!)?.isWrite === true);
  return spec.isWrite;
}

/**
 * Holds a write (and what is pipelined after it) while a manual failover pauses this master, as
 * Redis pauses writers: accepting it after my offset was handed to the replica would lose it.
 * Once the pause ends the request runs again, and is redirected if I became a replica.
 */
function parkWhilePaused(server: Server, session: Session, argv: string[]): void {
  server.blocking.block(session, { keys: [], db: session.db, deadline: 0, timer: null, retry: () => false, timeout: () => {} });
  const poll = (): void => {
    if (session.closing) return;
    if (server.cluster?.writesPaused?.() === true) {
      setTimeout(poll, 5);
      return;
    }
    server.blocking.unblock(session);
    execute(server, session, argv);
    if (session.blocked !== null) return;
    server.scheduleFlush(session);
    setImmediate(() => server.processInput(session));
  };
  setTimeout(poll, 5);
}

/**
 * A request refused before running: counted as rejected, marks an open transaction as failed,
 * and a refused EXEC discards the transaction with the reason.
 */
function reject(server: Server, session: Session, spec: Command | undefined, msg: string, argv: readonly string[] = []): void {
  if (spec !== undefined) statOf(server, spec, argv).rejected++;
  if (spec !== undefined && spec.isExec) {
    session.multi = null;
    session.multiError = false;
    server.unwatchAll(session);
    session.out.error(E.execAbortBecause(msg));
    return;
  }
  if (session.multi !== null) session.multiError = true;
  session.out.error(msg);
}

/** Why a write cannot run here: a read-only replica, or too few good replicas. */
function replicationRefusal(server: Server): string | null {
  if (server.replicaLink !== null && server.config.bool('replica-read-only')) return E.readonlyReplica;
  const min = server.minReplicasToWrite;
  if (min > 0 && server.replicaLink === null && server.replication.goodReplicas(server.config.int('min-replicas-max-lag')) < min) return E.noReplicas;
  return null;
}

/**
 * A write (or an EXEC holding one) to a key MIGRATE is moving right now, or any command on a
 * slot in the handover pause of an atomic slot export: reads park too there, since the target
 * may already own the slot and accept writes this node would not see.
 */
function writesFrozenKey(session: Session, spec: Command, argv: string[]): boolean {
  if (spec.isExec && session.multi !== null) {
    for (const q of session.multi) {
      const qs = findCommand(q[0]!);
      if (qs !== undefined && frozenFor(session.db, qs, q)) return true;
    }
    return false;
  }
  return frozenFor(session.db, spec, argv);
}

function frozenFor(db: number, spec: Command, argv: readonly string[]): boolean {
  const idx = keyIndexes(spec, argv);
  return spec.isWrite ? anyFrozen(db, argv, idx) : anyInFrozenSlot(db, argv, idx);
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

/**
 * Runs a command whose gates passed (also used by EXEC for queued commands). `spec` is normally
 * a table entry; a bare spec (tests) is looked up by name.
 */
export function run(server: Server, session: Session, spec: CommandSpec, argv: string[], inExec: boolean): void {
  const cmd = spec instanceof Command ? spec : lookupCommand(spec.name)!;
  const out = session.out;
  if (server.cluster !== null && !inExec && !session.isMaster) {
    const err = cmd.isExec && session.multi !== null ? server.cluster.routeQueued(session, session.multi) : server.cluster.route(session, argv, keyIndexes(cmd, argv), cmd.flags);
    if (err !== null) {
      if (cmd.isExec && session.multi !== null) {
        // A redirected EXEC discards the transaction, as Redis does.
        session.multi = null;
        session.multiError = false;
        server.unwatchAll(session);
      }
      out.error(err);
      return;
    }
  }
  if (!inExec && cmd.isWrite && !session.isMaster) {
    const refusal = replicationRefusal(server);
    if (refusal !== null) {
      statOf(server, cmd, argv).rejected++;
      out.error(refusal);
      return;
    }
  }
  if (!inExec && cmd.isDenyOom && server.maxmemory > 0 && !freeMemoryIfNeeded(server)) {
    statOf(server, cmd, argv).rejected++;
    out.error(E.oom);
    return;
  }
  if (server.snapshots.size !== 0 && cmd.isWrite) notifySnapshots(server, session, cmd, argv);
  const t0 = perf.now();
  const now = server.batchClockValid ? server.batchTime(t0) : Date.now();
  const ctx: Ctx = { server, session, db: server.dbs[session.db]!, out, now, propagateAs: null, denyBlocking: inExec };
  const dirtyBefore = server.dirty;
  const stat = statOf(server, cmd, argv);
  stat.calls++;
  const errorsBefore = out.errorCount;
  server.stats.commandsProcessed++;
  session.lastCommand = cmd.name;
  const replyMark = out.buf.length;
  const modeBefore = session.replyMode;
  let threw = false;
  try {
    cmd.handler(ctx, argv);
  } catch (e) {
    threw = true;
    if (e instanceof CommandError) {
      out.error(e.reply);
    } else {
      server.log.error({ err: e, command: cmd.name }, 'command failed unexpectedly');
      out.error(`ERR internal error while running '${cmd.name}': ${(e as Error).message}`);
    }
  }
  const usec = Math.round((perf.now() - t0) * 1000);
  stat.usec += usec;
  if (usec >= server.monitors.floorUs) recordSlow(server, session, spec, argv, usec);
  if (modeBefore !== 'on' || session.replyMode !== 'on') dropReplies(session, replyMark, modeBefore);
  // EXEC's own call fails only when EXEC itself errs; its queued commands count for themselves.
  if (cmd.isExec ? threw : out.errorCount !== errorsBefore) stat.failed++;
  if (server.dirty !== dirtyBefore && server.propagator.active) {
    if (ctx.propagateAs === null) server.propagator.propagate(ctx.db.index, argv);
    else for (const a of ctx.propagateAs) server.propagator.propagate(ctx.db.index, a);
  }
  // ASKING covers exactly the next command (or the whole transaction it precedes).
  if (!cmd.isAsking && session.multi === null) session.asking = false;
}

function recordSlow(server: Server, session: Session, spec: CommandSpec, argv: readonly string[], usec: number): void {
  server.monitors.record(redactedArgs(argv), usec, spec.flags.includes('fast'), session.addr, session.name, spec.flags.includes('skip_slowlog'));
}

/** CLIENT REPLY OFF/SKIP: removes what this command appended (SKIP covers the next command). */
function dropReplies(session: Session, mark: number, modeBefore: 'on' | 'off' | 'skip'): void {
  if (modeBefore === 'skip') {
    session.out.buf = session.out.buf.slice(0, mark);
    if (session.replyMode === 'skip') session.replyMode = 'on';
    return;
  }
  if (session.replyMode !== 'on') session.out.buf = session.out.buf.slice(0, mark);
}

/** The statistics record of a call: per command, or per subcommand for containers (CONFIG GET...). */
function statOf(server: Server, cmd: Command, argv: readonly string[]): CommandStat {
  if (cmd.isContainer && argv.length >= 2) return commandStat(server, containerStatName(server, cmd, argv));
  const byId = server.stats.commandStatsById;
  return byId[cmd.id] ?? (byId[cmd.id] = commandStat(server, cmd.name));
}

function containerStatName(server: Server, cmd: Command, argv: readonly string[]): string {
  const n = `${cmd.name}|${argv[1]!.toLowerCase()}`;
  // Subcommand names come from clients: bound how many distinct ones get an entry.
  if (!server.stats.commandCalls.has(n) && server.stats.commandCalls.size >= 1024) return cmd.name;
  return n;
}

function commandStat(server: Server, name: string): CommandStat {
  let s = server.stats.commandCalls.get(name);
  if (!s) server.stats.commandCalls.set(name, (s = { calls: 0, usec: 0, failed: 0, rejected: 0 }));
  return s;
}

/** Lets running snapshots capture what this write is about to change (persistence/snapshot.ts). */
function notifySnapshots(server: Server, session: Session, spec: Command, argv: string[]): void {
  const db = server.dbs[session.db]!;
  if (spec.wideWrite) {
    const whole = spec.name === 'flushdb' ? db : null;
    for (const s of server.snapshots) s.beforeWholeDbWrite(whole);
    return;
  }
  const idx = keyIndexes(spec, argv);
  for (const s of server.snapshots) for (const i of idx) s.beforeWrite(db, argv[i]!);
}
