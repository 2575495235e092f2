// Per-connection state: protocol version, selected db, auth, MULTI queue, WATCHed keys,
// subscriptions, cluster flags (ASKING, READONLY) and the blocked state.
import type { Socket } from 'node:net';
import { RequestReader } from '../../common/resp/request-reader.js';
import { Reply } from './reply.js';

export type ClientClass = 'normal' | 'slave' | 'pubsub';

export interface BlockedState {
  /** Re-runs the command (returns true when it was served) or times it out. */
  readonly keys: readonly string[];
  readonly db: number;
  readonly deadline: number; // 0 = forever
  timer: NodeJS.Timeout | null;
  retry(): boolean;
  timeout(): void;
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
  watched: Map<string, number> | null = null; // "db\0key" -> db index
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
