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
}

export type Handler = (ctx: Ctx, argv: string[]) => void;

/** Legacy key positions (first, last, step); last < 0 counts from the end. */
export interface KeyRange {
  first: number;
  last: number;
  step: number;
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
  readonly group: string;
  readonly summary?: string;
  readonly since?: string;
  readonly handler: Handler;
  readonly subcommands?: readonly CommandSpec[];
}
