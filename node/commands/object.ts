// OBJECT ENCODING / IDLETIME / FREQ / REFCOUNT / HELP. Strings are bare JS strings, so their
// encoding is decided from the content as Redis decides it when storing a value.
import type { CommandSpec, Ctx } from './types.js';
import type { StoredValue } from '../store/values/object.js';
import { E } from './errors.js';
import { parseInt64 } from './args.js';
import type { Config } from '../config/config.js';

/** Redis keeps strings up to this length in one allocation with their header. */
const EMBSTR_MAX = 44;
/** Values 0..9999 are shared integer objects unless an LRU/LFU policy needs per-key clocks. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

export function stringEncoding(v: string): 'int' | 'embstr' | 'raw' {
  if (v.length <= 20 && parseInt64(v) !== null && v !== '-0') return 'int';
  return v.length <= EMBSTR_MAX ? 'embstr' : 'raw';
}

export function encodingOf(v: StoredValue, cfg: Config): string {
  if (typeof v === 'string') return stringEncoding(v);
  return v.encoding({
    hashMaxListpackEntries: cfg.int('hash-max-listpack-entries'),
    hashMaxListpackValue: cfg.int('hash-max-listpack-value'),
    setMaxIntsetEntries: cfg.int('set-max-intset-entries'),
    zsetMaxListpackEntries: cfg.int('zset-max-listpack-entries'),
    zsetMaxListpackValue: cfg.int('zset-max-listpack-value'),
    listMaxListpackSize: cfg.int('list-max-listpack-size'),
  });
}

function policyUsesLfu(cfg: Config): boolean {
  return cfg.get('maxmemory-policy').endsWith('-lfu');
}

function keyed(fn: (ctx: Ctx, key: string, v: StoredValue) => void) {
  return (ctx: Ctx, argv: string[]): void => {
    const v = ctx.db.peek(argv[2]!, ctx.now);
    if (v === undefined) return ctx.out.nullBulk();
    fn(ctx, argv[2]!, v);
  };
}

const encoding = keyed((ctx, k, v) => ctx.out.bulk((typeof v === 'string' ? ctx.db.stringEncodingOf(k) : undefined) ?? encodingOf(v, ctx.server.config)));

const idletime = keyed((ctx, key) => {
  if (policyUsesLfu(ctx.server.config)) ctx.out.error(E.lfuSelected);
  else ctx.out.int(ctx.db.clock.idleSeconds(key, ctx.now));
});

const freq = keyed((ctx, key) => {
  if (!policyUsesLfu(ctx.server.config)) ctx.out.error(E.lfuNotSelected);
  else ctx.out.int(ctx.db.clock.frequency(key, ctx.now));
});

const refcount = keyed((ctx, _k, v) => {
  const cfg = ctx.server.config;
  const policy = cfg.get('maxmemory-policy');
  const perKeyClock = cfg.int('maxmemory') > 0 && (policy.endsWith('-lru') || policy.endsWith('-lfu'));
  const shared = typeof v === 'string' && !perKeyClock && stringEncoding(v) === 'int' && Number(v) >= 0 && Number(v) < SHARED_INTEGERS;
  ctx.out.int(shared ? SHARED_REFCOUNT : 1);
});

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function help(ctx: Ctx): void {
  ctx.out.array(HELP.length);
  for (const l of HELP) ctx.out.simple(l);
}

const SUBS: Record<string, (ctx: Ctx, argv: string[]) => void> = { encoding, idletime, freq, refcount };

function object(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!.toLowerCase();
  if (sub === 'help') {
    if (argv.length !== 2) return ctx.out.error(E.subArity('object', sub));
    return help(ctx);
  }
  const fn = SUBS[sub];
  if (fn === undefined) return ctx.out.error(E.unknownSubcommand(argv[1]!, 'OBJECT'));
  if (argv.length !== 3) return ctx.out.error(E.subArity('object', sub));
  fn(ctx, argv);
}

const key2 = { first: 2, last: 2, step: 1 };
const sub = (name: string, arity: number, summary: string, since: string, keys = true): CommandSpec => ({
  name: `object|${name}`,
  arity,
  flags: ['readonly'],
  ...(keys ? { keys: key2 } : {}),
  group: 'generic',
  summary,
  since,
  handler: object,
});

export const objectCommands: readonly CommandSpec[] = [
  {
    name: 'object',
    arity: -2,
    flags: [],
    keys: key2,
    group: 'generic',
    summary: 'A container for object introspection commands',
    since: '2.2.3',
    handler: object,
    subcommands: [
      sub('encoding', 3, 'Inspect the internal encoding of a Redis object', '2.2.3'),
      sub('freq', 3, 'Get the logarithmic access frequency counter of a Redis object', '4.0.0'),
      sub('help', 2, 'Show helpful text about the different subcommands', '6.2.0', false),
      sub('idletime', 3, 'Get the time since a Redis object was last accessed', '2.2.3'),
      sub('refcount', 3, 'Get the number of references to the value of the key', '2.2.3'),
    ],
  },
];
