// Geo sets as Redis 7.0 keeps them: a sorted set whose scores are 52-bit interleaved geohashes
// (longitude on the odd bits, latitude on the even bits, latitude limited to the Web Mercator
// range), searched through a centre box and its eight neighbours at a step chosen from the
// radius. Replies must match redis-server bit for bit, so the arithmetic below follows Redis's
// order of floating point operations and its integer wrap-arounds (BigInt with 64-bit masks).
import { asinCR, cosCR, sinCR } from './exact-trig.js';

export const LON_MIN = -180;
export const LON_MAX = 180;
export const LAT_MIN = -85.05112878;
export const LAT_MAX = 85.05112878;
export const STEP_MAX = 26;
export const EARTH_RADIUS_M = 6372797.560856;
const D_R = Math.PI / 180.0;
const MERCATOR_MAX = 20037726.37;
const U64 = (1n << 64n) - 1n;
const EVEN64 = 0x5555555555555555n;
const ODD64 = 0xaaaaaaaaaaaaaaaan;

export interface Range {
  min: number;
  max: number;
}

const LON_RANGE: Range = { min: LON_MIN, max: LON_MAX };
const LAT_RANGE: Range = { min: LAT_MIN, max: LAT_MAX };
/** The standard geohash ranges GEOHASH re-encodes with. */
const STD_LAT_RANGE: Range = { min: -90, max: 90 };

export interface Hash {
  bits: bigint;
  step: number;
}

export interface Area {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

export function validLonLat(lon: number, lat: number): boolean {
  return !(lon < LON_MIN || lon > LON_MAX || lat < LAT_MIN || lat > LAT_MAX);
}

/** Spreads the low 32 bits of `lat` to even and of `lon` to odd bit positions. */
function interleave(lat: number, lon: number): bigint {
  let lo = 0n;
  for (let i = 0; i < 32; i++) {
    if ((lat >>> i) & 1) lo |= 1n << BigInt(2 * i);
    if ((lon >>> i) & 1) lo |= 1n << BigInt(2 * i + 1);
  }
  return lo;
}

/** The even bits of a 32-bit word, packed into 16 bits. */
function packEven(w: number): number {
  let x = w & 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** Latitude (even bits) and longitude (odd bits) cell indexes of a 64-bit hash given as two words. */
function deinterleave(hi: number, lo: number): { lat: number; lon: number } {
  const lat = (packEven(lo) | (packEven(hi) << 16)) >>> 0;
  const lon = (packEven(lo >>> 1) | (packEven(hi >>> 1) << 16)) >>> 0;
  return { lat, lon };
}

/**
 * Encodes a position at `step` bits per coordinate; null (Redis's failure) outside the geo
 * limits. A coordinate exactly at its range maximum overflows into the next bit, as in Redis.
 */
export function encode(lon: number, lat: number, step: number, lonRange: Range = LON_RANGE, latRange: Range = LAT_RANGE): Hash | null {
  if (!validLonLat(lon, lat)) return null;
  if (lat < latRange.min || lat > latRange.max || lon < lonRange.min || lon > lonRange.max) return null;
  let latOff = (lat - latRange.min) / (latRange.max - latRange.min);
  let lonOff = (lon - lonRange.min) / (lonRange.max - lonRange.min);
  latOff *= 2 ** step;
  lonOff *= 2 ** step;
  return { bits: interleave(Math.trunc(latOff), Math.trunc(lonOff)), step };
}

/** The score GEOADD stores for a position already validated. */
export function scoreOf(lon: number, lat: number): number {
  const h = encode(lon, lat, STEP_MAX)!;
  return Number(h.bits);
}

function decodeCells(lat: number, lon: number, step: number): Area {
  const cells = 2 ** step;
  const latScale = LAT_MAX - LAT_MIN;
  const lonScale = LON_MAX - LON_MIN;
  return {
    latMin: LAT_MIN + (lat / cells) * latScale,
    latMax: LAT_MIN + (((lat + 1) >>> 0) / cells) * latScale,
    lonMin: LON_MIN + (lon / cells) * lonScale,
    lonMax: LON_MIN + (((lon + 1) >>> 0) / cells) * lonScale,
  };
}

export function decodeArea(h: Hash): Area {
  const hi = Number((h.bits >> 32n) & 0xffffffffn);
  const lo = Number(h.bits & 0xffffffffn);
  const c = deinterleave(hi, lo);
  return decodeCells(c.lat, c.lon, h.step);
}

const TWO32 = 4294967296;

/**
 * C's (uint64_t) cast of a double as x86-64 code does it: negatives wrap through int64, and
 * values beyond either int64 range give the "indefinite" pattern, which for values of 2^64 or
 * more cancels out to 0.
 */
function u64OfScore(score: number): bigint {
  if (Number.isNaN(score) || score >= 18446744073709551616) return 0n;
  if (score <= -9223372036854775808) return 1n << 63n;
  const t = BigInt(Math.trunc(score));
  return t & U64;
}

/** The longitude and latitude a member's score stands for, as Redis decodes and clamps them. */
export function decodeScore(score: number): [number, number] {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 9007199254740992) {
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO32);
    lo = t - hi * TWO32;
  } else {
    const u = u64OfScore(score);
    hi = Number(u >> 32n);
    lo = Number(u & 0xffffffffn);
  }
  const c = deinterleave(hi, lo);
  const a = decodeCells(c.lat, c.lon, STEP_MAX);
  let lon = (a.lonMin + a.lonMax) / 2;
  if (lon > LON_MAX) lon = LON_MAX;
  if (lon < LON_MIN) lon = LON_MIN;
  let lat = (a.latMin + a.latMax) / 2;
  if (lat > LAT_MAX) lat = LAT_MAX;
  if (lat < LAT_MIN) lat = LAT_MIN;
  return [lon, lat];
}

/** Great-circle distance in meters (haversine, Redis's earth radius). */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lat1r = lat1 * D_R;
  const lon1r = lon1 * D_R;
  const lat2r = lat2 * D_R;
  const lon2r = lon2 * D_R;
  const u = sinCR((lat2r - lat1r) / 2);
  const v = sinCR((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_M * asinCR(Math.sqrt(u * u + cosCR(lat1r) * cosCR(lat2r) * v * v));
}

/** The 11-character standard geohash of a decoded position (the 11th character is always '0'). */
export function geohashString(lon: number, lat: number): string {
  const h = encode(lon, lat, STEP_MAX, LON_RANGE, STD_LAT_RANGE);
  const bits = h === null ? 0n : h.bits;
  const alphabet = '0123456789bcdefghjkmnpqrstuvwxyz';
  let s = '';
  for (let i = 0; i < 10; i++) s += alphabet[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return s + '0';
}

// ---- search areas -----------------------------------------------------------------------------

export type Shape =
  | { kind: 'radius'; lon: number; lat: number; radius: number; conversion: number }
  | { kind: 'box'; lon: number; lat: number; width: number; height: number; conversion: number };

function stepsForRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** [minLon, minLat, maxLon, maxLat] of the search shape. */
export function boundingBox(s: Shape): [number, number, number, number] {
  const height = s.conversion * (s.kind === 'radius' ? s.radius : s.height / 2);
  const width = s.conversion * (s.kind === 'radius' ? s.radius : s.width / 2);
  const latDelta = height / EARTH_RADIUS_M / D_R;
  const lonDeltaTop = width / EARTH_RADIUS_M / Math.cos((s.lat + latDelta) * D_R) / D_R;
  const lonDeltaBottom = width / EARTH_RADIUS_M / Math.cos((s.lat - latDelta) * D_R) / D_R;
  const south = s.lat < 0;
  return [south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop, s.lat - latDelta, south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop, s.lat + latDelta];
}

function moveX(h: Hash, d: number): Hash {
  const width = BigInt(64 - h.step * 2);
  let x = h.bits & ODD64;
  const y = h.bits & EVEN64;
  const zz = EVEN64 >> width;
  if (d > 0) x = (x + (zz + 1n)) & U64;
  else x = ((x | zz) - (zz + 1n)) & U64;
  x &= ODD64 >> width;
  return { bits: x | y, step: h.step };
}

function moveY(h: Hash, d: number): Hash {
  const width = BigInt(64 - h.step * 2);
  const x = h.bits & ODD64;
  let y = h.bits & EVEN64;
  const zz = ODD64 >> width;
  if (d > 0) y = (y + (zz + 1n)) & U64;
  else y = ((y | zz) - (zz + 1n)) & U64;
  y &= EVEN64 >> width;
  return { bits: x | y, step: h.step };
}

/** Centre box then north, south, east, west, north-east, north-west, south-east, south-west; null = excluded. */
export function searchBoxes(s: Shape): (Hash | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  let radius = s.kind === 'radius' ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radius *= s.conversion;
  let steps = stepsForRadius(radius, s.lat);
  const around = (step: number) => {
    const h = encode(s.lon, s.lat, step) ?? { bits: 0n, step };
    const n = [h, moveY(h, 1), moveY(h, -1), moveX(h, 1), moveX(h, -1), moveY(moveX(h, 1), 1), moveY(moveX(h, -1), 1), moveY(moveX(h, 1), -1), moveY(moveX(h, -1), -1)];
    return n;
  };
  let boxes = around(steps);
  const north = decodeArea(boxes[1]!);
  const south = decodeArea(boxes[2]!);
  const east = decodeArea(boxes[3]!);
  const west = decodeArea(boxes[4]!);
  if (steps > 1 && (north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon)) {
    steps--;
    boxes = around(steps);
  }
  const out: (Hash | null)[] = boxes;
  if (steps >= 2) {
    const area = decodeArea(boxes[0]!);
    // indexes: 1 N, 2 S, 3 E, 4 W, 5 NE, 6 NW, 7 SE, 8 SW
    if (area.latMin < minLat) out[2] = out[8] = out[7] = null;
    if (area.latMax > maxLat) out[1] = out[5] = out[6] = null;
    if (area.lonMin < minLon) out[4] = out[8] = out[6] = null;
    if (area.lonMax > maxLon) out[3] = out[7] = out[5] = null;
  }
  return out;
}

/**
 * The score ranges [min, max) to scan, in Redis's order. A box equal to the one scanned just
 * before it is skipped (huge radii make neighbours coincide); the centre box never counts as
 * "just before", as in Redis, so a neighbour equal to it is scanned twice.
 */
export function searchRanges(s: Shape): Range[] {
  const boxes = searchBoxes(s);
  const out: Range[] = [];
  let last = 0;
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i]!;
    if (b === null) continue;
    const prev = boxes[last];
    if (last !== 0 && prev && b.bits === prev.bits && b.step === prev.step) continue;
    const shift = BigInt(52 - b.step * 2);
    out.push({ min: Number((b.bits << shift) & U64), max: Number(((b.bits + 1n) << shift) & U64) });
    last = i;
  }
  return out;
}

/** distance() with the platform's sin/cos/asin: within a few units in the last place of it. */
function roughDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lat1r = lat1 * D_R;
  const lat2r = lat2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const v = Math.sin((lon2 * D_R - lon1 * D_R) / 2);
  return 2.0 * EARTH_RADIUS_M * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

/** True when a rough distance is surely beyond `limit` (so the exact one need not be computed). */
function surelyBeyond(rough: number, limit: number): boolean {
  return rough > limit * (1 + 1e-12) + 1e-9;
}

/** True when a rough distance is surely within `limit`. */
function surelyWithin(rough: number, limit: number): boolean {
  return rough < limit * (1 - 1e-12) - 1e-9;
}

/**
 * -1 when the point is outside the shape, else its distance from the centre: exact (as
 * distance()) only when the point is near the shape's edge, otherwise within a few units in the
 * last place of it. Searches use this to decide membership and order, and compute exact
 * distances only where they show (see geo.ts).
 */
export function roughDistanceIfWithin(s: Shape, lon: number, lat: number): number {
  if (s.kind === 'radius') {
    const limit = s.radius * s.conversion;
    const rough = roughDistance(s.lon, s.lat, lon, lat);
    if (surelyBeyond(rough, limit)) return -1;
    if (surelyWithin(rough, limit)) return rough;
    const d = distance(s.lon, s.lat, lon, lat);
    return d > limit ? -1 : d;
  }
  const halfWidth = (s.width * s.conversion) / 2;
  const halfHeight = (s.height * s.conversion) / 2;
  const lonRough = roughDistance(lon, lat, s.lon, lat);
  const latRough = roughDistance(lon, lat, lon, s.lat);
  if (surelyBeyond(lonRough, halfWidth) || surelyBeyond(latRough, halfHeight)) return -1;
  if (!surelyWithin(lonRough, halfWidth) || !surelyWithin(latRough, halfHeight)) {
    if (distance(lon, lat, s.lon, lat) > halfWidth || distance(lon, lat, lon, s.lat) > halfHeight) return -1;
  }
  return roughDistance(s.lon, s.lat, lon, lat);
}

/** True when two rough distances are close enough for their exact values to order differently. */
export function roughlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(a, b) * 1e-12 + 1e-9;
}

/** The distance in meters from the shape's centre when the point is inside the shape, else -1. */
export function distanceIfWithin(s: Shape, lon: number, lat: number): number {
  if (s.kind === 'radius') {
    const limit = s.radius * s.conversion;
    if (surelyBeyond(roughDistance(s.lon, s.lat, lon, lat), limit)) return -1;
    const d = distance(s.lon, s.lat, lon, lat);
    return d > limit ? -1 : d;
  }
  const halfWidth = (s.width * s.conversion) / 2;
  const halfHeight = (s.height * s.conversion) / 2;
  if (surelyBeyond(roughDistance(lon, lat, s.lon, lat), halfWidth) || surelyBeyond(roughDistance(lon, lat, lon, s.lat), halfHeight)) return -1;
  const lonDistance = distance(lon, lat, s.lon, lat);
  const latDistance = distance(lon, lat, lon, s.lat);
  if (lonDistance > halfWidth || latDistance > halfHeight) return -1;
  return distance(s.lon, s.lat, lon, lat);
}

// ---- number formatting ------------------------------------------------------------------------

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** A finite double as m * 2^e with integer m. */
export function doubleParts(x: number): { m: bigint; e: number } {
  F64[0] = x;
  const hi = U32[1]!;
  const lo = U32[0]!;
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  return { m: hi >>> 31 ? -m : m, e };
}

/** printf("%.<digits>f") of a double: exact value rounded half to even, as glibc prints it. */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? (Object.is(x, NaN) ? 'nan' : '-nan') : x > 0 ? 'inf' : '-inf';
  const { m, e } = doubleParts(x);
  const neg = m < 0n || Object.is(x, -0);
  const abs = m < 0n ? -m : m;
  const p10 = 10n ** BigInt(digits);
  let scaled: bigint;
  if (e >= 0) scaled = (abs << BigInt(e)) * p10;
  else {
    const den = 1n << BigInt(-e);
    const n = abs * p10;
    scaled = n / den;
    const twice = 2n * (n - scaled * den);
    if (twice > den || (twice === den && (scaled & 1n) === 1n)) scaled++;
  }
  const s = scaled.toString().padStart(digits + 1, '0');
  const text = digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  return neg ? `-${text}` : text;
}
