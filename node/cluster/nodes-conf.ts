// CLUSTER NODES text and nodes.conf (facts §8.1-8.2): state -> lines, lines -> state, and the two
// writes: durable (temp file, fsync, rename) and the cheap in-place one Redis uses for changes it
// does not fsync; neither leaves a half-written config after a process crash.
import { closeSync, fstatSync, fsync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { formatNodeLine, NodeLineError, parseNodeLine, type NodeFlagName, type NodeLine } from '../../common/cluster-nodes.js';
import type { SlotRange } from '../../common/slots.js';
import { NodeFlag } from '../bus/messages.js';
import { addNode, addSlot, createNode, createState, inHandshake, masterOf, type ClusterNode, type ClusterOptions, type ClusterState } from './state.js';

const FLAG_BITS: [number, NodeFlagName][] = [
  [NodeFlag.MYSELF, 'myself'],
  [NodeFlag.MASTER, 'master'],
  [NodeFlag.SLAVE, 'slave'],
  [NodeFlag.PFAIL, 'fail?'],
  [NodeFlag.FAIL, 'fail'],
  [NodeFlag.HANDSHAKE, 'handshake'],
  [NodeFlag.NOADDR, 'noaddr'],
  [NodeFlag.NOFAILOVER, 'nofailover'],
];

/** `withShardId`: the nodes.conf form, with the shard-id aux field. */
export function describeNode(st: ClusterState, n: ClusterNode, withShardId = false): NodeLine {
  const flags: NodeFlagName[] = [];
  for (const [bit, name] of FLAG_BITS) if (n.flags & bit) flags.push(name);
  const master = n.masterId !== null && n.flags & NodeFlag.SLAVE ? n.masterId : null;
  const mine = n === st.myself;
  return {
    id: n.id,
    ip: n.ip,
    port: n.port,
    cport: n.cport,
    hostname: n.hostname,
    ...(withShardId ? { shardId: n.shardId } : {}),
    flags,
    masterId: master,
    pingSent: n.pingSent,
    pongReceived: n.pongReceived,
    configEpoch: masterOf(st, n)?.configEpoch ?? n.configEpoch,
    connected: n.linked || mine,
    slots: slotRangesOf(n),
    migrating: mine ? [...st.migrating].map(([slot, id]) => ({ slot, id })) : [],
    importing: mine ? [...st.importing].map(([slot, id]) => ({ slot, id })) : [],
  };
}

/**
 * nodes.conf is written on every SETSLOT and every slot move learned from a peer (thousands per
 * reshard) while the slots of most nodes stay the same: their ranges are computed once per change.
 * Shared arrays: callers only read them.
 */
const rangesCache = new WeakMap<ClusterNode, { version: number; ranges: SlotRange[] }>();

function slotRangesOf(n: ClusterNode): SlotRange[] {
  if (n.numSlots === 0) return [];
  const c = rangesCache.get(n);
  if (c !== undefined && c.version === n.slotsVersion) return c.ranges;
  const ranges = bitmapRanges(n.slots);
  rangesCache.set(n, { version: n.slotsVersion, ranges });
  return ranges;
}

/**
 * Maximal runs of set bits in a slot bitmap. Whole 0x00 / 0xff bytes are skipped in one step:
 * this runs for every node on each CLUSTER NODES and nodes.conf write (per SETSLOT).
 */
export function bitmapRanges(bitmap: Uint8Array): SlotRange[] {
  const out: SlotRange[] = [];
  let start = -1;
  for (let i = 0; i < bitmap.length; i++) {
    const b = bitmap[i]!;
    if (b === 0xff) {
      if (start === -1) start = i << 3;
      continue;
    }
    if (b === 0) {
      if (start !== -1) {
        out.push({ start, end: (i << 3) - 1 });
        start = -1;
      }
      continue;
    }
    for (let bit = 0; bit < 8; bit++) {
      const s = (i << 3) | bit;
      if (b & (1 << bit)) {
        if (start === -1) start = s;
      } else if (start !== -1) {
        out.push({ start, end: s - 1 });
        start = -1;
      }
    }
  }
  if (start !== -1) out.push({ start, end: bitmap.length * 8 - 1 });
  return out;
}

/**
 * CLUSTER NODES body (every line ends with \n). `importing`: more IMPORTING marks for my own line
 * (atomic slot imports in progress, which are not in the state and never saved).
 */
export function formatClusterNodes(st: ClusterState, importing: readonly { slot: number; id: string }[] = []): string {
  let s = '';
  for (const n of st.nodes.values()) {
    const line = describeNode(st, n);
    if (n === st.myself && importing.length !== 0) line.importing.push(...importing.filter((m) => !st.importing.has(m.slot)));
    s += formatNodeLine(line) + '\n';
  }
  return s;
}

export function formatConf(st: ClusterState): string {
  let s = '';
  for (const n of st.nodes.values()) if (!inHandshake(n)) s += formatNodeLine(describeNode(st, n, true)) + '\n';
  return `${s}vars currentEpoch ${st.currentEpoch} lastVoteEpoch ${st.lastVoteEpoch}\n`;
}

export interface ParsedConf {
  lines: NodeLine[];
  currentEpoch: number;
  lastVoteEpoch: number;
  warnings: string[];
}

export class ConfError extends Error {}

export function parseConf(text: string): ParsedConf {
  const out: ParsedConf = { lines: [], currentEpoch: 0, lastVoteEpoch: 0, warnings: [] };
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!.trim();
    if (row === '') continue;
    if (row.startsWith('vars ')) {
      const kv = row.split(' ').filter((x) => x !== '').slice(1);
      for (let j = 0; j + 1 < kv.length; j += 2) {
        const v = Number(kv[j + 1]);
        if (kv[j] === 'currentEpoch' && Number.isSafeInteger(v)) out.currentEpoch = v;
        else if (kv[j] === 'lastVoteEpoch' && Number.isSafeInteger(v)) out.lastVoteEpoch = v;
        else out.warnings.push(`skipping unknown cluster config variable '${kv[j]}'`);
      }
      continue;
    }
    try {
      out.lines.push(parseNodeLine(row));
    } catch (e) {
      if (e instanceof NodeLineError) throw new ConfError(`nodes.conf line ${i + 1}: ${e.message}`);
      throw e;
    }
  }
  if (!out.lines.some((l) => l.flags.includes('myself'))) throw new ConfError('nodes.conf has no myself line');
  return out;
}

const NAME_TO_BIT = new Map(FLAG_BITS.map(([b, n]) => [n, b]));

/** Rebuilds the state from a parsed nodes.conf: keeps ID, epochs, slots and migration marks. */
export function stateFromConf(conf: ParsedConf, opts: ClusterOptions, now: number): ClusterState {
  const myLine = conf.lines.find((l) => l.flags.includes('myself'))!;
  const st = createState(myLine.id, opts, now);
  st.nodes.clear();
  for (const l of conf.lines) {
    let flags = 0;
    for (const f of l.flags) flags |= NAME_TO_BIT.get(f) ?? 0;
    const n: ClusterNode = l.id === myLine.id ? st.myself : createNode(l.id, 0, now);
    n.flags = flags;
    n.ip = l.ip;
    n.port = l.port;
    n.cport = l.cport;
    n.hostname = l.hostname;
    // A file written before shard IDs existed keeps the random one createNode chose.
    if (l.shardId !== undefined) n.shardId = l.shardId;
    n.masterId = l.masterId;
    n.pingSent = l.pingSent !== 0 ? now : 0;
    n.pongReceived = l.pongReceived !== 0 ? now : 0;
    n.configEpoch = l.configEpoch;
    addNode(st, n);
  }
  for (const l of conf.lines) {
    const n = st.nodes.get(l.id)!;
    if (n.flags & NodeFlag.SLAVE && l.masterId !== null && st.nodes.has(l.masterId)) n.configEpoch = 0;
    for (const r of l.slots) for (let s = r.start; s <= r.end; s++) addSlot(st, n, s);
  }
  // Masters with replicas are replica-migration targets (state.ts, MIGRATE_TO).
  for (const n of st.nodes.values()) {
    const m = n.flags & NodeFlag.SLAVE && n.masterId !== null ? st.nodes.get(n.masterId) : undefined;
    if (m !== undefined) {
      m.flags |= NodeFlag.MIGRATE_TO;
      n.shardId = m.shardId;
    }
  }
  for (const m of myLine.migrating) st.migrating.set(m.slot, m.id);
  for (const m of myLine.importing) st.importing.set(m.slot, m.id);
  st.currentEpoch = conf.currentEpoch;
  st.lastVoteEpoch = conf.lastVoteEpoch;
  for (const n of st.nodes.values()) if (n.configEpoch > st.currentEpoch) st.currentEpoch = n.configEpoch;
  return st;
}

/** Writes the file atomically and durably: temp file in the same dir, fsync, rename, fsync dir. */
export function writeConfAtomic(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path) === '' ? '.' : dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directory fsync is best effort (not supported everywhere).
  }
}

/**
 * The cheap write used for changes Redis does not fsync (slot assignments, migration marks,
 * forgotten nodes): one write at offset 0 of the existing file, padded with newlines (which the
 * loader skips) when the old content was longer, then truncated, so a process crash at any point
 * leaves a loadable file. A temp file + rename costs ~25x more on ext4 (rename-over forces the
 * new data out), which made every CLUSTER SETSLOT take milliseconds. The descriptor stays open
 * between writes (a reshard writes the file thousands of times); `atomic` replaces the file and
 * drops it.
 */
export class ConfWriter {
  private fd = -1;
  /** The file's size after our last write (fstat once, when opening). */
  private size = 0;

  constructor(readonly path: string) {}

  inPlace(content: string): void {
    try {
      if (this.fd === -1) {
        try {
          this.fd = openSync(this.path, 'r+');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          this.fd = openSync(this.path, 'w+', 0o644);
        }
        this.size = fstatSync(this.fd).size;
      }
      const len = Buffer.byteLength(content, 'latin1');
      const buf = Buffer.alloc(Math.max(this.size, len), 0x0a);
      buf.write(content, 0, 'latin1');
      writeSync(this.fd, buf, 0, buf.length, 0);
      this.size = buf.length;
      if (buf.length > len) {
        ftruncateSync(this.fd, len);
        this.size = len;
      }
    } catch (e) {
      // Next time from a fresh descriptor and a fresh size.
      this.close();
      throw e;
    }
  }

  /** The durable write (writeConfAtomic); the file is a new inode afterwards. */
  atomic(content: string): void {
    this.close();
    writeConfAtomic(this.path, content);
  }

  close(): void {
    if (this.fd === -1) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      closeSync(fd);
    } catch {
      // nothing more to do with it
    }
  }
}

/** One in-place write (ConfWriter.inPlace) without keeping the descriptor. */
export function writeConfInPlace(path: string, content: string): void {
  const w = new ConfWriter(path);
  try {
    w.inPlace(content);
  } finally {
    w.close();
  }
}

/**
 * fsync of the file on libuv's thread pool, so the event loop keeps serving meanwhile (an fsync
 * takes ~0.5-1 ms here, and during a reshard every master learns a slot move per slot).
 * Requests made while one runs are served by one more fsync after it.
 */
export class BackgroundFsync {
  private running = false;
  private again = false;

  constructor(
    private readonly path: string,
    private readonly onError: (e: Error) => void,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    // Only the fsync goes to the thread pool: open and close are cheap, and every job there
    // costs two thread wake-ups.
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (e) {
      // Reported on the next turn, like an fsync failure.
      setImmediate(() => this.done(e as Error));
      return;
    }
    fsync(fd, (e) => {
      try {
        closeSync(fd);
      } catch {
        // already gone
      }
      this.done(e);
    });
  }

  /** True while an fsync runs or waits to run. */
  get busy(): boolean {
    return this.running;
  }

  private done(err: Error | null): void {
    this.running = false;
    if (err !== null) this.onError(err);
    if (this.again) {
      this.again = false;
      this.request();
    }
  }
}

/**
 * Claims nodes.conf for this process with a `<file>.lock` holding our pid (Node has no flock):
 * a lock left by a dead process (or by this pid, e.g. pid 1 in a restarted container) is taken
 * over. Returns a release function, or throws when another live node uses the file.
 */
export function lockConf(path: string): () => void {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(lock, 'latin1') === String(process.pid)) unlinkSync(lock);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lock, 'latin1'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new ConfError(`Sorry, the cluster configuration file ${path} is already used by a different Redis Cluster node (pid ${pid}). Please make sure that different nodes use different cluster configuration files.`);
      }
      unlinkSync(lock);
    }
  }
  throw new ConfError(`could not lock ${path}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
