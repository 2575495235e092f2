// CLIENT subcommands.
import type { Ctx } from './types.js';
import type { Session } from '../server/session.js';
import { E } from './errors.js';
import { fail, parseInt64, parseIntStrict } from './args.js';

export function clientLine(s: Session, now: number): string {
  const flags = (s.multi ? 'x' : '') + (s.blocked ? 'b' : '') + (s.subscriptionCount ? 'P' : '') + (s.readonlyMode ? 'r' : '') || 'N';
  return (
    `id=${s.id} addr=${s.addr} laddr=${s.laddr} fd=0 name=${s.name} age=${Math.floor((now - s.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - s.lastInteraction) / 1000)} flags=${flags} db=${s.db} sub=${s.channels.size} psub=${s.patterns.size} ` +
    `ssub=${s.shardChannels.size} multi=${s.multi ? s.multi.length : -1} qbuf=${s.reader.pending} qbuf-free=0 argv-mem=0 multi-mem=0 ` +
    `rbs=0 rbp=0 obl=0 oll=0 omem=${s.socket.writableLength} tot-mem=0 events=r cmd=${s.lastCommand} user=default redir=-1 resp=${s.out.resp}`
  );
}

export function clientCommand(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!.toLowerCase();
  const s = ctx.session;
  s.lastCommand = `client|${sub}`;
  switch (sub) {
    case 'id':
      return ctx.out.int(s.id);
    case 'setname': {
      if (argv.length !== 3) fail(E.subArity('client', 'setname'));
      const name = argv[2]!;
      if (/[^\x21-\x7e]/.test(name)) fail('ERR Client names cannot contain spaces, newlines or special characters.');
      s.name = name;
      return ctx.out.ok();
    }
    case 'getname':
      return s.name === '' ? ctx.out.nullBulk() : ctx.out.bulk(s.name);
    case 'info':
      return ctx.out.verbatim(`${clientLine(s, ctx.now)}\n`);
    case 'list': {
      let list = [...ctx.server.sessions.values()];
      for (let i = 2; i < argv.length; i++) {
        const o = argv[i]!.toUpperCase();
        if (o === 'ID') {
          const ids = new Set(argv.slice(i + 1).map((x) => parseIntStrict(x)));
          if (ids.has(null)) fail('ERR Invalid client ID');
          list = list.filter((c) => ids.has(c.id));
          break;
        } else if (o === 'TYPE' && i + 1 < argv.length) {
          const t = argv[++i]!.toLowerCase();
          if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(t)) fail(`ERR Unknown client type '${argv[i]}'`);
          list = list.filter((c) => (t === 'pubsub' ? c.subscriptionCount > 0 : t === 'normal' ? c.kind === 'normal' && c.subscriptionCount === 0 : t === 'replica' || t === 'slave' ? c.kind === 'slave' : false));
        } else fail(E.syntax);
      }
      return ctx.out.verbatim(list.map((c) => `${clientLine(c, ctx.now)}\n`).join(''));
    }
    case 'kill': {
      if (argv.length === 3) {
        const target = [...ctx.server.sessions.values()].find((c) => c.addr === argv[2]);
        if (!target) fail('ERR No such client');
        ctx.server.killSession(target);
        return ctx.out.ok();
      }
      let killed = 0;
      let skipMe = true;
      const filters: ((c: Session) => boolean)[] = [];
      for (let i = 2; i < argv.length; i += 2) {
        const o = argv[i]!.toUpperCase();
        const v = argv[i + 1];
        if (v === undefined) fail(E.syntax);
        if (o === 'ID') {
          const id = parseIntStrict(v);
          if (id === null) fail('ERR client-id should be greater than 0');
          filters.push((c) => c.id === id);
        } else if (o === 'ADDR') filters.push((c) => c.addr === v);
        else if (o === 'LADDR') filters.push((c) => c.laddr === v);
        else if (o === 'USER') {
          if (v !== 'default') fail(`ERR No such user '${v}'`);
          filters.push(() => true);
        }
        else if (o === 'TYPE') filters.push((c) => (v.toLowerCase() === 'pubsub' ? c.subscriptionCount > 0 : v.toLowerCase() === 'normal' ? c.kind === 'normal' : c.kind === 'slave'));
        else if (o === 'SKIPME') {
          const yn = v.toLowerCase();
          if (yn !== 'yes' && yn !== 'no') fail(E.syntax);
          skipMe = yn === 'yes';
        }
        else fail(E.syntax);
      }
      for (const c of [...ctx.server.sessions.values()]) {
        if (skipMe && c === s) continue;
        if (filters.every((f) => f(c))) {
          if (c === s) s.closing = true;
          else ctx.server.killSession(c);
          killed++;
        }
      }
      return ctx.out.int(killed);
    }
    case 'no-evict': {
      if (argv.length !== 3) fail(E.subArity('client', sub));
      const v = argv[2]!.toLowerCase();
      if (v !== 'on' && v !== 'off') fail(E.syntax);
      return ctx.out.ok();
    }
    case 'reply': {
      if (argv.length !== 3) fail(E.subArity('client', sub));
      const v = argv[2]!.toLowerCase();
      if (v !== 'on' && v !== 'off' && v !== 'skip') fail(E.syntax);
      s.replyMode = v;
      return ctx.out.ok();
    }
    case 'unblock': {
      if (argv.length < 3) fail(E.subArity('client', 'unblock'));
      if (argv.length > 4) fail(E.subcommandSyntax(argv[1]!, 'client'));
      let withError = false;
      if (argv.length === 4) {
        const reason = argv[3]!.toUpperCase();
        if (reason === 'ERROR') withError = true;
        else if (reason !== 'TIMEOUT') fail(E.unblockReason);
      }
      const id = parseInt64(argv[2]!);
      if (id === null) fail(E.notInteger);
      const target = ctx.server.sessions.get(Number(id));
      return ctx.out.int(target !== undefined && ctx.server.blocking.unblockByRequest(target, withError) ? 1 : 0);
    }
    case 'help':
      return ctx.out.bulks(['CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', 'ID', 'INFO', 'KILL', 'LIST', 'GETNAME', 'SETNAME', 'UNBLOCK']);
    default:
      fail(E.unknownSubcommand(argv[1]!, 'CLIENT'));
  }
}
