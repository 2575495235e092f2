// Per-connection state: protocol version, selected db, auth, MULTI queue, WATCHed keys,
// subscriptions, cluster flags (ASKING, READONLY) and the blocked state.
import type { Socket } from 'node:net';
import { RequestReader } from '../../common/resp/request-reader.js';
import { Reply } from './reply.js';
import type { WatchedKey } from './watch.js';

export type ClientClass = 'normal' | 'slave' | 'pubsub';

/**
 * What a client blocked on keys waits for (see server/blocking.ts). Built by the command layer
 * (commands/block.ts) so that the registry stays independent of any data type.
 */
export interface BlockedState {
  /** Keys waited on, in the command's order (duplicates allowed). */
  readonly keys: readonly string[];
  readonly db: number;
  /** Absolute time in ms since the epoch; 0 = forever. */
  readonly deadline: number;
  timer: NodeJS.Timeout | null;
  /**
   * Tries to serve the client from `key`, which just got data: true when it wrote its reply.
   * Waits that no key can end (WAIT, MIGRATE parking) block on no keys and never get here.
   */
  retry(key: string): boolean;
  /** Writes the reply for a timeout (also CLIENT UNBLOCK ... TIMEOUT). */
  timeout(): void;
  /** Ended by a role change like a wait on keys although it waits on none (WAIT, as Redis 7.0). */
  readonly endsOnRoleChange?: boolean;
}

export class Session {
  readonly reader = new RequestReader();
  readonly out = new Reply();
  name = '';
  db = 0;
  authenticated = false;
  libName = '';
  libVer = '';
  multi: string[][] | null = null;
  multiError = false;
  /** "db\0key" -> the watched key (see watch.ts). */
  watched: Map<string, WatchedKey> | null = null;
  /** True while EXEC runs the queued commands: blocking commands then behave as non-blocking. */
  inExec = false;
  /** CLIENT REPLY: 'off' drops every reply, 'skip' drops the next command's (dispatch.ts). */
  replyMode: 'on' | 'off' | 'skip' = 'on';
  dirtyCas = false;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  asking = false;
  readonlyMode = false;
  blocked: BlockedState | null = null;
  closing = false;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  /** Set when the output buffer passed the soft limit, for the soft-seconds rule. */
  softLimitSince = 0;
  kind: ClientClass = 'normal';
  /** The link from our master: its writes are applied even on a read-only replica. */
  isMaster = false;
  /** Replaces the normal flush for links that are not plain sockets (tests, internal). */

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  get inSubscribeContext(): boolean {
    return this.out.resp === 2 && this.subscriptionCount > 0;
  }

  get addr(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`;
  }

  get laddr(): string {
    return `${this.socket.localAddress ?? '?'}:${this.socket.localPort ?? 0}`;
  }
}
