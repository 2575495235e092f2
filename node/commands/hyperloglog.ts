// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. Values are plain strings
// in Redis 7.0's layout (node/store/hll.ts); a command decodes the string into bytes, edits them
// and stores the bytes back as a latin1 string.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail } from './args.js';
import { modified } from './access.js';
import { rangeSpec } from './list-ops.js';
import {
  DENSE_SIZE,
  ENC_DENSE,
  ENC_SPARSE,
  HDR_SIZE,
  HLL_REGISTERS,
  cachedCard,
  createHll,
  decodeSparse,
  encodingOf,
  denseGet,
  denseSetRaw,
  hllAdd,
  hllCount,
  hllSet,
  invalidateCache,
  isHll,
  mergeInto,
  rawCount,
  setCachedCard,
  sparseToDense,
  type Hll,
} from '../store/hll.js';

const toBytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const toStr = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** The HLL string at key (undefined when missing), WRONGTYPE for other types or invalid strings. */
function hllAt(ctx: Ctx, key: string, countHit: boolean): string | undefined {
  const v = ctx.db.get(key, ctx.now);
  if (countHit) {
    if (v === undefined) ctx.server.stats.keyspaceMisses++;
    else ctx.server.stats.keyspaceHits++;
  }
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(E.wrongType);
  if (!isHll(v)) fail(E.hllWrongType);
  return v;
}

/** Longest string Redis would hold as embstr; HLL values are always raw there. */
const EMBSTR_MAX = 44;

/**
 * Redis turns an HLL it writes (or even just reads with PFCOUNT/PFDEBUG) into a raw string;
 * only short ones need the override for OBJECT ENCODING.
 */
function markRaw(ctx: Ctx, key: string, len: number): void {
  if (len <= EMBSTR_MAX) ctx.db.setStringEncoding(key, 'raw');
}

function put(ctx: Ctx, key: string, existed: boolean, b: Uint8Array): void {
  if (existed) ctx.db.replace(key, toStr(b));
  else ctx.db.set(key, toStr(b));
  markRaw(ctx, key, b.length);
}

const maxBytes = (ctx: Ctx) => ctx.server.config.int('hll-sparse-max-bytes');

function pfadd(ctx: Ctx, argv: string[]): void {
  const key = argv[1]!;
  const cur = hllAt(ctx, key, false);
  if (cur !== undefined) markRaw(ctx, key, cur.length);
  const h: Hll = { b: cur === undefined ? createHll() : toBytes(cur) };
  let updated = cur === undefined ? 1 : 0;
  const limit = maxBytes(ctx);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j]!, limit);
    if (r === 1) updated++;
    else if (r < 0) {
      // Registers raised before the corrupt part stay raised, as in Redis (no dirty, no reply 1).
      put(ctx, key, cur !== undefined, h.b);
      fail(E.hllInvalid);
    }
  }
  if (updated > 0) {
    invalidateCache(h.b);
    put(ctx, key, cur !== undefined, h.b);
    modified(ctx, key, updated);
  }
  ctx.out.int(updated > 0 ? 1 : 0);
}

function pfcount(ctx: Ctx, argv: string[]): void {
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = hllAt(ctx, argv[j]!, true);
      if (v !== undefined && !mergeInto(max, v)) fail(E.hllInvalid);
    }
    return ctx.out.int(rawCount(max));
  }
  const key = argv[1]!;
  const v = hllAt(ctx, key, true);
  if (v === undefined) return ctx.out.int(0);
  markRaw(ctx, key, v.length);
  const cached = cachedCard(v);
  if (cached !== null) return ctx.out.int(cached);
  const b = toBytes(v);
  const card = hllCount(b);
  if (card === null) fail(E.hllInvalid);
  setCachedCard(b, card);
  // PFCOUNT is a read-only command that still rewrites the cached cardinality: running
  // snapshots must see the key before that write as they do for flagged writes.
  for (const s of ctx.server.snapshots) s.beforeWrite(ctx.db, key);
  put(ctx, key, true, b);
  modified(ctx, key);
  ctx.out.int(card);
}

function pfmerge(ctx: Ctx, argv: string[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let dense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = hllAt(ctx, argv[j]!, true);
    if (v === undefined) continue;
    if (encodingOf(v) === ENC_DENSE) dense = true;
    if (!mergeInto(max, v)) fail(E.hllInvalid);
  }
  const dest = argv[1]!;
  const cur = ctx.db.get(dest, ctx.now) as string | undefined;
  const h: Hll = { b: cur === undefined ? createHll() : toBytes(cur) };
  if (dense && h.b[4] === ENC_SPARSE) {
    const d = sparseToDense(h.b);
    if (d === null) {
      // Redis has already created a missing destination by now; a corrupt one stays as it was.
      fail(E.hllInvalid);
    }
    h.b = d;
  }
  const limit = maxBytes(ctx);
  for (let i = 0; i < HLL_REGISTERS; i++) if (max[i] !== 0) hllSet(h, i, max[i]!, limit);
  invalidateCache(h.b);
  put(ctx, dest, cur !== undefined, h.b);
  modified(ctx, dest);
  ctx.out.ok();
}

function pfdebug(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!;
  const key = argv[2]!;
  const v = hllAt(ctx, key, false);
  if (v === undefined) fail(E.hllNoKey);
  markRaw(ctx, key, v.length);
  const b = toBytes(v);
  const op = sub.toLowerCase();
  const known = op === 'getreg' || op === 'decode' || op === 'encoding' || op === 'todense';
  if (!known) fail(E.hllDebugUnknown(sub));
  if (argv.length !== 3) fail(E.hllDebugArity(sub));
  if (op === 'getreg' || op === 'todense') {
    let d = b;
    if (b[4] === ENC_SPARSE) {
      const conv = sparseToDense(b);
      if (conv === null) fail(E.hllInvalid);
      d = conv;
      ctx.db.replace(key, toStr(d));
      modified(ctx, key);
    }
    if (op === 'todense') return ctx.out.int(d === b ? 0 : 1);
    ctx.out.array(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) ctx.out.int(denseGet(d, HDR_SIZE, i));
    return;
  }
  if (op === 'encoding') return ctx.out.simple(b[4] === ENC_DENSE ? 'dense' : 'sparse');
  if (b[4] !== ENC_SPARSE) fail(E.hllNotSparse);
  ctx.out.bulk(decodeSparse(b));
}

/**
 * Checks the register packing (random values written and read back) and that the sparse and
 * dense encodings agree on the estimate and stay within 6 standard errors up to 1e5 elements.
 */
function pfselftest(ctx: Ctx): void {
  const d = new Uint8Array(DENSE_SIZE);
  const want = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 20; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      want[i] = r;
      denseSetRaw(d, HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(d, HDR_SIZE, i);
      if (v !== want[i]) fail(E.hllTestFailed(`Register ${i} should be ${want[i]} but is ${v}`));
    }
  }
  d.fill(0);
  d.set(createHll().subarray(0, HDR_SIZE));
  d[4] = ENC_DENSE;
  const dense: Hll = { b: d };
  const sparse: Hll = { b: createHll() };
  const limit = maxBytes(ctx);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seed = Math.floor(Math.random() * 1e9);
  let checkpoint = 1;
  for (let j = 1; j <= 100000; j++) {
    const ele = String(j ^ seed);
    hllAdd(dense, ele, limit);
    hllAdd(sparse, ele, limit);
    if (j !== checkpoint) continue;
    if (j < limit / 2 && sparse.b[4] !== ENC_SPARSE) fail(E.hllTestFailed('sparse encoding not used'));
    const est = hllCount(dense.b);
    if (est !== hllCount(sparse.b)) fail(E.hllTestFailed('dense/sparse disagree'));
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    const abserr = Math.abs(checkpoint - (est ?? 0));
    if (abserr > maxerr) fail(E.hllTestFailed(`Too big error. card:${checkpoint} abserr:${abserr}`));
    checkpoint *= 10;
  }
  ctx.out.ok();
}

const g = 'hyperloglog';
export const hyperloglogCommands: readonly CommandSpec[] = [
  {
    name: 'pfadd',
    arity: -2,
    flags: ['write', 'denyoom', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [rangeSpec(['RW', 'insert'], 1)],
    group: g,
    acl: ['write', 'hyperloglog', 'fast'],
    since: '2.8.9',
    handler: pfadd,
  },
  {
    name: 'pfcount',
    arity: -2,
    flags: ['readonly'],
    keys: { first: 1, last: -1, step: 1 },
    keySpecs: [{ ...rangeSpec(['RW', 'access'], 1, -1), notes: 'RW because it may change the internal representation of the key, and propagate to replicas' }],
    group: g,
    acl: ['read', 'hyperloglog', 'slow'],
    since: '2.8.9',
    handler: pfcount,
  },
  {
    name: 'pfmerge',
    arity: -2,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: -1, step: 1 },
    keySpecs: [rangeSpec(['RW', 'access', 'insert'], 1), rangeSpec(['RO', 'access'], 2, -1)],
    group: g,
    acl: ['write', 'hyperloglog', 'slow'],
    since: '2.8.9',
    handler: pfmerge,
  },
  {
    name: 'pfdebug',
    arity: 3,
    flags: ['write', 'denyoom', 'admin'],
    keys: { first: 2, last: 2, step: 1 },
    keySpecs: [rangeSpec(['RW', 'access'], 2)],
    group: g,
    acl: ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'],
    since: '2.8.9',
    handler: pfdebug,
  },
  { name: 'pfselftest', arity: 1, flags: ['admin'], group: g, acl: ['hyperloglog', 'admin', 'slow', 'dangerous'], since: '2.8.9', handler: pfselftest },
];
