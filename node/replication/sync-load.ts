// The dataset a full sync brings, decoded while it arrives into databases apart from the live
// ones (clients keep reading the old data meanwhile, as Redis's repl-diskless-load swapdb) and
// swapped in once the image is complete and its checksum verified.
import type { Server } from '../server/server.js';
import { Db, type KeyspaceEvents } from '../store/keyspace.js';
import { RdbLoader } from '../persistence/rdb-loader.js';
import { encodingThresholds } from '../commands/thresholds.js';
import { bulkLoadBegin, bulkLoadEnd } from '../persistence/bulk-load-heap.js';

/** The new databases have no watchers, blocked clients or snapshots until they are swapped in. */
const DETACHED: KeyspaceEvents = {
  modified: () => {},
  added: () => {},
  expiring: () => {},
  expired: () => {},
};

export class SyncLoad {
  private readonly dbs: Db[];
  private readonly loader: RdbLoader;
  bytes = 0;
  private open = true;

  constructor(private readonly server: Server) {
    bulkLoadBegin();
    const cfg = server.config;
    const lfu = cfg.get('maxmemory-policy').endsWith('-lfu');
    this.dbs = server.dbs.map((d) => {
      const db = new Db(d.index, DETACHED);
      db.clock.enableLfu(lfu);
      db.clock.lfuLogFactor = cfg.int('lfu-log-factor');
      db.clock.lfuDecayMinutes = cfg.int('lfu-decay-time');
      return db;
    });
    const dbs = this.dbs;
    // Expired keys are kept: the master sends their deletions (a replica never expires keys).
    this.loader = new RdbLoader((index, key, value, expireAt) => {
      const db = dbs[index];
      if (db === undefined) return;
      db.set(key, value);
      if (expireAt !== undefined) db.setExpire(key, expireAt);
    }, encodingThresholds(cfg));
  }

  feed(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.loader.feed(chunk);
  }

  /** The transfer failed: the new databases are dropped. */
  abort(): void {
    if (!this.open) return;
    this.open = false;
    bulkLoadEnd();
  }

  /** The image is complete: checks it and makes it the live dataset; returns the key count. */
  finish(): number {
    let keys: number;
    try {
      keys = this.loader.end();
    } finally {
      this.abort();
    }
    const server = this.server;
    server.touchAllWatched(null);
    for (const s of server.snapshots) s.beforeWholeDbWrite(null);
    for (let i = 0; i < this.dbs.length; i++) server.dbs[i]!.swapContents(this.dbs[i]!);
    // What was swapped out is the old dataset: drop it.
    for (const db of this.dbs) db.flush();
    return keys;
  }
}
