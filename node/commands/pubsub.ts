// Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB introspection.
// Confirmations go out as pushes (RESP3) or arrays (RESP2), one per channel, as Redis sends them.
import type { CommandSpec, Ctx } from './types.js';
import type { Session } from '../server/session.js';
import { E } from './errors.js';
import { fail } from './args.js';
import { globMatch } from '../../common/glob.js';

type Kind = 'channel' | 'pattern' | 'shard';

/** The count in a confirmation: shard subscriptions are counted apart from the others. */
function countFor(s: Session, kind: Kind): number {
  return kind === 'shard' ? s.shardChannels.size : s.channels.size + s.patterns.size;
}

function confirm(ctx: Ctx, verb: string, name: string | null, kind: Kind): void {
  const out = ctx.out;
  out.push(3);
  out.bulk(verb);
  if (name === null) out.nullBulk();
  else out.bulk(name);
  out.int(countFor(ctx.session, kind));
}

function subscribeGeneric(kind: Kind, verb: string) {
  return (ctx: Ctx, argv: string[]): void => {
    for (let i = 1; i < argv.length; i++) {
      ctx.server.pubsub.subscribe(ctx.session, kind, argv[i]!);
      confirm(ctx, verb, argv[i]!, kind);
    }
  };
}

function unsubscribeGeneric(kind: Kind, verb: string) {
  return (ctx: Ctx, argv: string[]): void => {
    const s = ctx.session;
    const own = kind === 'channel' ? s.channels : kind === 'pattern' ? s.patterns : s.shardChannels;
    const names = argv.length > 1 ? argv.slice(1) : [...own];
    if (names.length === 0) return confirm(ctx, verb, null, kind);
    for (const n of names) {
      ctx.server.pubsub.unsubscribe(s, kind, n);
      confirm(ctx, verb, n, kind);
    }
  };
}

function publish(ctx: Ctx, argv: string[]): void {
  const n = ctx.server.pubsub.publish(argv[1]!, argv[2]!);
  ctx.server.cluster?.publish(argv[1]!, argv[2]!, false);
  ctx.out.int(n);
}

function spublish(ctx: Ctx, argv: string[]): void {
  const n = ctx.server.pubsub.publishShard(argv[1]!, argv[2]!);
  ctx.server.cluster?.publish(argv[1]!, argv[2]!, true);
  ctx.out.int(n);
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  '    Return the currently active channels matching a <pattern> (default: \'*\').',
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  '    Return the currently active shard level channels matching a <pattern> (default: \'*\').',
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

function pubsubCmd(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!.toLowerCase();
  const ps = ctx.server.pubsub;
  const out = ctx.out;
  switch (sub) {
    case 'channels':
    case 'shardchannels': {
      if (argv.length > 3) fail(E.subcommandSyntax(argv[1]!, 'PUBSUB'));
      const reg = sub === 'channels' ? ps.channels : ps.shardChannels;
      const pat = argv[2];
      const names: string[] = [];
      for (const name of reg.keys()) if (pat === undefined || globMatch(pat, name)) names.push(name);
      return out.bulks(names);
    }
    case 'numsub':
    case 'shardnumsub': {
      const reg = sub === 'numsub' ? ps.channels : ps.shardChannels;
      out.array((argv.length - 2) * 2);
      for (let i = 2; i < argv.length; i++) {
        out.bulk(argv[i]!);
        out.int(reg.get(argv[i]!)?.size ?? 0);
      }
      return;
    }
    case 'numpat':
      if (argv.length !== 2) fail(E.subArity('pubsub', sub));
      return out.int(ps.patterns.size);
    case 'help':
      if (argv.length !== 2) fail(E.subArity('pubsub', sub));
      out.array(PUBSUB_HELP.length);
      for (const l of PUBSUB_HELP) out.simple(l);
      return;
    default:
      fail(E.unknownSubcommand(argv[1]!, 'PUBSUB'));
  }
}

const subFlags = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const channelKeys = { first: 1, last: -1, step: 1 };

export const pubsubCommands: readonly CommandSpec[] = [
  { name: 'subscribe', arity: -2, flags: [...subFlags], group: 'pubsub', acl: ['pubsub', 'slow'], summary: 'Listen for messages published to channels', since: '2.0.0', handler: subscribeGeneric('channel', 'subscribe') },
  { name: 'unsubscribe', arity: -1, flags: [...subFlags], group: 'pubsub', acl: ['pubsub', 'slow'], summary: 'Stop listening to channels', since: '2.0.0', handler: unsubscribeGeneric('channel', 'unsubscribe') },
  { name: 'psubscribe', arity: -2, flags: [...subFlags], group: 'pubsub', acl: ['pubsub', 'slow'], summary: 'Listen for messages published to channels matching patterns', since: '2.0.0', handler: subscribeGeneric('pattern', 'psubscribe') },
  { name: 'punsubscribe', arity: -1, flags: [...subFlags], group: 'pubsub', acl: ['pubsub', 'slow'], summary: 'Stop listening to channel patterns', since: '2.0.0', handler: unsubscribeGeneric('pattern', 'punsubscribe') },
  { name: 'ssubscribe', arity: -2, flags: [...subFlags], keys: channelKeys, group: 'pubsub', acl: ['pubsub', 'slow'], summary: 'Listen for messages published to shard channels', since: '7.0.0', handler: subscribeGeneric('shard', 'ssubscribe') },
  { name: 'sunsubscribe', arity: -1, flags: [...subFlags], keys: channelKeys, group: 'pubsub', acl: ['pubsub', 'slow'], summary: 'Stop listening to shard channels', since: '7.0.0', handler: unsubscribeGeneric('shard', 'sunsubscribe') },
  { name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], group: 'pubsub', acl: ['pubsub', 'fast'], summary: 'Post a message to a channel', since: '2.0.0', handler: publish },
  { name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], keys: { first: 1, last: 1, step: 1 }, group: 'pubsub', acl: ['pubsub', 'fast'], summary: 'Post a message to a shard channel', since: '7.0.0', handler: spublish },
  { name: 'pubsub', arity: -2, flags: ['pubsub', 'loading', 'stale'], group: 'pubsub', acl: ['slow'], summary: 'Inspect the state of the pub/sub subsystem', since: '2.8.0', handler: pubsubCmd },
];
