// Server administration commands: INFO, CONFIG, COMMAND, DBSIZE, FLUSHDB/FLUSHALL, TIME, DEBUG,
// SHUTDOWN, CLIENT.
import type { CommandSpec, Ctx, KeySpec } from './types.js';
import { E } from './errors.js';
import { encodingThresholds } from './thresholds.js';
import { fail, floatArg } from './args.js';
import { ConfigError } from '../config/config.js';
import { globMatch } from '../../common/glob.js';
import { allCommands, keyIndexes, lookupCommand } from './table.js';
import { SERVER_VERSION } from './connection.js';
import { renderInfo } from './info.js';
import { clientCommand } from './client.js';
import { parseSynopsis, type ArgDoc } from './docs.js';
import { SYNTAX } from './docs-syntax.js';

function flushdb(ctx: Ctx, argv: string[]): void {
  if (argv.length > 2 || (argv[1] && !['ASYNC', 'SYNC'].includes(argv[1].toUpperCase()))) fail(E.syntax);
  ctx.server.touchAllWatched(ctx.db.index);
  ctx.server.dirty += ctx.db.size;
  ctx.db.flush();
  ctx.out.ok();
}

function flushall(ctx: Ctx, argv: string[]): void {
  if (argv.length > 2 || (argv[1] && !['ASYNC', 'SYNC'].includes(argv[1].toUpperCase()))) fail(E.syntax);
  ctx.server.touchAllWatched(null);
  for (const db of ctx.server.dbs) {
    ctx.server.dirty += db.size;
    db.flush();
  }
  ctx.out.ok();
}

function config(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!.toLowerCase();
  const cfg = ctx.server.config;
  switch (sub) {
    case 'get': {
      if (argv.length < 3) fail(E.subArity('config', 'get'));
      const pats = argv.slice(2).map((p) => p.toLowerCase());
      const pairs = cfg.matching((n) => pats.some((p) => globMatch(p, n)));
      ctx.out.map(pairs.length);
      for (const [k, v] of pairs) {
        ctx.out.bulk(k);
        ctx.out.bulk(v);
      }
      return;
    }
    case 'set': {
      if (argv.length < 4 || argv.length % 2 !== 0) fail(E.subArity('config', 'set'));
      const seen = new Set<string>();
      for (let i = 2; i < argv.length; i += 2) {
        const name = argv[i]!.toLowerCase();
        if (seen.has(name)) fail(`ERR CONFIG SET failed (possibly related to argument '${argv[i]}') - duplicate parameter`);
        seen.add(name);
      }
      for (let i = 2; i < argv.length; i += 2) {
        const name = argv[i]!;
        try {
          const vals = splitConfigValue(name, argv[i + 1]!);
          cfg.set(name, vals);
          ctx.server.log.info({ directive: name.toLowerCase(), value: argv[i + 1] }, 'CONFIG SET');
        } catch (e) {
          if (e instanceof ConfigError) {
            if (e.message.startsWith('Bad directive')) fail(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
            fail(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${e.message}`);
          }
          throw e;
        }
      }
      ctx.out.ok();
      return;
    }
    case 'resetstat':
      ctx.server.stats.commandCalls.clear();
      ctx.server.stats.commandStatsById.length = 0;
      ctx.server.stats.keyspaceHits = ctx.server.stats.keyspaceMisses = 0;
      ctx.server.stats.expiredKeys = ctx.server.stats.evictedKeys = 0;
      ctx.server.stats.errors.clear();
      ctx.server.stats.totalErrorReplies = 0;
      ctx.out.ok();
      return;
    case 'rewrite':
      if (cfg.configFile === null) fail('ERR The server is running without a config file');
      rewriteConfig(ctx);
      ctx.out.ok();
      return;
    case 'help':
      ctx.out.bulks(['CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', 'GET <pattern>', 'SET <directive> <value>', 'RESETSTAT', 'REWRITE', 'HELP']);
      return;
    default:
      fail(E.unknownSubcommand(argv[1]!, 'CONFIG'));
  }
}

/** Multi-argument directives take their arguments space-separated in one CONFIG SET value. */
function splitConfigValue(name: string, value: string): string[] {
  const multi = ['save', 'client-output-buffer-limit', 'bind', 'replicaof', 'slaveof', 'shutdown-on-sigterm', 'shutdown-on-sigint', 'oom-score-adj-values', 'latency-tracking-info-percentiles'];
  if (multi.includes(name.toLowerCase())) return value.trim() === '' ? [''] : value.trim().split(/\s+/);
  return [value];
}

async function writeFileAtomic(path: string, data: string): Promise<void> {
  const { writeFile, rename } = await import('node:fs/promises');
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

function rewriteConfig(ctx: Ctx): void {
  const lines = ctx.server.config.nonDefaults().map(([k, v]) => `${k} ${v === '' ? '""' : v}`);
  void writeFileAtomic(ctx.server.config.configFile!, `# Rewritten by redshard CONFIG REWRITE\n${lines.join('\n')}\n`);
}

/** Key specs as Redis 7.0 reports them, derived from the legacy (first, last, step) positions. */
/** One key spec derived from the legacy (first, last, step) positions, for commands declaring none. */
function derivedKeySpecs(spec: CommandSpec): KeySpec[] {
  const k = spec.keys;
  if (k === undefined || k.first === 0) return [];
  const flags = spec.flags.includes('write') ? ['RW', 'update'] : spec.flags.includes('readonly') ? ['RO', 'access'] : ['RO'];
  return [{ flags, begin: { index: k.first }, find: { lastkey: k.last < 0 ? k.last : k.last - k.first, keystep: k.step, limit: 0 } }];
}

/** A command, or a subcommand named "container|sub" (COMMAND INFO accepts both in Redis 7.0). */
function lookupCommandOrSub(name: string): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return lookupCommand(name);
  return lookupCommand(name.slice(0, bar))?.subcommands?.find((s) => s.name === name);
}

function commandInfo(ctx: Ctx, spec: CommandSpec | undefined): void {
  const out = ctx.out;
  if (!spec) return out.nullArray();
  const k = spec.keys ?? { first: 0, last: 0, step: 0 };
  out.array(10);
  out.bulk(spec.name);
  out.int(spec.arity);
  out.set(spec.flags.length);
  for (const f of spec.flags) out.simple(f);
  out.int(k.first);
  out.int(k.last);
  out.int(k.step);
  const acl = spec.acl ?? [spec.group, ...(spec.flags.includes('write') ? ['write'] : spec.flags.includes('readonly') ? ['read'] : [])];
  out.set(acl.length);
  for (const a of acl) out.simple(`@${a}`);
  const tips = spec.tips ?? [];
  out.set(tips.length);
  for (const t of tips) out.bulk(t);
  const specs = spec.keySpecs ?? derivedKeySpecs(spec);
  out.set(specs.length);
  for (const ks of specs) keySpecInfo(ctx, ks);
  const subs = spec.subcommands ?? [];
  out.set(subs.length);
  for (const s of subs) commandInfo(ctx, s);
}

function keySpecInfo(ctx: Ctx, ks: KeySpec): void {
  const out = ctx.out;
  out.map(ks.notes === undefined ? 3 : 4);
  if (ks.notes !== undefined) {
    out.bulk('notes');
    out.bulk(ks.notes);
  }
  out.bulk('flags');
  out.set(ks.flags.length);
  for (const f of ks.flags) out.simple(f);
  out.bulk('begin_search');
  out.map(2);
  out.bulk('type');
  if ('unknown' in ks.begin) {
    out.bulk('unknown');
    out.bulk('spec');
    out.map(0);
  } else if ('index' in ks.begin) {
    out.bulk('index');
    out.bulk('spec');
    out.map(1);
    out.bulk('index');
    out.int(ks.begin.index);
  } else {
    out.bulk('keyword');
    out.bulk('spec');
    out.map(2);
    out.bulk('keyword');
    out.bulk(ks.begin.keyword);
    out.bulk('startfrom');
    out.int(ks.begin.startfrom);
  }
  out.bulk('find_keys');
  out.map(2);
  out.bulk('type');
  if ('unknown' in ks.find) {
    out.bulk('unknown');
    out.bulk('spec');
    out.map(0);
  } else if ('lastkey' in ks.find) {
    out.bulk('range');
    out.bulk('spec');
    out.map(3);
    out.bulk('lastkey');
    out.int(ks.find.lastkey);
    out.bulk('keystep');
    out.int(ks.find.keystep);
    out.bulk('limit');
    out.int(ks.find.limit);
  } else {
    out.bulk('keynum');
    out.bulk('spec');
    out.map(3);
    out.bulk('keynumidx');
    out.int(ks.find.keynumidx);
    out.bulk('firstkey');
    out.int(ks.find.firstkey);
    out.bulk('keystep');
    out.int(ks.find.keystep);
  }
}

/** Parsed synopses, once per command. */
const argDocs = new Map<string, ArgDoc[] | null>();

function argsOf(name: string): ArgDoc[] | null {
  let a = argDocs.get(name);
  if (a === undefined) {
    const syn = SYNTAX[name];
    a = syn === undefined ? null : syn === '' ? [] : parseSynopsis(syn);
    argDocs.set(name, a);
  }
  return a;
}

function writeArg(ctx: Ctx, a: ArgDoc): void {
  const out = ctx.out;
  const flags = [...(a.optional ? ['optional'] : []), ...(a.multiple ? ['multiple'] : [])];
  out.map(2 + (a.type === 'key' ? 1 : 0) + (a.token !== undefined ? 1 : 0) + (flags.length > 0 ? 1 : 0) + (a.args !== undefined ? 1 : 0));
  out.bulk('name');
  out.bulk(a.name);
  out.bulk('type');
  out.bulk(a.type);
  if (a.type === 'key') {
    out.bulk('key_spec_index');
    out.int(0);
  }
  if (a.token !== undefined) {
    out.bulk('token');
    out.bulk(a.token);
  }
  if (flags.length > 0) {
    out.bulk('flags');
    out.set(flags.length);
    for (const f of flags) out.simple(f);
  }
  if (a.args !== undefined) {
    out.bulk('arguments');
    out.array(a.args.length);
    for (const sub of a.args) writeArg(ctx, sub);
  }
}

/** One command's COMMAND DOCS map (summary, since, group, arguments, subcommands). */
function commandDocs(ctx: Ctx, c: CommandSpec): void {
  const out = ctx.out;
  const args = argsOf(c.name);
  const subs = c.subcommands ?? [];
  out.map(3 + (args !== null && args.length > 0 ? 1 : 0) + (subs.length > 0 ? 1 : 0));
  out.bulk('summary');
  out.bulk(c.summary ?? `${c.name.toUpperCase()} command`);
  out.bulk('since');
  out.bulk(c.since ?? '1.0.0');
  out.bulk('group');
  out.bulk(c.group);
  if (args !== null && args.length > 0) {
    out.bulk('arguments');
    out.array(args.length);
    for (const a of args) writeArg(ctx, a);
  }
  if (subs.length > 0) {
    out.bulk('subcommands');
    out.map(subs.length);
    for (const s of subs) {
      out.bulk(s.name);
      commandDocs(ctx, s);
    }
  }
}

function command(ctx: Ctx, argv: string[]): void {
  if (argv.length === 1) {
    const all = allCommands();
    ctx.out.array(all.length);
    for (const c of all) commandInfo(ctx, c);
    return;
  }
  const sub = argv[1]!.toLowerCase();
  switch (sub) {
    case 'count':
      return ctx.out.int(allCommands().length);
    case 'info': {
      const names = argv.length === 2 ? allCommands().map((c) => c.name) : argv.slice(2);
      ctx.out.array(names.length);
      for (const n of names) commandInfo(ctx, lookupCommandOrSub(n.toLowerCase()));
      return;
    }
    case 'docs': {
      const specs = argv.length === 2 ? allCommands() : argv.slice(2).map((n) => lookupCommand(n.toLowerCase())).filter((c): c is NonNullable<typeof c> => c !== undefined);
      ctx.out.map(specs.length);
      for (const c of specs) {
        ctx.out.bulk(c.name);
        commandDocs(ctx, c);
      }
      return;
    }
    case 'list':
      return ctx.out.bulks(allCommands().map((c) => c.name));
    case 'getkeys': {
      if (argv.length < 4) fail(E.subArity('command', 'getkeys'));
      const spec = lookupCommand(argv[2]!.toLowerCase());
      if (!spec) fail('ERR Invalid command specified');
      const args = argv.slice(2);
      const hasKeys = spec.keysOf !== undefined || (spec.keys !== undefined && spec.keys.first !== 0);
      if (!hasKeys) fail('ERR The command has no key arguments');
      if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) fail('ERR Invalid number of arguments specified for command');
      const idx = keyIndexes(spec, args);
      // A command with keys whose arguments name none (SINTERCARD 0 ...).
      if (idx.length === 0) fail('ERR Invalid arguments specified for command');
      return ctx.out.bulks(idx.map((i) => args[i]!));
    }
    case 'help':
      return ctx.out.bulks(['COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', '(no subcommand)', 'COUNT', 'INFO [<command-name> ...]', 'DOCS [<command-name> ...]', 'GETKEYS <full-command>', 'LIST', 'HELP']);
    default:
      fail(E.unknownSubcommand(argv[1]!, 'COMMAND'));
  }
}

function debug(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!.toLowerCase();
  switch (sub) {
    case 'sleep': {
      const secs = floatArg(argv[2] ?? '0');
      const until = Date.now() + secs * 1000;
      // DEBUG SLEEP blocks the whole server on purpose (tests use it to simulate a stall).
      while (Date.now() < until) {
        /* spin */
      }
      return ctx.out.ok();
    }
    case 'set-active-expire':
      return ctx.out.ok();
    case 'object': {
      const v = ctx.db.get(argv[2] ?? '', ctx.now);
      if (v === undefined) fail(E.noSuchKey);
      return ctx.out.simple(`Value at:0x0 refcount:1 encoding:${typeof v === 'string' ? 'raw' : v.encoding(encodingThresholds(ctx.server.config))} serializedlength:0 lru:0 lru_seconds_idle:0`);
    }
    default:
      fail(`ERR Unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
  }
}

function shutdown(ctx: Ctx, argv: string[]): void {
  for (const a of argv.slice(1)) if (!['NOSAVE', 'SAVE', 'NOW', 'FORCE', 'ABORT'].includes(a.toUpperCase())) fail(E.syntax);
  if (argv.slice(1).some((a) => a.toUpperCase() === 'ABORT')) fail('ERR No shutdown in progress.');
  ctx.server.log.warn({ client: ctx.session.id }, 'user requested shutdown');
  const flags = argv.slice(1).map((a) => a.toUpperCase());
  const opts = flags.includes('NOSAVE') ? { save: false } : flags.includes('SAVE') ? { save: true } : {};
  const done = ctx.server.onShutdown ? ctx.server.onShutdown(opts) : Promise.resolve();
  void done.finally(() => process.exit(0));
}

function time(ctx: Ctx): void {
  const us = BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() % 1) * 1000));
  ctx.out.bulks([String(us / 1000000n), String(us % 1000000n)]);
}

export const serverCommands: readonly CommandSpec[] = [
  { name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], group: 'server', handler: (c) => c.out.int(c.db.size) },
  { name: 'flushdb', arity: -1, flags: ['write'], group: 'server', handler: flushdb },
  { name: 'flushall', arity: -1, flags: ['write'], group: 'server', handler: flushall },
  { name: 'info', arity: -1, flags: ['loading', 'stale'], group: 'server', handler: (c, a) => c.out.verbatim(renderInfo(c, a.slice(1))) },
  { name: 'config', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', handler: config },
  { name: 'command', arity: -1, flags: ['loading', 'stale'], group: 'server', handler: command },
  { name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], group: 'server', handler: time },
  { name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', handler: debug },
  { name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], group: 'server', handler: shutdown },
  { name: 'client', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'connection', handler: clientCommand },
];

export { SERVER_VERSION };
