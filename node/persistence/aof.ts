// The append-only file: every propagated write is appended in RESP form; the file is written
// before replies leave (appendfsync always: also fsynced then; everysec: fsynced once a second
// off the event loop; no: left to the OS). At startup the files are replayed through the
// command table. Layout follows Redis 7's appendonlydir + manifest.
import fs from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { command } from '../../common/resp/encode.js';
import { ProtocolError, RequestReader } from '../../common/resp/request-reader.js';
import type { PropagationSink } from './propagation.js';
import { formatManifest, loadOrder, parseManifest, type AofFileEntry } from './aof-manifest.js';
import type { Server } from '../server/server.js';
import { Session } from '../server/session.js';
import { execute } from '../commands/dispatch.js';
import { lookupCommand } from '../commands/table.js';
import { pumpSnapshot } from './snapshot.js';
import { loadRdbImage } from './rdb-file.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export class AofLoadError extends Error {}

export class AppendOnlyFile implements PropagationSink {
  private fd = -1;
  private buf = '';
  private selectedDb = -1;
  private unsynced = false;
  private syncing = false;
  private timer: NodeJS.Timeout | null = null;
  private entries: AofFileEntry[] = [];
  /** Bytes appended since start (INFO persistence). */
  written = 0;

  constructor(
    private readonly dir: string,
    private readonly baseName: string,
    private policy: FsyncPolicy,
    private readonly log: Logger,
  ) {}

  get manifestPath(): string {
    return join(this.dir, `${this.baseName}.manifest`);
  }

  /** Opens the current incremental file, creating the directory, base and manifest if needed. */
  open(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.entries = fs.existsSync(this.manifestPath) ? parseManifest(fs.readFileSync(this.manifestPath, 'utf8')) : [];
    if (this.entries.length === 0) {
      const base = { name: `${this.baseName}.1.base.aof`, seq: 1, type: 'b' as const };
      fs.writeFileSync(join(this.dir, base.name), '');
      this.entries = [base, { name: `${this.baseName}.1.incr.aof`, seq: 1, type: 'i' }];
      this.writeManifest();
    }
    const incr = loadOrder(this.entries).filter((e) => e.type === 'i').at(-1)!;
    this.fd = fs.openSync(join(this.dir, incr.name), 'a');
    this.timer = setInterval(() => this.backgroundFsync(), 1000);
    this.timer.unref();
  }

  private writeManifest(): void {
    const tmp = `${this.manifestPath}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, formatManifest(this.entries));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.manifestPath);
    const dfd = fs.openSync(this.dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  }

  setPolicy(p: FsyncPolicy): void {
    this.policy = p;
  }

  feed(db: number, argv: readonly string[]): void {
    if (db !== this.selectedDb) {
      this.buf += command(['SELECT', String(db)]);
      this.selectedDb = db;
    }
    this.buf += command(argv);
  }

  beforeReply(): void {
    if (this.buf.length === 0 || this.fd === -1) return;
    const data = Buffer.from(this.buf, 'latin1');
    this.buf = '';
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off);
    this.written += data.length;
    this.incrSize += data.length;
    if (this.policy === 'always') fs.fdatasyncSync(this.fd);
    else this.unsynced = true;
  }

  private backgroundFsync(): void {
    if (this.policy !== 'everysec' || !this.unsynced || this.syncing || this.fd === -1) return;
    this.unsynced = false;
    this.syncing = true;
    fs.fdatasync(this.fd, (err) => {
      this.syncing = false;
      if (err) this.log.error({ err: err.message }, 'fsync of the append-only file failed');
    });
  }

  rewriting = false;
  /** Size of the base and of the increments since it (auto-aof-rewrite-* rules). */
  baseSize = 0;
  incrSize = 0;

  /**
   * BGREWRITEAOF: a new increment file takes the writes from now on (the manifest lists it at
   * once, so a crash mid-rewrite loses nothing), while a snapshot of the dataset as of now is
   * written as the new base in RDB form. When the base is complete, the manifest is switched to
   * [new base, new increment] and the old files are deleted.
   */
  startRewrite(server: Server, done?: (err: Error | null) => void): boolean {
    if (this.rewriting || this.fd === -1) return false;
    this.rewriting = true;
    const t0 = Date.now();
    this.beforeReply();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    const seq = Math.max(0, ...this.entries.map((e) => e.seq)) + 1;
    const incr: AofFileEntry = { name: `${this.baseName}.${seq}.incr.aof`, seq, type: 'i' };
    this.fd = fs.openSync(join(this.dir, incr.name), 'a');
    this.selectedDb = -1;
    this.incrSize = 0;
    this.entries = [...this.entries, incr];
    this.writeManifest();
    const base: AofFileEntry = { name: `${this.baseName}.${seq}.base.rdb`, seq, type: 'b' };
    const basePath = join(this.dir, base.name);
    const fd = fs.openSync(`${basePath}.tmp`, 'w');
    let size = 0;
    let fdOpen = true;
    pumpSnapshot(
      server,
      (c) => {
        fs.writeSync(fd, c);
        size += c.length;
      },
      (err) => {
        try {
          if (err !== null) throw err;
          fs.fsyncSync(fd);
          fdOpen = false;
          fs.closeSync(fd);
          fs.renameSync(`${basePath}.tmp`, basePath);
          const old = this.entries.filter((e) => e !== incr);
          this.entries = [base, incr];
          this.writeManifest();
          for (const e of old) fs.rmSync(join(this.dir, e.name), { force: true });
          this.baseSize = size;
          this.rewriting = false;
          this.log.info({ ms: Date.now() - t0, baseBytes: size }, 'background AOF rewrite finished successfully');
        } catch (e) {
          err = e as Error;
          this.rewriting = false;
          if (fdOpen) fs.close(fd, () => {});
          this.log.error({ err: err.message }, 'background AOF rewrite failed');
        }
        done?.(err);
      },
    );
    return true;
  }

  /** auto-aof-rewrite-percentage / -min-size, checked by the cron. */
  maybeAutoRewrite(server: Server): void {
    const pct = server.config.int('auto-aof-rewrite-percentage');
    const min = server.config.int('auto-aof-rewrite-min-size');
    if (pct <= 0 || this.rewriting || this.incrSize < min) return;
    if (this.incrSize * 100 >= Math.max(1, this.baseSize) * pct) this.startRewrite(server);
  }

  close(): void {
    if (this.fd === -1) return;
    this.beforeReply();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
    if (this.timer) clearInterval(this.timer);
  }
}

/**
 * Replays the append-only files into the server. A file whose last command is cut short is
 * truncated to its last complete command when `allowTruncated` (aof-load-truncated), otherwise
 * loading fails; garbage in the middle always fails.
 */
export function loadAppendOnlyFiles(server: Server, dir: string, baseName: string, allowTruncated: boolean, log: Logger): number {
  const manifest = join(dir, `${baseName}.manifest`);
  if (!fs.existsSync(manifest)) return 0;
  const order = loadOrder(parseManifest(fs.readFileSync(manifest, 'utf8')));
  const session = new Session(0, new net.Socket());
  session.authenticated = true;
  const cluster = server.cluster;
  server.cluster = null; // replayed writes are not routed
  let total = 0;
  try {
    order.forEach((entry, i) => {
      const path = join(dir, entry.name);
      if (!fs.existsSync(path)) {
        if (entry.type === 'b' || i === order.length - 1) return;
        throw new AofLoadError(`Append-only file ${entry.name} named in the manifest is missing`);
      }
      total += replayFile(server, session, path, allowTruncated && i === order.length - 1, log);
    });
  } finally {
    server.cluster = cluster;
    server.unwatchAll(session);
  }
  return total;
}

function replayFile(server: Server, session: Session, path: string, allowTruncated: boolean, log: Logger): number {
  const data = fs.readFileSync(path);
  // A base written by a rewrite is an RDB image (as with aof-use-rdb-preamble).
  if (data.length >= 5 && data.toString('latin1', 0, 5) === 'REDIS') return loadRdbImage(server, data, false);
  const reader = new RequestReader({ maxBulkLen: 2 ** 31, maxMultibulk: 2 ** 31, maxInline: 2 ** 31 });
  reader.feed(data);
  let count = 0;
  let goodOffset = 0;
  let multiStart = -1;
  for (;;) {
    let argv: string[] | null;
    try {
      argv = reader.next();
    } catch (e) {
      if (e instanceof ProtocolError) throw new AofLoadError(`Bad file format reading the append only file ${path} at offset ${goodOffset}: ${e.message}`);
      throw e;
    }
    if (argv === null) break;
    if (lookupCommand(argv[0]!.toLowerCase()) === undefined) throw new AofLoadError(`Unknown command '${argv[0]}' reading the append only file ${path}`);
    if (argv[0]!.toUpperCase() === 'MULTI') multiStart = goodOffset;
    execute(server, session, argv);
    const reply = session.out.take();
    if (reply.startsWith('-') && !argv[0]!.toUpperCase().startsWith('EXEC')) log.warn({ file: path, command: argv[0], reply: reply.trim() }, 'command in the append-only file failed on replay');
    goodOffset = data.length - reader.pending;
    if (session.multi === null) multiStart = -1;
    count++;
  }
  // A transaction without its EXEC is as incomplete as a cut command: drop it whole.
  const unfinishedTxn = session.multi !== null && multiStart !== -1;
  if (unfinishedTxn) {
    session.multi = null;
    goodOffset = multiStart;
  }
  if (reader.pending > 0 || unfinishedTxn) {
    if (!allowTruncated) {
      throw new AofLoadError(`Unexpected end of file reading the append only file ${path} (set aof-load-truncated yes to load the valid prefix)`);
    }
    log.warn({ file: path, validBytes: goodOffset, droppedBytes: data.length - goodOffset }, 'append-only file was truncated: loading the valid prefix and truncating the file');
    fs.truncateSync(path, goodOffset);
  }
  return count;
}
