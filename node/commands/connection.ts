// Connection commands: PING, ECHO, SELECT, HELLO, AUTH, QUIT, RESET.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, parseIntStrict } from './args.js';
import { timingSafeEqual } from 'node:crypto';

export const SERVER_VERSION = '7.0.15';

function ping(ctx: Ctx, argv: string[]): void {
  if (argv.length > 2) fail(E.arity('ping'));
  if (ctx.session.inSubscribeContext) {
    ctx.out.array(2);
    ctx.out.bulk('pong');
    ctx.out.bulk(argv[1] ?? '');
    return;
  }
  if (argv.length === 2) ctx.out.bulk(argv[1]!);
  else ctx.out.simple('PONG');
}

function select(ctx: Ctx, argv: string[]): void {
  const n = parseIntStrict(argv[1]!);
  if (n === null) fail(E.notInteger);
  if (ctx.server.clusterEnabled && n !== 0) fail(E.selectCluster);
  if (n < 0 || n >= ctx.server.dbs.length) fail(E.dbIndexOutOfRange);
  ctx.session.db = n;
  ctx.out.ok();
}

function passwordMatches(ctx: Ctx, user: string, pass: string): boolean {
  const want = ctx.server.config.get('requirepass');
  if (user !== 'default') return false;
  if (want === '') return true;
  const a = Buffer.from(pass, 'latin1');
  const b = Buffer.from(want, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

function auth(ctx: Ctx, argv: string[]): void {
  if (argv.length > 3) fail(E.syntax);
  if (argv.length === 2 && ctx.server.config.get('requirepass') === '') fail(E.authNoPassword);
  const [user, pass] = argv.length === 3 ? [argv[1]!, argv[2]!] : ['default', argv[1]!];
  if (!passwordMatches(ctx, user, pass)) {
    ctx.server.log.warn({ client: ctx.session.id, addr: ctx.session.addr }, 'failed AUTH attempt');
    fail(E.wrongPass);
  }
  ctx.session.authenticated = true;
  ctx.out.ok();
}

function hello(ctx: Ctx, argv: string[]): void {
  let ver = ctx.out.resp as number;
  let i = 1;
  if (argv.length > 1) {
    const v = parseIntStrict(argv[1]!);
    if (v === null) fail('ERR Protocol version is not an integer or out of range');
    if (v < 2 || v > 3) fail('NOPROTO unsupported protocol version');
    ver = v;
    i = 2;
  }
  for (; i < argv.length; i++) {
    const o = argv[i]!.toUpperCase();
    if (o === 'AUTH' && i + 2 < argv.length) {
      if (!passwordMatches(ctx, argv[i + 1]!, argv[i + 2]!)) fail(E.wrongPass);
      ctx.session.authenticated = true;
      i += 2;
    } else if (o === 'SETNAME' && i + 1 < argv.length) {
      const name = argv[++i]!;
      if (/[\s]/.test(name) || /[^\x21-\x7e]/.test(name)) fail('ERR Client names cannot contain spaces, newlines or special characters.');
      ctx.session.name = name;
    } else fail(`ERR Syntax error in HELLO option '${argv[i]}'`);
  }
  if (!ctx.session.authenticated) fail(E.helloNoAuth);
  ctx.out.resp = ver as 2 | 3;
  ctx.out.map(7);
  ctx.out.bulk('server');
  ctx.out.bulk('redis');
  ctx.out.bulk('version');
  ctx.out.bulk(SERVER_VERSION);
  ctx.out.bulk('proto');
  ctx.out.int(ver);
  ctx.out.bulk('id');
  ctx.out.int(ctx.session.id);
  ctx.out.bulk('mode');
  ctx.out.bulk(ctx.server.clusterEnabled ? 'cluster' : 'standalone');
  ctx.out.bulk('role');
  ctx.out.bulk('master');
  ctx.out.bulk('modules');
  ctx.out.array(0);
}

function quit(ctx: Ctx): void {
  ctx.out.ok();
  ctx.session.closing = true;
}

function reset(ctx: Ctx): void {
  const s = ctx.session;
  s.multi = null;
  s.multiError = false;
  ctx.server.unwatchAll(s);
  ctx.server.pubsub.unsubscribeAll(s);
  s.db = 0;
  s.name = '';
  s.asking = false;
  s.readonlyMode = false;
  s.replyMode = 'on';
  s.out.resp = 2;
  s.authenticated = ctx.server.config.get('requirepass') === '';
  ctx.out.simple('RESET');
}

export const connectionCommands: readonly CommandSpec[] = [
  { name: 'ping', arity: -1, flags: ['fast'], group: 'connection', handler: ping },
  { name: 'echo', arity: 2, flags: ['fast'], group: 'connection', handler: (c, a) => c.out.bulk(a[1]!) },
  { name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], group: 'connection', handler: select },
  { name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], group: 'connection', handler: auth },
  { name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], group: 'connection', handler: hello },
  { name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], group: 'connection', handler: quit },
  { name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], group: 'connection', handler: reset },
];
