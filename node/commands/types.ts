// Shapes shared by the command table, the dispatcher and the handlers.
import type { Db } from '../store/keyspace.js';
import type { Reply } from '../server/reply.js';
import type { Session } from '../server/session.js';
import type { Server } from '../server/server.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy'
  | 'asking';

export interface Ctx {
  readonly server: Server;
  readonly session: Session;
  readonly db: Db;
  readonly out: Reply;
  /** Milliseconds since the epoch, read once per command. */
  readonly now: number;
  /**
   * What to propagate (AOF, replicas) instead of the request itself, for commands whose effect
   * is not reproduced by replaying them (relative TTLs, random choices); see propagateAs().
   */
  propagateAs: string[][] | null;
  /** Inside EXEC (or a script) blocking commands must not block: they act as if timed out. */
  readonly denyBlocking?: boolean;
}

export type Handler = (ctx: Ctx, argv: string[]) => void;

/** Legacy key positions (first, last, step); last < 0 counts from the end. */
export interface KeyRange {
  first: number;
  last: number;
  step: number;
}

/** A key specification as Redis 7.0's COMMAND INFO reports it. */
export interface KeySpec {
  /** Free-text notes Redis attaches to some key specs (BITFIELD, SORT). */
  readonly notes?: string;
  /** RW/RO/OW/RM and access/update/insert/delete, as in Redis's command JSON files. */
  readonly flags: readonly string[];
  readonly begin: { readonly index: number } | { readonly keyword: string; readonly startfrom: number } | { readonly unknown: true };
  readonly find:
    | { readonly unknown: true }
    | { readonly lastkey: number; readonly keystep: number; readonly limit: number }
    | { readonly keynumidx: number; readonly firstkey: number; readonly keystep: number };
}

export interface CommandSpec {
  /** Lower-case name. */
  readonly name: string;
  /** Positive: exact argc; negative: at least -arity (argc includes the command name). */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** ACL categories without the leading @ (for COMMAND INFO). */
  readonly acl?: readonly string[];
  readonly keys?: KeyRange;
  /** Key argument positions for commands whose keys move (ZUNIONSTORE, MIGRATE, ...). */
  readonly keysOf?: (argv: readonly string[]) => number[];
  /** Key specifications for COMMAND INFO (commands without them report none). */
  readonly keySpecs?: readonly KeySpec[];
  /** Command tips for COMMAND INFO (request_policy:..., nondeterministic_output, ...). */
  readonly tips?: readonly string[];
  readonly group: string;
  readonly summary?: string;
  readonly since?: string;
  readonly handler: Handler;
  readonly subcommands?: readonly CommandSpec[];
}
