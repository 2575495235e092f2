// THE command table: every command is declared once, in its group's file, and collected here.
// Dispatch, COMMAND, cluster routing (key positions), MULTI and replica rules all read it.
import type { CommandFlag, CommandSpec, Handler, KeyRange, KeySpec } from './types.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';
import { connectionCommands } from './connection.js';
import { serverCommands } from './server.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { clusterCommands } from './cluster.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { persistenceCommands } from './persistence.js';
import { replicationCommands } from './replication.js';
import { migrateCommands } from './migrate.js';
import { listCommands } from './lists.js';
import { functionCommands } from './functions.js';
import { bitCommands } from './bits.js';
import { introspectionCommands } from './introspection.js';
import { sortCommands } from './sort.js';
import { lcsCommands } from './lcs.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';

const SPECS: readonly CommandSpec[] = [
  ...stringCommands,
  ...keyCommands,
  ...connectionCommands,
  ...serverCommands,
  ...hashCommands,
  ...setCommands,
  ...persistenceCommands,
  ...replicationCommands,
  ...migrateCommands,
  ...clusterCommands,
  ...listCommands,
  ...zsetCommands,
  ...transactionCommands,
  ...pubsubCommands,
  ...functionCommands,
  ...bitCommands,
  ...introspectionCommands,
  ...sortCommands,
  ...lcsCommands,
  ...hyperloglogCommands,
  ...geoCommands,
];

/** Commands Redis keeps statistics for per subcommand (cmdstat_config|get, ...). */
const CONTAINERS = new Set(['acl', 'client', 'cluster', 'command', 'config', 'debug', 'function', 'latency', 'memory', 'module', 'object', 'pubsub', 'script', 'slowlog', 'xinfo', 'xgroup']);
const SUBSCRIBE_CONTEXT_ALLOWED = new Set(['subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** Commands whose effect reaches beyond their key arguments (other databases, whole databases). */
const WIDE_WRITES = new Set(['flushall', 'flushdb', 'swapdb', 'move', 'copy']);

/**
 * A table entry: the declared spec plus what dispatch asks of every request, worked out once
 * here. All entries share one shape, so the dispatcher's property reads stay monomorphic
 * (the declared specs are object literals of many shapes).
 */
export class Command implements CommandSpec {
  readonly name: string;
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly acl: readonly string[] | undefined;
  readonly keys: KeyRange | undefined;
  readonly keysOf: ((argv: readonly string[]) => number[]) | undefined;
  readonly keySpecs: readonly KeySpec[] | undefined;
  readonly group: string;
  readonly summary: string | undefined;
  readonly since: string | undefined;
  readonly handler: Handler;
  readonly subcommands: readonly CommandSpec[] | undefined;
  /** Index into per-server arrays (command statistics). */
  readonly id: number;
  readonly isWrite: boolean;
  readonly isDenyOom: boolean;
  readonly isNoAuth: boolean;
  readonly isNoMulti: boolean;
  readonly isExec: boolean;
  readonly isAsking: boolean;
  /** Runs at once inside MULTI instead of being queued. */
  readonly multiImmediate: boolean;
  readonly subscribeContextAllowed: boolean;
  /** Statistics are kept per subcommand. */
  readonly isContainer: boolean;
  /** Touches more than its key arguments (snapshots capture whole databases). */
  readonly wideWrite: boolean;

  constructor(s: CommandSpec, id: number) {
    this.name = s.name;
    this.arity = s.arity;
    this.flags = s.flags;
    this.acl = s.acl;
    this.keys = s.keys;
    this.keysOf = s.keysOf;
    this.keySpecs = s.keySpecs;
    this.group = s.group;
    this.summary = s.summary;
    this.since = s.since;
    this.handler = s.handler;
    this.subcommands = s.subcommands;
    this.id = id;
    this.isWrite = s.flags.includes('write');
    this.isDenyOom = s.flags.includes('denyoom');
    this.isNoAuth = s.flags.includes('no_auth');
    this.isNoMulti = s.flags.includes('no_multi');
    this.isExec = s.name === 'exec';
    this.isAsking = s.name === 'asking';
    this.multiImmediate = MULTI_IMMEDIATE.has(s.name);
    this.subscribeContextAllowed = SUBSCRIBE_CONTEXT_ALLOWED.has(s.name);
    this.isContainer = CONTAINERS.has(s.name);
    this.wideWrite = WIDE_WRITES.has(s.name);
  }
}

const ALL: readonly Command[] = SPECS.map((s, i) => new Command(s, i));

const byName = new Map<string, Command>();
for (const c of ALL) {
  if (byName.has(c.name)) throw new Error(`command ${c.name} declared twice`);
  byName.set(c.name, c);
}

export function lookupCommand(lowerName: string): Command | undefined {
  return byName.get(lowerName);
}

/** Spellings seen on the wire ('SET', 'set', 'Set') -> entry, so most requests skip lower-casing. */
const bySpelling = new Map<string, Command>();
const MAX_SPELLINGS = 4096;

let lastSpelling = '';
let lastFound: Command | undefined;

/** The entry for a command name as a client sent it (any letter case). */
export function findCommand(name: string): Command | undefined {
  // Pipelined requests repeat their command, and the request reader hands out the same string.
  if (name === lastSpelling) return lastFound;
  const hit = bySpelling.get(name);
  if (hit !== undefined) {
    lastSpelling = name;
    lastFound = hit;
    return hit;
  }
  const c = byName.get(name.toLowerCase());
  // Spellings come from clients: bound how many get remembered.
  if (c !== undefined && bySpelling.size < MAX_SPELLINGS) bySpelling.set(name, c);
  return c;
}

export function allCommands(): readonly Command[] {
  return ALL;
}

const NO_KEYS: number[] = [];

/** Positions of the key arguments of a request. */
export function keyIndexes(spec: CommandSpec, argv: readonly string[]): number[] {
  if (spec.keysOf) return spec.keysOf(argv);
  const k = spec.keys;
  if (k === undefined || k.first === 0) return NO_KEYS;
  const last = k.last < 0 ? argv.length + k.last : k.last;
  const out: number[] = [];
  for (let i = k.first; i <= last && i < argv.length; i += k.step) out.push(i);
  return out;
}
