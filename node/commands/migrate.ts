// Key transfer: DUMP, RESTORE, RESTORE-ASKING and MIGRATE (source side).
//
// Big keys: MIGRATE never serializes a key in one go. The payload is built by the sliced encoder
// (ENCODE_SLICE elements at a time, at most SLICE_BUDGET_MS of work per event-loop turn), the
// CRC is computed as the bytes are produced, and the socket write is asynchronous. While that
// happens the migrating keys are frozen (writes to them wait, everything else runs), so the
// target receives exactly the value that is deleted here. Measured worst event-loop pause while
// migrating a 1,000,000-field hash: see test/migration/big-key.test.ts and the README.
import type { CommandSpec, Ctx } from './types.js';
import type { Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import type { EncodingThresholds, StoredValue } from '../store/values/object.js';
import { E } from './errors.js';
import { encodingThresholds } from './thresholds.js';
import { fail, int64Arg, parseInt64 } from './args.js';
import { decodeDumpPayload, decodeDumpPayloadSteps, encodeDumpPayload, encodeDumpPayloadSteps, ENCODE_SLICE } from '../migration/dump-payload.js';
import { latin1BytesSteps, runSliced } from '../migration/slices.js';
import { sourceOfStored, storedValueSink } from '../migration/value-convert.js';
import { MigrateConnections, type TargetLink } from '../migration/migrate-client.js';
import { freezeKeys, thawKeys } from '../migration/key-freeze.js';
import { abortImportsOf, runningImports } from '../migration/outcome.js';
import { keySlot } from '../../common/slots.js';
import { isErrorReply } from '../../common/resp/reply-reader.js';
import { command as encodeCommand } from '../../common/resp/encode.js';

/** RESTORE payloads above this size are decoded over several event-loop turns. */
export const RESTORE_SLICED_BYTES = 256 * 1024;

function thresholds(server: Server): EncodingThresholds {
  return encodingThresholds(server.config);
}

// ---- DUMP / RESTORE ----------------------------------------------------------------------------

function dump(ctx: Ctx, argv: string[]): void {
  const v = ctx.db.get(argv[1]!, ctx.now);
  if (v === undefined) return ctx.out.nullBulk();
  const src = sourceOfStored(v);
  if (src === null) fail(E.dumpUnsupported);
  ctx.out.bulk(encodeDumpPayload(src, thresholds(ctx.server)).toString('latin1'));
}

export interface RestoreRequest {
  key: string;
  replace: boolean;
  absttl: boolean;
  ttl: number;
}

function restore(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const o = argv[j]!.toLowerCase();
    const more = argv.length - j - 1;
    if (o === 'replace') replace = true;
    else if (o === 'absttl') absttl = true;
    else if (o === 'idletime' && more >= 1 && freq === -1n) {
      idle = int64Arg(argv[++j]!);
      if (idle < 0n) fail(E.restoreIdletime);
    } else if (o === 'freq' && more >= 1 && idle === -1n) {
      freq = int64Arg(argv[++j]!);
      if (freq < 0n || freq > 255n) fail(E.restoreFreq);
    } else fail(E.syntax);
  }
  // This node keeps no LRU/LFU data: IDLETIME and FREQ are validated and otherwise ignored.
  if (!replace && ctx.db.get(key, ctx.now) !== undefined) fail(E.busyKey);
  // MIGRATE sends 0 for every key without a TTL: no BigInt parse for it.
  const ttl = argv[2] === '0' ? 0n : parseInt64(argv[2]!);
  if (ttl === null) fail(E.notInteger);
  if (ttl < 0n) fail(E.restoreTtl);
  const req: RestoreRequest = { key, replace, absttl, ttl: Number(ttl) };
  const payload = argv[3]!;
  // Inside EXEC nothing may wait: even a big payload is then restored in one go.
  if (payload.length <= RESTORE_SLICED_BYTES || ctx.denyBlocking) {
    const decoded = decodeDumpPayload(Buffer.from(payload, 'latin1'), storedValueSink(thresholds(ctx.server)));
    if (!decoded.ok) fail(decoded.error === 'checksum' ? E.dumpChecksum : E.badDataFormat);
    if (decoded.value === null) fail(E.badDataFormat);
    const r = installRestored(ctx.server, ctx.db.index, req, decoded.value, ctx.now, argv, false);
    if ('error' in r) fail(r.error);
    ctx.propagateAs = r.propagate;
    return ctx.out.ok();
  }
  // A big payload (a big key arriving by MIGRATE): copy, verify, decode and build it over many
  // event-loop turns, then install it at once. Nothing is visible before; BUSYKEY is checked
  // again at install time.
  const { server } = ctx;
  const dbIndex = ctx.db.index;
  runParked(server, ctx.session, async (): Promise<Reply> => {
    const bytes = await runSliced(latin1BytesSteps(payload));
    const decoded = await runSliced(decodeDumpPayloadSteps(bytes, storedValueSink(thresholds(server))));
    if (!decoded.ok) return { error: decoded.error === 'checksum' ? E.dumpChecksum : E.badDataFormat };
    if (decoded.value === null) return { error: E.badDataFormat };
    const r = installRestored(server, dbIndex, req, decoded.value, Date.now(), argv, true);
    return 'error' in r ? r : { status: 'OK' };
  });
}

/**
 * The last part of RESTORE: replace, TTL, store, signal. Replicas and the AOF get the command
 * with an absolute TTL (ABSTTL), or DEL when the key was replaced by an already expired one;
 * `async` installs (sliced RESTORE) also notify snapshots and propagate here, outside dispatch.
 */
export function installRestored(
  server: Server,
  dbIndex: number,
  req: RestoreRequest,
  value: StoredValue,
  now: number,
  /** A function when building the command costs (the slot import's payloads are Buffers). */
  argv: readonly string[] | (() => readonly string[]),
  async: boolean,
): { propagate: string[][] } | { error: string } {
  const db = server.dbs[dbIndex]!;
  const exists = db.get(req.key, now) !== undefined;
  if (exists && !req.replace) return { error: E.busyKey };
  if (async) for (const s of server.snapshots) s.beforeWrite(db, req.key);
  const deleted = exists && db.delete(req.key);
  let at = req.ttl;
  if (at !== 0 && !req.absttl) at += now;
  let propagate: string[][];
  if (at !== 0 && at <= now) {
    if (!deleted) return { propagate: [] };
    server.touchWatched(dbIndex, req.key);
    server.dirty++;
    propagate = [['DEL', req.key]];
  } else {
    db.set(req.key, value);
    if (at !== 0) db.setExpire(req.key, at);
    server.touchWatched(dbIndex, req.key);
    server.dirty++;
    server.blocking.signalReady(dbIndex, req.key);
    // An async install without replicas or AOF has nobody to tell: no command built.
    if (async && !server.propagator.active) return { propagate: [] };
    const cmd = [...(typeof argv === 'function' ? argv() : argv)];
    if (at !== 0 && !req.absttl) {
      cmd[2] = String(at);
      cmd.push('ABSTTL');
    }
    propagate = [cmd];
  }
  if (async && server.propagator.active) for (const c of propagate) server.propagator.propagate(dbIndex, c);
  return { propagate };
}

/**
 * Runs asynchronous work for a command: the client is parked (its later requests wait, as
 * after any blocking command) until the work's reply is written.
 */
export function runParked(server: Server, session: Session, work: () => Promise<Reply>, after?: () => void): void {
  server.blocking.block(session, { keys: [], db: session.db, deadline: 0, timer: null, retry: () => false, timeout: () => {} });
  void work()
    .catch((e: unknown): Reply => {
      server.log.error({ err: (e as Error).message, command: session.lastCommand }, 'command failed unexpectedly');
      return { error: `ERR internal error while running '${session.lastCommand}': ${(e as Error).message}` };
    })
    .then((reply) => {
      if (!session.closing) {
        server.blocking.unblock(session);
        if ('error' in reply) session.out.error(reply.error);
        else session.out.simple(reply.status);
        // Written now: a MIGRATE's client (redis-cli --cluster) waits for it to send the next one.
        server.flush(session);
        setImmediate(() => server.processInput(session));
      }
      // Then the requests that waited for the keys run, after this reply.
      after?.();
      if (server.blocking.hasReadyKeys) server.blocking.serveReady();
    });
}

// ---- MIGRATE -----------------------------------------------------------------------------------

const connections = new WeakMap<Server, MigrateConnections>();

export function migrateConnections(server: Server): MigrateConnections {
  let c = connections.get(server);
  if (c === undefined) connections.set(server, (c = new MigrateConnections()));
  return c;
}

interface MigrateRequest {
  host: string;
  port: number;
  db: number;
  timeout: number;
  copy: boolean;
  replace: boolean;
  user: string | null;
  password: string | null;
  keys: string[];
}

/** Key positions of a MIGRATE request (the single key, or everything after KEYS). */
export function migrateKeys(argv: readonly string[]): number[] {
  for (let i = 6; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (o === 'auth') i++;
    else if (o === 'auth2') i += 2;
    else if (o === 'keys') {
      if (argv[3]!.length > 0) return [];
      const out: number[] = [];
      for (let k = i + 1; k < argv.length; k++) out.push(k);
      return out;
    }
  }
  return [3];
}

/** C's atoi, as Redis reads MIGRATE's port: leading digits, anything else is 0. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

function parseMigrate(argv: string[]): MigrateRequest {
  let copy = false;
  let replace = false;
  let user: string | null = null;
  let password: string | null = null;
  let keys = [argv[3]!];
  for (let j = 6; j < argv.length; j++) {
    const o = argv[j]!.toLowerCase();
    const more = argv.length - 1 - j;
    if (o === 'copy') copy = true;
    else if (o === 'replace') replace = true;
    else if (o === 'auth') {
      if (more < 1) fail(E.syntax);
      password = argv[++j]!;
    } else if (o === 'auth2') {
      if (more < 2) fail(E.syntax);
      user = argv[++j]!;
      password = argv[++j]!;
    } else if (o === 'keys') {
      if (argv[3]!.length !== 0) fail(E.migrateKeysNeedsEmptyKey);
      keys = argv.slice(j + 1);
      break;
    } else fail(E.syntax);
  }
  const timeout = parseInt64(argv[5]!);
  const db = parseInt64(argv[4]!);
  if (timeout === null || db === null) fail(E.notInteger);
  return {
    host: argv[1]!,
    port: atoi(argv[2]!),
    db: Number(db),
    timeout: timeout <= 0n ? 1000 : Number(timeout > 2147483647n ? 2147483647n : timeout),
    copy,
    replace,
    user,
    password,
    keys,
  };
}

function migrate(ctx: Ctx, argv: string[]): void {
  const req = parseMigrate(argv);
  // The transfer is asynchronous (the node keeps serving meanwhile), which a transaction
  // cannot wait for.
  if (ctx.denyBlocking) fail(E.migrateInTransaction);
  const owner = ctx.server.cluster;
  if (owner !== null && runningImports.size !== 0 && ctx.db.index === 0) for (const key of req.keys) abortImportsOf(owner, keySlot(key), 'MIGRATE of its keys away from here');
  const found: { key: string; value: StoredValue }[] = [];
  for (const key of req.keys) {
    const v = ctx.db.get(key, ctx.now);
    if (v !== undefined) found.push({ key, value: v });
  }
  if (found.length === 0) return ctx.out.simple('NOKEY');
  const { server, session } = ctx;
  const dbIndex = ctx.db.index;
  const keys = found.map((f) => f.key);
  freezeKeys(dbIndex, keys);
  runParked(server, session, () => runMigrate(server, dbIndex, req, found), () => thawKeys(dbIndex, keys));
}

type Reply = { status: string } | { error: string };

/** Builds one key's payload: small values at once, big ones over several event-loop turns. */
async function buildPayload(th: EncodingThresholds, value: StoredValue): Promise<Buffer | null> {
  const src = sourceOfStored(value);
  if (src === null) return null;
  if (src.type === 'string' || src.size < ENCODE_SLICE) return encodeDumpPayload(src, th);
  return runSliced(encodeDumpPayloadSteps(src, th));
}

async function runMigrate(server: Server, dbIndex: number, req: MigrateRequest, found: { key: string; value: StoredValue }[]): Promise<Reply> {
  const payloads: Buffer[] = [];
  const th = thresholds(server);
  for (const f of found) {
    const p = await buildPayload(th, f.value);
    if (p === null) return { error: E.dumpUnsupported };
    payloads.push(p);
  }
  const conns = migrateConnections(server);
  const db = server.dbs[dbIndex]!;
  const restoreCmd = server.clusterEnabled ? 'RESTORE-ASKING' : 'RESTORE';
  let mayRetry = true;
  for (;;) {
    const got = await conns.get(req.host, req.port, req.timeout);
    if (got === 'connecting') return { error: E.migrateIoConnect };
    const link: TargetLink | null = typeof got === 'string' ? null : got;
    // One MIGRATE at a time per link: requests and replies pair up in order.
    const release = link !== null ? await link.acquire() : null;
    try {
      let failure: 'writing' | 'reading' | null = link === null ? 'writing' : null;
      let timedOut = false;
      let sent: { key: string; value: StoredValue }[] = [];
      let select = false;
      if (link !== null) {
        const pieces: (Buffer | string)[] = [];
        if (req.password !== null) pieces.push(encodeCommand(req.user !== null ? ['AUTH', req.user, req.password] : ['AUTH', req.password]));
        select = link.lastDb !== req.db;
        if (select) pieces.push(encodeCommand(['SELECT', String(req.db)]));
        const now = Date.now();
        for (let i = 0; i < found.length; i++) {
          const f = found[i]!;
          let ttl = 0;
          const at = db.getExpire(f.key);
          if (at !== undefined) {
            ttl = at - now;
            if (ttl < 0) continue; // expired since the lookup: not sent, not deleted
            if (ttl < 1) ttl = 1;
          }
          sent.push(f);
          const p = payloads[i]!;
          const ttlS = String(ttl);
          // Strings here are latin1 (one char per byte); link.write sends them so.
          pieces.push(
            `*${req.replace ? 5 : 4}\r\n$${restoreCmd.length}\r\n${restoreCmd}\r\n$${f.key.length}\r\n${f.key}\r\n$${ttlS.length}\r\n${ttlS}\r\n$${p.length}\r\n`,
            p,
            req.replace ? '\r\n$7\r\nREPLACE\r\n' : '\r\n',
          );
        }
        if (!(await link.write(pieces, req.timeout))) failure = 'writing';
      }
      let authReply: unknown = null;
      let selectReply: unknown = null;
      let targetError: string | null = null;
      let socketError = false;
      let replies = 0;
      const acked: { key: string; value: StoredValue }[] = [];
      if (failure === null && link !== null) {
        const readOne = async () => {
          const r = await link!.read(req.timeout);
          if ('fail' in r) {
            if (r.fail === 'timeout') timedOut = true;
            return undefined;
          }
          return r.value;
        };
        if (req.password !== null && (authReply = await readOne()) === undefined) failure = 'reading';
        else if (select && (selectReply = await readOne()) === undefined) failure = 'reading';
        else {
          for (const f of sent) {
            const r = await readOne();
            if (r === undefined) {
              socketError = true;
              break;
            }
            replies++;
            const authErr = req.password !== null && isErrorReply(authReply as never);
            const selErr = select && isErrorReply(selectReply as never);
            if (authErr || selErr || isErrorReply(r)) {
              if (targetError === null) {
                link.lastDb = -1;
                const e = authErr ? authReply : selErr ? selectReply : r;
                targetError = (e as { error: string }).error;
              }
            } else if (!req.copy) acked.push(f);
          }
          // Keys the target acknowledged are moved: delete them here, unless they changed
          // (frozen keys cannot be written, but they may have expired in the meantime).
          const deleted: string[] = [];
          const now = Date.now();
          for (const f of acked) {
            const k = f.key;
            if (db.get(k, now) !== f.value) continue;
            for (const s of server.snapshots) s.beforeWrite(db, k);
            if (db.delete(k)) {
              server.touchWatched(dbIndex, k);
              server.dirty++;
              deleted.push(k);
            }
          }
          // MIGRATE reaches replicas and the AOF as the DEL it amounts to here.
          if (deleted.length > 0 && server.propagator.active) server.propagator.propagate(dbIndex, ['DEL', ...deleted]);
          if (targetError === null && socketError && replies === 0 && mayRetry && !timedOut) {
            failure = 'reading';
          } else {
            if (socketError) conns.drop(link);
            if (targetError !== null) return { error: E.migrateTargetError(targetError) };
            if (socketError) return { error: E.migrateIo('reading') };
            link.lastDb = req.db;
            return { status: 'OK' };
          }
        }
      }
      // Socket trouble before any RESTORE reply: close, and retry once unless it was a timeout.
      if (link !== null) conns.drop(link);
      sent = [];
      if (!timedOut && mayRetry && failure !== null) {
        mayRetry = false;
        continue;
      }
      return { error: E.migrateIo(failure ?? 'reading') };
    } finally {
      release?.();
    }
  }
}

const key1 = { first: 1, last: 1, step: 1 };

export const migrateCommands: readonly CommandSpec[] = [
  { name: 'dump', arity: 2, flags: ['readonly'], keys: key1, group: 'generic', handler: dump },
  { name: 'restore', arity: -4, flags: ['write', 'denyoom'], keys: key1, group: 'generic', handler: restore },
  { name: 'restore-asking', arity: -4, flags: ['write', 'denyoom', 'asking'], keys: key1, group: 'server', handler: restore },
  { name: 'migrate', arity: -6, flags: ['write', 'movablekeys'], keysOf: migrateKeys, group: 'generic', handler: migrate },
];
