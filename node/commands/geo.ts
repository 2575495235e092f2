// Geo commands (Redis 7.0): geo sets are sorted sets scored by 52-bit geohashes (see
// store/geohash.ts). Argument checks run in Redis's order so the first error reported is the
// same; searches scan the centre box and its neighbours in Redis's order, which fixes the order
// of unsorted and COUNT ANY replies.
import type { CommandFlag, CommandSpec, Ctx, KeySpec } from './types.js';
import { E } from './errors.js';
import { fail, int64Arg, parseFloatArg } from './args.js';
import { modified, modifiedReady, propagateAs, readObject, writeObject } from './access.js';
import { encodingThresholds } from './thresholds.js';
import { rangeSpec } from './list-ops.js';
import { formatLongDoubleHuman } from './long-double.js';
import { AddResult, ZADD_NX, ZADD_XX, ZSet } from '../store/values/zset.js';
import { decodeScore, distance, doubleParts, roughDistanceIfWithin, roughlyEqual, encode, formatFixed, geohashString, searchRanges, STEP_MAX, validLonLat, type Shape } from '../store/geohash.js';
import type { Reply } from '../server/reply.js';

/** A double as Redis's string2d accepts it (strtod, whole string, no overflow or underflow to 0). */
function parseGeoDouble(s: string): number | null {
  const v = parseFloatArg(s);
  if (v === null) return null;
  if (!Number.isFinite(v) && !/^[+-]?inf(inity)?$/i.test(s)) return null;
  if (v === 0 && /[1-9]/.test(s.split(/e/i)[0]!)) return null;
  return v;
}

function doubleArg(s: string, err: string = E.notFloat): number {
  const v = parseGeoDouble(s);
  if (v === null) fail(err);
  return v;
}

/** Longitude and latitude at argv[at], argv[at + 1], range-checked. */
function lonLatArg(argv: string[], at: number): [number, number] {
  const lon = doubleArg(argv[at]!);
  const lat = doubleArg(argv[at + 1]!);
  if (!validLonLat(lon, lat)) fail(E.geoPair(formatFixed(lon, 6), formatFixed(lat, 6)));
  return [lon, lat];
}

/** Meters per unit. */
function unitArg(s: string): number {
  switch (s.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      fail(E.geoUnit);
  }
}

function radiusArgs(argv: string[], at: number): { radius: number; conversion: number } {
  const radius = doubleArg(argv[at]!, E.geoRadius);
  if (radius < 0) fail(E.geoRadiusNegative);
  return { radius, conversion: unitArg(argv[at + 1]!) };
}

function boxArgs(argv: string[], at: number): { width: number; height: number; conversion: number } {
  const width = doubleArg(argv[at]!, E.geoWidth);
  const height = doubleArg(argv[at + 1]!, E.geoHeight);
  if (height < 0 || width < 0) fail(E.geoBoxNegative);
  return { width, height, conversion: unitArg(argv[at + 2]!) };
}

function human(out: Reply, x: number): void {
  const s = formatLongDoubleHuman({ kind: 'finite', ...doubleParts(x) });
  out.raw(out.resp === 3 ? `,${s}\r\n` : `$${s.length}\r\n${s}\r\n`);
}

function readGeo(ctx: Ctx, key: string): ZSet | undefined {
  return readObject<ZSet>(ctx, key, 'zset');
}

// ---- GEOADD / GEOPOS / GEODIST / GEOHASH ------------------------------------------------------

function geoadd(ctx: Ctx, argv: string[]): void {
  let nx = false;
  let xx = false;
  let ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'ch') ch = true;
    else break;
  }
  const rest = argv.length - i;
  if (rest % 3 !== 0 || (xx && nx) || rest === 0) fail(E.syntax);
  const n = rest / 3;
  const scores: string[] = new Array<string>(n);
  for (let j = 0; j < n; j++) {
    const [lon, lat] = lonLatArg(argv, i + j * 3);
    scores[j] = encode(lon, lat, STEP_MAX)!.bits.toString();
  }
  const key = argv[1]!;
  const lim = encodingThresholds(ctx.server.config);
  const flags = (nx ? ZADD_NX : 0) | (xx ? ZADD_XX : 0);
  let z = writeObject<ZSet>(ctx, key, 'zset');
  let added = 0;
  let updated = 0;
  if (z === undefined && !xx) {
    z = ZSet.forFirstMember(argv[i + 2]!, lim);
    ctx.db.set(key, z);
  }
  if (z !== undefined) {
    for (let j = 0; j < n; j++) {
      const r = z.add(Number(scores[j]!), argv[i + j * 3 + 2]!, flags, lim);
      if (r === AddResult.Added) added++;
      else if (r === AddResult.Updated) updated++;
    }
    if (z.size() === 0) ctx.db.delete(key);
  }
  if (added + updated > 0) {
    modifiedReady(ctx, key, added + updated);
    const zadd = ['zadd', ...argv.slice(1, i)];
    for (let j = 0; j < n; j++) zadd.push(scores[j]!, argv[i + j * 3 + 2]!);
    propagateAs(ctx, zadd);
  }
  ctx.out.int(ch ? added + updated : added);
}

function geopos(ctx: Ctx, argv: string[]): void {
  const z = readGeo(ctx, argv[1]!);
  const out = ctx.out;
  out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]!);
    if (score === undefined) {
      out.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    out.array(2);
    human(out, lon);
    human(out, lat);
  }
}

function geodist(ctx: Ctx, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) toMeter = unitArg(argv[4]!);
  else if (argv.length > 5) fail(E.syntax);
  const z = readGeo(ctx, argv[1]!);
  const s1 = z?.score(argv[2]!);
  const s2 = z?.score(argv[3]!);
  if (s1 === undefined || s2 === undefined) return ctx.out.nullBulk();
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  ctx.out.bulk(formatFixed(distance(lon1, lat1, lon2, lat2) / toMeter, 4));
}

function geohash(ctx: Ctx, argv: string[]): void {
  const z = readGeo(ctx, argv[1]!);
  const out = ctx.out;
  out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]!);
    if (score === undefined) out.nullBulk();
    else out.bulk(geohashString(...decodeScore(score)));
  }
}

// ---- searches ---------------------------------------------------------------------------------

const enum Kind {
  /** GEORADIUS[_RO]: centre and radius are positional. */
  Coords,
  /** GEORADIUSBYMEMBER[_RO]. */
  Member,
  /** GEOSEARCH / GEOSEARCHSTORE. */
  Search,
}

interface SearchCommand {
  kind: Kind;
  noStore: boolean;
  /** GEOSEARCHSTORE: destination first, source second. */
  searchStore: boolean;
}

interface Found {
  member: string;
  score: number;
  lon: number;
  lat: number;
  /** Meters from the centre: rough until `exact` (see roughDistanceIfWithin). */
  dist: number;
  exact: boolean;
  /** Position in scan order (Redis's sort keeps it among equal distances). */
  seq: number;
}

const enum Sort {
  None,
  Asc,
  Desc,
}

/** The members inside the shape, box by box in Redis's order, stopping at `limit` (0 = all). */
function membersInShape(z: ZSet, shape: Shape, limit: number): Found[] {
  const out: Found[] = [];
  for (const r of searchRanges(shape)) {
    // A box is the half-open score range [min, max).
    const c = z.list.firstInRange({ min: r.min, max: r.max, minex: false, maxex: true });
    for (let e = c?.entry ?? null; e !== null && e.score < r.max; c!.next(), e = c!.entry) {
      const [lon, lat] = decodeScore(e.score);
      const dist = roughDistanceIfWithin(shape, lon, lat);
      if (dist < 0) continue;
      out.push({ member: e.member, score: e.score, lon, lat, dist, exact: false, seq: out.length });
      if (limit > 0 && out.length >= limit) return out;
    }
  }
  return out;
}

function geosearchGeneric(cmd: SearchCommand) {
  return (ctx: Ctx, argv: string[]): void => {
    const srcIdx = cmd.searchStore ? 2 : 1;
    const z = readGeo(ctx, argv[srcIdx]!);
    let storeKey: string | null = null;
    let storeDist = false;
    let base: number;
    let lon = 0;
    let lat = 0;
    let radius: { radius: number; conversion: number } | null = null;
    let box: { width: number; height: number; conversion: number } | null = null;
    if (cmd.kind === Kind.Coords) {
      base = 6;
      [lon, lat] = lonLatArg(argv, 2);
      radius = radiusArgs(argv, 4);
    } else if (cmd.kind === Kind.Member) {
      base = 5;
      if (z !== undefined) {
        const score = z.score(argv[2]!);
        if (score === undefined) fail(E.geoMember);
        [lon, lat] = decodeScore(score);
        radius = radiusArgs(argv, 3);
      }
    } else {
      base = 2;
      if (cmd.searchStore) {
        base = 3;
        storeKey = argv[1]!;
      }
    }
    let withDist = false;
    let withHash = false;
    let withCoord = false;
    let fromMember = false;
    let fromLoc = false;
    let sort = Sort.None;
    let any = false;
    let count = 0n;
    const search = cmd.kind === Kind.Search;
    const remaining = argv.length - base;
    for (let i = 0; i < remaining; i++) {
      const arg = argv[base + i]!.toLowerCase();
      const at = base + i + 1;
      if (arg === 'withdist') withDist = true;
      else if (arg === 'withhash') withHash = true;
      else if (arg === 'withcoord') withCoord = true;
      else if (arg === 'any') any = true;
      else if (arg === 'asc') sort = Sort.Asc;
      else if (arg === 'desc') sort = Sort.Desc;
      else if (arg === 'count' && i + 1 < remaining) {
        count = int64Arg(argv[at]!);
        if (count <= 0n) fail(E.geoCount);
        i++;
      } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !cmd.noStore && !search) {
        storeKey = argv[at]!;
        storeDist = arg === 'storedist';
        i++;
      } else if (arg === 'storedist' && search && cmd.searchStore) storeDist = true;
      else if (arg === 'frommember' && i + 1 < remaining && search && !fromLoc) {
        if (z !== undefined) {
          const score = z.score(argv[at]!);
          if (score === undefined) fail(E.geoMember);
          [lon, lat] = decodeScore(score);
        }
        fromMember = true;
        i++;
      } else if (arg === 'fromlonlat' && i + 2 < remaining && search && !fromMember) {
        [lon, lat] = lonLatArg(argv, at);
        fromLoc = true;
        i += 2;
      } else if (arg === 'byradius' && i + 2 < remaining && search && box === null) {
        radius = radiusArgs(argv, at);
        i += 2;
      } else if (arg === 'bybox' && i + 3 < remaining && search && radius === null) {
        box = boxArgs(argv, at);
        i += 3;
      } else fail(E.syntax);
    }
    if (storeKey !== null && (withDist || withHash || withCoord)) fail(E.geoStoreWith(cmd.searchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'));
    if (search && !(fromMember || fromLoc)) fail(E.geoFrom(argv[0]!));
    if (search && radius === null && box === null) fail(E.geoBy(argv[0]!));
    if (any && count === 0n) fail(E.geoAnyCount);
    if (z === undefined) {
      if (storeKey === null) return ctx.out.array(0);
      deleteStore(ctx, storeKey);
      return ctx.out.int(0);
    }
    if (count !== 0n && sort === Sort.None && !any) sort = Sort.Asc;
    const shape: Shape = radius !== null ? { kind: 'radius', lon, lat, ...radius } : { kind: 'box', lon, lat, ...box! };
    const limit = any ? (count > 1000000000n ? 1e9 : Number(count)) : 0;
    const found = membersInShape(z, shape, limit);
    if (sort !== Sort.None) sortByDistance(found, shape, sort === Sort.Desc);
    const returned = count === 0n || BigInt(found.length) < count ? found.length : Number(count);
    if (storeKey === null) return replyFound(ctx.out, found, returned, shape, withDist, withHash, withCoord);
    storeFound(ctx, storeKey, found, returned, shape, storeDist);
  };
}

function exactDistance(f: Found, shape: Shape): number {
  if (!f.exact) {
    f.dist = distance(shape.lon, shape.lat, f.lon, f.lat);
    f.exact = true;
  }
  return f.dist;
}

function byDistance(desc: boolean) {
  return (a: Found, b: Found): number => {
    const c = a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
    return (desc ? -c : c) || a.seq - b.seq;
  };
}

/**
 * Sorts by rough distance, then re-sorts each run of nearly equal distances by their exact
 * values, so the order is the one exact distances give (equal ones keep scan order).
 */
function sortByDistance(found: Found[], shape: Shape, desc: boolean): void {
  const cmp = byDistance(desc);
  found.sort(cmp);
  for (let i = 0; i + 1 < found.length; ) {
    let j = i + 1;
    while (j < found.length && roughlyEqual(found[j - 1]!.dist, found[j]!.dist)) j++;
    if (j - i > 1) {
      const run = found.slice(i, j);
      for (const f of run) exactDistance(f, shape);
      run.sort(cmp);
      for (let k = 0; k < run.length; k++) found[i + k] = run[k]!;
    }
    i = j;
  }
}

function replyFound(out: Reply, found: Found[], returned: number, shape: Shape, withDist: boolean, withHash: boolean, withCoord: boolean): void {
  const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
  out.array(returned);
  for (let i = 0; i < returned; i++) {
    const f = found[i]!;
    if (options > 0) out.array(options + 1);
    out.bulk(f.member);
    if (withDist) out.bulk(formatFixed(exactDistance(f, shape) / shape.conversion, 4));
    if (withHash) out.int(BigInt(Math.trunc(f.score)));
    if (withCoord) {
      out.array(2);
      human(out, f.lon);
      human(out, f.lat);
    }
  }
}

function storeFound(ctx: Ctx, key: string, found: Found[], returned: number, shape: Shape, storeDist: boolean): void {
  if (returned > 0) {
    const lim = encodingThresholds(ctx.server.config);
    const z = new ZSet(false);
    for (let i = 0; i < returned; i++) {
      const f = found[i]!;
      z.add(storeDist ? exactDistance(f, shape) / shape.conversion : f.score, f.member, 0, lim);
    }
    z.shrinkEncodingIfFits(lim);
    ctx.db.set(key, z);
    modifiedReady(ctx, key, returned);
  } else deleteStore(ctx, key);
  ctx.out.int(returned);
}

function deleteStore(ctx: Ctx, key: string): void {
  if (ctx.db.get(key, ctx.now) !== undefined && ctx.db.delete(key)) modified(ctx, key);
}

// ---- table ------------------------------------------------------------------------------------

const key1 = { first: 1, last: 1, step: 1 };
const READ_SPEC = rangeSpec(['RO', 'access'], 1);
const storeSpecs = (startfrom: number): KeySpec[] => [
  READ_SPEC,
  { flags: ['OW', 'update'], begin: { keyword: 'STORE', startfrom }, find: { lastkey: 0, keystep: 1, limit: 0 } },
  { flags: ['OW', 'update'], begin: { keyword: 'STOREDIST', startfrom }, find: { lastkey: 0, keystep: 1, limit: 0 } },
];

/**
 * GEORADIUS[BYMEMBER] keys as Redis 7.0 finds them through the key specs: the source, then the
 * argument after the first STORE and the one after the first STOREDIST at or after `startfrom`.
 */
function radiusKeys(startfrom: number) {
  const after = (argv: readonly string[], keyword: string): number => {
    for (let i = startfrom; i < argv.length; i++) if (argv[i]!.toLowerCase() === keyword) return i + 1 < argv.length ? i + 1 : -1;
    return -1;
  };
  return (argv: readonly string[]): number[] => {
    const keys = [1];
    const store = after(argv, 'store');
    if (store > 0) keys.push(store);
    const storeDist = after(argv, 'storedist');
    if (storeDist > 0) keys.push(storeDist);
    return keys;
  };
}

function cmd(name: string, arity: number, flags: CommandFlag[], handler: CommandSpec['handler'], since: string, extra: Partial<CommandSpec> = {}): CommandSpec {
  const acl = [flags.includes('write') ? 'write' : 'read', 'geo', 'slow'];
  return { name, arity, flags, keys: key1, keySpecs: [flags.includes('write') ? rangeSpec(['RW', 'update'], 1) : READ_SPEC], group: 'geo', acl, since, handler, ...extra };
}

const W = ['write', 'denyoom'] as CommandFlag[];
const R = ['readonly'] as CommandFlag[];

export const geoCommands: readonly CommandSpec[] = [
  cmd('geoadd', -5, W, geoadd, '3.2.0'),
  cmd('geopos', -2, R, geopos, '3.2.0'),
  cmd('geodist', -4, R, geodist, '3.2.0'),
  cmd('geohash', -2, R, geohash, '3.2.0'),
  cmd('geosearch', -7, R, geosearchGeneric({ kind: Kind.Search, noStore: true, searchStore: false }), '6.2.0'),
  cmd('geosearchstore', -8, W, geosearchGeneric({ kind: Kind.Search, noStore: false, searchStore: true }), '6.2.0', {
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [rangeSpec(['OW', 'update'], 1), rangeSpec(['RO', 'access'], 2)],
  }),
  cmd('georadius', -6, [...W, 'movablekeys'], geosearchGeneric({ kind: Kind.Coords, noStore: false, searchStore: false }), '3.2.0', {
    keySpecs: storeSpecs(6),
    keysOf: radiusKeys(6),
  }),
  cmd('georadius_ro', -6, R, geosearchGeneric({ kind: Kind.Coords, noStore: true, searchStore: false }), '3.2.10'),
  cmd('georadiusbymember', -5, [...W, 'movablekeys'], geosearchGeneric({ kind: Kind.Member, noStore: false, searchStore: false }), '3.2.0', {
    keySpecs: storeSpecs(5),
    keysOf: radiusKeys(5),
  }),
  cmd('georadiusbymember_ro', -5, R, geosearchGeneric({ kind: Kind.Member, noStore: true, searchStore: false }), '3.2.10'),
];
