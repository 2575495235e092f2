// SLOWLOG, MEMORY and LATENCY: what monitoring tools and redis-cli ask a node about itself.
import type { CommandSpec, Ctx } from './types.js';
import type { StoredValue } from '../store/values/object.js';
import type { ListValue } from '../store/values/list.js';
import type { HashValue } from '../store/values/hash.js';
import type { SetValue } from '../store/values/set.js';
import type { ZSet } from '../store/values/zset.js';
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';
import { rangeSpec } from './list-ops.js';
import { memoryUsage } from '../store/memory-usage.js';

const SUB_HEADER = (cmd: string) => `${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`;
const HELP_FOOTER = ['HELP', '    Prints this help.'];

function helpReply(ctx: Ctx, lines: readonly string[]): void {
  ctx.out.array(lines.length);
  for (const l of lines) ctx.out.simple(l);
}

/** Dispatches a container command to its subcommand, checking the subcommand's arity. */
function container(cmd: string, subs: Record<string, { arity: number; run: (ctx: Ctx, argv: string[]) => void }>) {
  return (ctx: Ctx, argv: string[]): void => {
    const name = argv[1]!.toLowerCase();
    const sub = Object.hasOwn(subs, name) ? subs[name] : undefined;
    if (sub === undefined) fail(E.unknownSubcommand(argv[1]!, cmd.toUpperCase()));
    if ((sub.arity > 0 && argv.length !== sub.arity) || argv.length < -sub.arity) fail(E.subArity(cmd, name));
    sub.run(ctx, argv);
  };
}

// ---- SLOWLOG -----------------------------------------------------------------------------------

const SLOWLOG_HELP = [
  SUB_HEADER('SLOWLOG'),
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  ...HELP_FOOTER,
];

function slowlogGet(ctx: Ctx, argv: string[]): void {
  const log = ctx.server.monitors.slowlog;
  if (argv.length > 3) fail(E.subcommandSyntax(argv[1]!, 'slowlog'));
  let count = 10;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]!);
    if (n === null || n < -1n) fail(E.slowlogCount);
    count = n === -1n ? log.length : Number(n > BigInt(log.length) ? BigInt(log.length) : n);
  }
  const n = Math.min(count, log.length);
  ctx.out.array(n);
  for (let i = 0; i < n; i++) {
    const e = log[i]!;
    ctx.out.array(6);
    ctx.out.int(e.id);
    ctx.out.int(e.time);
    ctx.out.int(e.usec);
    ctx.out.bulks(e.args);
    ctx.out.bulk(e.peer);
    ctx.out.bulk(e.name);
  }
}

const slowlog = container('slowlog', {
  get: { arity: -2, run: slowlogGet },
  len: { arity: 2, run: (ctx) => ctx.out.int(ctx.server.monitors.slowlog.length) },
  reset: {
    arity: 2,
    run: (ctx) => {
      ctx.server.monitors.resetSlowlog();
      ctx.out.ok();
    },
  },
  help: { arity: 2, run: (ctx) => helpReply(ctx, SLOWLOG_HELP) },
});

// ---- MEMORY ------------------------------------------------------------------------------------

const MEMORY_HELP = [
  SUB_HEADER('MEMORY'),
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  ...HELP_FOOTER,
];

function elementsOf(v: StoredValue): Iterable<string> {
  if (typeof v === 'string') return [];
  switch (v.type) {
    case 'list':
      return (v as ListValue).values();
    case 'set':
      return (v as SetValue).values();
    case 'hash':
      return (function* () {
        for (const [f, x] of (v as HashValue).entries()) yield f + x;
      })();
    case 'zset':
      return (function* () {
        // A member with its 8-byte score.
        for (const [m] of (v as ZSet).entries()) yield `${m}12345678`;
      })();
  }
}

function memoryUsageCmd(ctx: Ctx, argv: string[]): void {
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j]!.toUpperCase() === 'SAMPLES' && j + 1 < argv.length) {
      const n = parseInt64(argv[j + 1]!);
      if (n === null) fail(E.notInteger);
      if (n < 0n) fail(E.syntax);
      samples = n === 0n || n > 1_000_000_000n ? 0 : Number(n);
      j++;
    } else fail(E.syntax);
  }
  const v = ctx.db.peek(argv[2]!, ctx.now);
  if (v === undefined) return ctx.out.nullBulk();
  ctx.out.int(memoryUsage(argv[2]!, v, samples, () => elementsOf(v), ctx.server.cluster !== null));
}

/** Below this dataset size Redis's memory doctor declines to diagnose anything. */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;

function memoryDoctor(ctx: Ctx): void {
  let dataset = 0;
  for (const db of ctx.server.dbs) dataset += db.bytes;
  if (dataset < DOCTOR_MIN_BYTES) {
    return ctx.out.verbatim(
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n",
    );
  }
  const used = ctx.server.usedMemory();
  const peak = ctx.server.memory.peak;
  const lines = ['Sam, I detected a few issues in this Redis instance memory implants:', ''];
  if (peak > used * 1.5) {
    lines.push(
      ` * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.`,
      '',
    );
    return ctx.out.verbatim(lines.join('\n') + "I'm here to keep you safe, Sam. I want to help you.\n");
  }
  ctx.out.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
}

function memoryStats(ctx: Ctx): void {
  const s = ctx.server;
  const used = s.usedMemory();
  const peak = Math.max(s.memory.peak, used);
  const rss = process.memoryUsage().rss;
  let dataset = 0;
  let keys = 0;
  const dbs: { index: number; main: number; expires: number }[] = [];
  for (const db of s.dbs) {
    dataset += db.bytes;
    keys += db.size;
    if (db.size > 0) dbs.push({ index: db.index, main: db.size * 24, expires: db.expires.size * 24 });
  }
  const overhead = Math.max(used - dataset, 0);
  const startup = used - dataset;
  const o = ctx.out;
  o.map(27 + dbs.length);
  const int = (k: string, v: number) => (o.bulk(k), o.int(Math.round(v)));
  const dbl = (k: string, v: number) => (o.bulk(k), o.double(v));
  int('peak.allocated', peak);
  int('total.allocated', used);
  int('startup.allocated', startup);
  int('replication.backlog', 0);
  int('clients.slaves', 0);
  int('clients.normal', 0);
  int('cluster.links', 0);
  int('aof.buffer', 0);
  int('lua.caches', 0);
  int('functions.caches', 0);
  for (const d of dbs) {
    o.bulk(`db.${d.index}`);
    o.map(3);
    int('overhead.hashtable.main', d.main);
    int('overhead.hashtable.expires', d.expires);
    int('overhead.hashtable.slot-to-keys', 0);
  }
  int('overhead.total', overhead);
  int('keys.count', keys);
  int('keys.bytes-per-key', keys === 0 ? 0 : Math.floor((used - startup) / keys));
  int('dataset.bytes', dataset);
  dbl('dataset.percentage', used - startup > 0 ? (dataset * 100) / (used - startup) : 0);
  dbl('peak.percentage', (used * 100) / peak);
  int('allocator.allocated', used);
  int('allocator.active', used);
  int('allocator.resident', rss);
  dbl('allocator-fragmentation.ratio', 1);
  int('allocator-fragmentation.bytes', 0);
  dbl('allocator-rss.ratio', rss / used);
  int('allocator-rss.bytes', rss - used);
  dbl('rss-overhead.ratio', 1);
  int('rss-overhead.bytes', 0);
  dbl('fragmentation', rss / used);
  int('fragmentation.bytes', rss - used);
}

const memory = container('memory', {
  usage: { arity: -3, run: memoryUsageCmd },
  doctor: { arity: 2, run: memoryDoctor },
  stats: { arity: 2, run: memoryStats },
  'malloc-stats': { arity: 2, run: (ctx) => ctx.out.bulk('Stats not supported for the current allocator') },
  purge: { arity: 2, run: (ctx) => ctx.out.ok() },
  help: { arity: 2, run: (ctx) => helpReply(ctx, MEMORY_HELP) },
});

// ---- LATENCY -----------------------------------------------------------------------------------

const LATENCY_HELP = [
  SUB_HEADER('LATENCY'),
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  ...HELP_FOOTER,
];

function latencyLatest(ctx: Ctx): void {
  const ev = ctx.server.monitors.latency;
  ctx.out.array(ev.size);
  for (const [name, e] of ev) {
    const last = e.samples[e.samples.length - 1]!;
    ctx.out.array(4);
    ctx.out.bulk(name);
    ctx.out.int(last.time);
    ctx.out.int(last.ms);
    ctx.out.int(e.max);
  }
}

function latencyHistory(ctx: Ctx, argv: string[]): void {
  const e = ctx.server.monitors.latency.get(argv[2]!);
  const samples = e?.samples ?? [];
  ctx.out.array(samples.length);
  for (const s of samples) {
    ctx.out.array(2);
    ctx.out.int(s.time);
    ctx.out.int(s.ms);
  }
}

function latencyGraph(ctx: Ctx, argv: string[]): void {
  const e = ctx.server.monitors.latency.get(argv[2]!);
  if (e === undefined) fail(E.latencyNoSamples(argv[2]!));
  const ms = e.samples.map((s) => s.ms);
  const hi = Math.max(...ms);
  const lo = Math.min(...ms);
  const rows = 4;
  const lines = [`${argv[2]} - high ${hi} ms, low ${lo} ms (all time high ${e.max} ms)`, '-'.repeat(80)];
  for (let r = rows; r >= 1; r--) lines.push(ms.map((v) => (hi > 0 && v * rows >= hi * r - hi / 2 ? '#' : ' ')).join(''));
  const now = Math.floor(Date.now() / 1000);
  lines.push(e.samples.map((s) => String(Math.min(now - s.time, 9))).join(''));
  ctx.out.verbatim(`${lines.join('\n')}\n`);
}

function latencyDoctor(ctx: Ctx): void {
  const m = ctx.server.monitors;
  if (m.latency.size === 0) {
    if (ctx.server.config.int('latency-monitor-threshold') === 0) {
      return ctx.out.verbatim(
        'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n',
      );
    }
    return ctx.out.verbatim(
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n',
    );
  }
  const lines = ['Dave, I have observed latency spikes in this Redis instance. You don\'t mind talking about it, do you Dave?', ''];
  let i = 1;
  for (const [name, e] of m.latency) {
    const avg = Math.round(e.samples.reduce((a, s) => a + s.ms, 0) / e.samples.length);
    lines.push(`${i++}. ${name}: ${e.samples.length} latency spikes (average ${avg}ms, mean deviation 0ms, period ${0} sec). Worst all time event ${e.max}ms.`);
  }
  lines.push('', "I have a few advices for you:", '', '- Check your slowlog (SLOWLOG GET) for commands that take long: on a single-threaded server they delay every client.');
  ctx.out.verbatim(`${lines.join('\n')}\n`);
}

const latency = container('latency', {
  latest: { arity: 2, run: latencyLatest },
  history: { arity: 3, run: latencyHistory },
  graph: { arity: 3, run: latencyGraph },
  doctor: { arity: 2, run: latencyDoctor },
  reset: { arity: -2, run: (ctx, argv) => ctx.out.int(ctx.server.monitors.resetLatency(argv.slice(2))) },
  // This node keeps no per-command latency histograms: the reply Redis gives with latency-tracking off.
  histogram: { arity: -2, run: (ctx) => ctx.out.map(0) },
  help: { arity: 2, run: (ctx) => helpReply(ctx, LATENCY_HELP) },
});

// ---- table -------------------------------------------------------------------------------------

type Flag = CommandSpec['flags'][number];

function sub(parent: string, name: string, arity: number, flags: readonly Flag[], acl: readonly string[], tips: readonly string[], summary: string, since: string, extra: Partial<CommandSpec> = {}): CommandSpec {
  return { name: `${parent}|${name}`, arity, flags, acl, tips, group: 'server', summary, since, handler: () => {}, ...extra };
}

const ADMIN = ['admin', 'slow', 'dangerous'];
const adminFlags: readonly Flag[] = ['admin', 'loading', 'stale'];
const latencyFlags: readonly Flag[] = ['admin', 'noscript', 'loading', 'stale'];
const ALL_NODES = 'request_policy:all_nodes';
const ALL_SHARDS = 'request_policy:all_shards';
const ND = 'nondeterministic_output';

export const introspectionCommands: readonly CommandSpec[] = [
  {
    name: 'slowlog',
    arity: -2,
    flags: [],
    acl: ['slow'],
    group: 'server',
    summary: 'A container for slow log commands',
    since: '2.2.12',
    handler: slowlog,
    subcommands: [
      sub('slowlog', 'reset', 2, adminFlags, ADMIN, [ALL_NODES, 'response_policy:all_succeeded'], 'Clear all entries from the slow log', '2.2.12'),
      sub('slowlog', 'get', -2, adminFlags, ADMIN, [ALL_NODES, ND], 'Get the slow log\'s entries', '2.2.12'),
      sub('slowlog', 'help', 2, ['loading', 'stale'], ['slow'], [], 'Show helpful text about the different subcommands', '6.2.0'),
      sub('slowlog', 'len', 2, adminFlags, ADMIN, [ALL_NODES, 'response_policy:agg_sum', ND], 'Get the slow log\'s length', '2.2.12'),
    ],
  },
  {
    name: 'memory',
    arity: -2,
    flags: [],
    acl: ['slow'],
    group: 'server',
    summary: 'A container for memory diagnostics commands',
    since: '4.0.0',
    handler: memory,
    subcommands: [
      sub('memory', 'doctor', 2, [], ['slow'], [ND, ALL_SHARDS, 'response_policy:special'], 'Outputs memory problems report', '4.0.0'),
      sub('memory', 'malloc-stats', 2, [], ['slow'], [ND, ALL_SHARDS, 'response_policy:special'], 'Show allocator internal stats', '4.0.0'),
      sub('memory', 'usage', -3, ['readonly'], ['read', 'slow'], [], 'Estimate the memory usage of a key', '4.0.0', {
        keys: { first: 2, last: 2, step: 1 },
        keySpecs: [rangeSpec(['RO'], 2)],
      }),
      sub('memory', 'help', 2, ['loading', 'stale'], ['slow'], [], 'Show helpful text about the different subcommands', '4.0.0'),
      sub('memory', 'purge', 2, [], ['slow'], [ALL_SHARDS, 'response_policy:all_succeeded'], 'Ask the allocator to release memory', '4.0.0'),
      sub('memory', 'stats', 2, [], ['slow'], [ND, ALL_SHARDS, 'response_policy:special'], 'Show memory usage details', '4.0.0'),
    ],
  },
  {
    name: 'latency',
    arity: -2,
    flags: [],
    acl: ['slow'],
    group: 'server',
    summary: 'A container for latency diagnostics commands',
    since: '2.8.13',
    handler: latency,
    subcommands: [
      sub('latency', 'reset', -2, latencyFlags, ADMIN, [ALL_NODES, 'response_policy:all_succeeded'], 'Reset latency data for one or more events', '2.8.13'),
      sub('latency', 'doctor', 2, latencyFlags, ADMIN, [ND, ALL_NODES, 'response_policy:special'], 'Return a human readable latency analysis report', '2.8.13'),
      sub('latency', 'histogram', -2, latencyFlags, ADMIN, [ND, ALL_NODES, 'response_policy:special'], 'Return the cumulative distribution of latencies of a subset of commands or all', '7.0.0'),
      sub('latency', 'latest', 2, latencyFlags, ADMIN, [ND, ALL_NODES, 'response_policy:special'], 'Return the latest latency samples for all events', '2.8.13'),
      sub('latency', 'graph', 3, latencyFlags, ADMIN, [ND, ALL_NODES, 'response_policy:special'], 'Return a latency graph for the event', '2.8.13'),
      sub('latency', 'help', 2, ['loading', 'stale'], ['slow'], [], 'Show helpful text about the different subcommands', '2.8.13'),
      sub('latency', 'history', 3, latencyFlags, ADMIN, [ND, ALL_NODES, 'response_policy:special'], 'Return timestamp-latency samples for the event', '2.8.13'),
    ],
  },
];
