// REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC, WAIT, ROLE.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, parseIntStrict } from './args.js';
import { replicaOf } from '../replication/role.js';

function replicaof(ctx: Ctx, argv: string[]): void {
  if (ctx.server.clusterEnabled) fail('ERR REPLICAOF not allowed in cluster mode.');
  const host = argv[1]!;
  const portArg = argv[2]!;
  if (host.toLowerCase() === 'no' && portArg.toLowerCase() === 'one') {
    replicaOf(ctx.server, null);
    return ctx.out.ok();
  }
  const port = parseIntStrict(portArg);
  if (port === null || port < 0 || port > 65535) fail('ERR Invalid master port');
  const cur = ctx.server.replicaLink;
  if (cur && cur.host === host && cur.port === port) return ctx.out.simple('OK Already connected to specified master');
  replicaOf(ctx.server, { host, port });
  ctx.out.ok();
}

function replconf(ctx: Ctx, argv: string[]): void {
  if (argv.length % 2 === 0) fail(E.syntax);
  const r = ctx.server.replication.replconf(ctx.session, argv.slice(1));
  if (r === null) return;
  if (r === 'OK') return ctx.out.ok();
  fail(r);
}

function psync(ctx: Ctx, argv: string[]): void {
  // A replica serves sub-replicas only while it follows its master (Redis's syncCommand).
  if (ctx.server.replicaLink !== null && ctx.server.replicaLink.state !== 'connected') fail(E.noMasterLink);
  if (ctx.session.multi !== null) fail('ERR Replica can\'t interact with the keyspace');
  const offset = argv[0]!.toLowerCase() === 'sync' ? -1 : Number(argv[2]);
  ctx.server.replication.psync(ctx.session, argv[0]!.toLowerCase() === 'sync' ? '?' : argv[1]!, offset, argv[0]!.toLowerCase() === 'sync');
}

function wait(ctx: Ctx, argv: string[]): void {
  const n = parseIntStrict(argv[1]!);
  const timeout = parseIntStrict(argv[2]!);
  if (n === null || timeout === null) fail(E.notInteger);
  if (timeout < 0) fail(E.timeoutNegative);
  if (ctx.server.replicaLink !== null) fail('ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');
  const primary = ctx.server.replication;
  primary.beforeReply();
  const target = primary.offset;
  const session = ctx.session;
  if (session.multi !== null || ctx.server.sessions.get(session.id) === undefined) return ctx.out.int(primary.ackedCount(target));
  let answered = false;
  const reply = (count: number): void => {
    if (answered) return;
    answered = true;
    session.out.int(count);
    ctx.server.blocking.unblock(session);
    ctx.server.scheduleFlush(session);
    setImmediate(() => ctx.server.processInput(session));
  };
  // Block the client (no keys) until enough replicas acknowledged or the timeout.
  ctx.server.blocking.block(session, { keys: [], db: session.db, deadline: 0, timer: null, retry: () => false, timeout: () => reply(primary.ackedCount(target)), endsOnRoleChange: true });
  primary.waitForAcks(target, n, timeout, reply);
}

function role(ctx: Ctx): void {
  const link = ctx.server.replicaLink;
  const out = ctx.out;
  if (link === null) {
    const reps = [...ctx.server.replication.replicas.values()].filter((r) => r.state === 'online');
    out.array(3);
    out.bulk('master');
    out.int(ctx.server.replication.offset);
    out.array(reps.length);
    for (const r of reps) {
      out.array(3);
      out.bulk(r.announcedIp ?? r.session.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '');
      out.bulk(String(r.listeningPort));
      out.bulk(String(r.ackOffset));
    }
    return;
  }
  out.array(5);
  out.bulk('slave');
  out.bulk(link.host);
  out.int(link.port);
  out.bulk(link.state === 'transfer' ? 'sync' : link.state);
  // Redis reports the offset of its master client, which exists only while the link is up.
  out.int(link.state === 'connected' ? link.offset : -1);
}

export const replicationCommands: readonly CommandSpec[] = [
  { name: 'replicaof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_multi'], group: 'server', handler: replicaof },
  { name: 'slaveof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_multi'], group: 'server', handler: replicaof },
  { name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], group: 'server', handler: replconf },
  { name: 'psync', arity: -3, flags: ['admin', 'noscript', 'no_multi'], group: 'server', handler: psync },
  { name: 'sync', arity: 1, flags: ['admin', 'noscript', 'no_multi'], group: 'server', handler: psync },
  { name: 'wait', arity: 3, flags: ['noscript'], group: 'generic', handler: wait },
  { name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], group: 'server', handler: role },
];
