// HyperLogLog values in Redis 7.0's byte layout, so that a value is an ordinary string that
// DUMP/RESTORE/MIGRATE carry between our nodes and redis-server unchanged.
//
// Layout: a 16-byte header ("HYLL", encoding byte 0 = dense / 1 = sparse, 3 unused bytes, the
// cached cardinality as 8 little-endian bytes whose top bit marks it stale), then the registers.
// 16384 registers of 6 bits; dense packs them LSB-first into 12288 bytes, sparse is a run-length
// code: 00llllll (l+1 zero registers), 01llllll llllllll (l+1 zero registers, up to 16384),
// 1vvvvvll (l+1 registers of value v+1, v+1 <= 32). Edits must reproduce redis-server's bytes
// exactly (split and merge rules, promotion point), since clients compare GET results.

export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_Q = 64 - HLL_P;
export const HDR_SIZE = 16;
export const DENSE_SIZE = HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >> 3);
export const ENC_DENSE = 0;
export const ENC_SPARSE = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const ALPHA_INF = 0.72134752044448170368; // 1 / (2 ln 2)

/** A mutable HLL value: edits may swap `b` for a longer or shorter array. */
export interface Hll {
  b: Uint8Array;
}

// ---- MurmurHash64A (seed 0xadc83b19) on 32-bit halves: BigInt would be far slower per element.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
let rHi = 0;
let rLo = 0;

/** (hi, lo) * m modulo 2^64 into rHi/rLo. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const b0 = M_LO & 0xffff;
  const b1 = M_LO >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carryHi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  rLo = Math.imul(lo, M_LO) >>> 0;
  rHi = (carryHi + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** The 64-bit hash of a latin1 string's bytes as [hi, lo] unsigned 32-bit halves. */
export function murmur64a(s: string, seed = 0xadc83b19): [number, number] {
  const len = s.length;
  mulM(0, len);
  let hHi = rHi;
  let hLo = (rLo ^ seed) >>> 0;
  const whole = len - (len & 7);
  let i = 0;
  for (; i < whole; i += 8) {
    const kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mulM(kHi, kLo);
    let xHi = rHi;
    let xLo = (rLo ^ (rHi >>> 15)) >>> 0;
    mulM(xHi, xLo);
    xHi = rHi;
    xLo = rLo;
    mulM((hHi ^ xHi) >>> 0, (hLo ^ xLo) >>> 0);
    hHi = rHi;
    hLo = rLo;
  }
  const rest = len & 7;
  if (rest > 0) {
    let tHi = 0;
    let tLo = 0;
    for (let j = rest - 1; j >= 0; j--) {
      const c = s.charCodeAt(i + j) & 0xff;
      if (j >= 4) tHi |= c << ((j - 4) * 8);
      else tLo |= c << (j * 8);
    }
    mulM((hHi ^ tHi) >>> 0, (hLo ^ tLo) >>> 0);
    hHi = rHi;
    hLo = rLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mulM(hHi, hLo);
  hHi = rHi;
  hLo = (rLo ^ (rHi >>> 15)) >>> 0;
  return [hHi, hLo];
}

/**
 * The register an element goes to (low 14 bits of its hash) and the value it proposes (1 + the
 * number of trailing zeros of the remaining 50 bits, at most 51), packed as count << 14 | index.
 */
export function patLen(ele: string): number {
  const [hi, lo] = murmur64a(ele);
  const index = lo & (HLL_REGISTERS - 1);
  const restLo = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0;
  const restHi = (hi >>> HLL_P) | (1 << (HLL_Q - 32));
  const count = restLo !== 0 ? 32 - Math.clz32(restLo & -restLo) : 33 + 31 - Math.clz32(restHi & -restHi);
  return (count << HLL_P) | index;
}

// ---- header

/** Byte access shared by raw bytes and latin1 strings, so headers are read without copying. */
type ByteSource = Uint8Array | string;
const byteAt = (b: ByteSource, i: number): number => (typeof b === 'string' ? b.charCodeAt(i) & 0xff : b[i]!);

/** Whether a value can be used as an HLL (Redis answers WRONGTYPE otherwise). */
export function isHll(b: ByteSource): boolean {
  if (b.length < HDR_SIZE) return false;
  if (byteAt(b, 0) !== 0x48 || byteAt(b, 1) !== 0x59 || byteAt(b, 2) !== 0x4c || byteAt(b, 3) !== 0x4c) return false;
  const enc = byteAt(b, 4);
  if (enc > ENC_SPARSE) return false;
  return enc !== ENC_DENSE || b.length === DENSE_SIZE;
}

/** The encoding byte (ENC_DENSE or ENC_SPARSE for values isHll accepts). */
export const encodingOf = (b: ByteSource): number => byteAt(b, 4);

/** The cached cardinality, or null when marked stale. */
export function cachedCard(b: ByteSource): bigint | null {
  if ((byteAt(b, 15) & 0x80) !== 0) return null;
  let n = 0n;
  for (let i = 15; i >= 8; i--) n = (n << 8n) | BigInt(byteAt(b, i));
  return n;
}

export function setCachedCard(b: Uint8Array, card: number): void {
  let n = card;
  for (let i = 8; i < 16; i++) {
    b[i] = n % 256;
    n = Math.floor(n / 256);
  }
}

export function invalidateCache(b: Uint8Array): void {
  b[15]! |= 0x80;
}

/** A new, empty sparse HLL: one XZERO opcode covering every register. */
export function createHll(): Uint8Array {
  const b = new Uint8Array(HDR_SIZE + 2);
  b.set([0x48, 0x59, 0x4c, 0x4c, ENC_SPARSE]);
  b[HDR_SIZE] = 0x40 | ((HLL_REGISTERS - 1) >> 8);
  b[HDR_SIZE + 1] = (HLL_REGISTERS - 1) & 0xff;
  return b;
}

// ---- dense registers (offset is where the register array starts)

export function denseGet(b: Uint8Array, off: number, i: number): number {
  const bit = i * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  const b1 = byte + 1 < b.length ? b[byte + 1]! : 0;
  return ((b[byte]! >>> fb) | (b1 << (8 - fb))) & 63;
}

export function denseSetRaw(b: Uint8Array, off: number, i: number, v: number): void {
  const bit = i * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  b[byte] = (b[byte]! & ~(63 << fb)) | ((v << fb) & 0xff);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1]! & ~(63 >>> (8 - fb))) | (v >>> (8 - fb));
}

/** Raises register i to v; 1 when it changed. */
function denseSet(b: Uint8Array, i: number, v: number): number {
  if (v <= denseGet(b, HDR_SIZE, i)) return 0;
  denseSetRaw(b, HDR_SIZE, i, v);
  return 1;
}

// ---- sparse opcodes

const isZero = (x: number) => (x & 0xc0) === 0;
const isXzero = (x: number) => (x & 0xc0) === 0x40;
const zeroLen = (x: number) => (x & 0x3f) + 1;
const xzeroLen = (x: number, y: number) => (((x & 0x3f) << 8) | y) + 1;
const valValue = (x: number) => ((x >>> 2) & 0x1f) + 1;
const valLen = (x: number) => (x & 3) + 1;
const valOp = (v: number, len: number) => 0x80 | ((v - 1) << 2) | (len - 1);

/** Registers covered by the opcode at p (reading a missing second XZERO byte as 0). */
function spanAt(b: Uint8Array, p: number): number {
  const x = b[p]!;
  if (isZero(x)) return zeroLen(x);
  if (isXzero(x)) return xzeroLen(x, b[p + 1] ?? 0);
  return valLen(x);
}

/** Calls fn(first, len, value) for each run; false when the runs do not cover exactly 16384 registers. */
function eachRun(b: Uint8Array, fn: (first: number, len: number, value: number) => void, stopOnOverflow: boolean): boolean {
  let idx = 0;
  let p = HDR_SIZE;
  while (p < b.length) {
    const x = b[p]!;
    if (isZero(x)) {
      idx += zeroLen(x);
      p++;
    } else if (isXzero(x)) {
      idx += xzeroLen(x, b[p + 1] ?? 0);
      p += 2;
    } else {
      const len = valLen(x);
      if (stopOnOverflow && idx + len > HLL_REGISTERS) break;
      fn(idx, len, valValue(x));
      idx += len;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/** The dense form of a sparse HLL (header copied, encoding changed), or null if corrupt. */
export function sparseToDense(b: Uint8Array): Uint8Array | null {
  const d = new Uint8Array(DENSE_SIZE);
  d.set(b.subarray(0, HDR_SIZE));
  d[4] = ENC_DENSE;
  const ok = eachRun(
    b,
    (first, len, v) => {
      for (let i = first; i < first + len; i++) denseSetRaw(d, HDR_SIZE, i, v);
    },
    true,
  );
  return ok ? d : null;
}

function zeroRun(out: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) out.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
  else out.push(len - 1);
}

/**
 * Raises register `index` of a sparse HLL to `count`: 1 when changed, 0 when not, -1 when the
 * value is corrupt. Promotes to dense when the value does not fit a VAL opcode or the result
 * would pass `maxBytes`.
 */
function sparseSet(h: Hll, index: number, count: number, maxBytes: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  let b = h.b;
  let end = b.length;
  let p = HDR_SIZE;
  let first = 0;
  let span = 0;
  let prev = -1;
  while (p < end) {
    const x = b[p]!;
    const oplen = isXzero(x) ? 2 : 1;
    span = spanAt(b, p);
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p]!;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const runlen = span;
  let inPlace = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      b[p] = valOp(count, 1);
      inPlace = true;
    }
  }
  if (!inPlace && zero && runlen === 1) {
    b[p] = valOp(count, 1);
    inPlace = true;
  }
  if (!inPlace) {
    const last = first + span - 1;
    const seq: number[] = [];
    if (zero || xzero) {
      if (index !== first) zeroRun(seq, index - first);
      seq.push(valOp(count, 1));
      if (index !== last) zeroRun(seq, last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    const oldlen = xzero ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && b.length + delta > maxBytes) return promote(h, index, count);
    const nb = new Uint8Array(b.length + delta);
    nb.set(b.subarray(0, p));
    nb.set(seq, p);
    nb.set(b.subarray(p + oldlen), p + seq.length);
    b = nb;
    end = nb.length;
  }
  // Neighbouring VAL runs of equal value fuse (up to 4 long), looking at most 5 opcodes from
  // the one before the edit, exactly as far as Redis looks.
  p = prev >= 0 ? prev : HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const x = b[p]!;
    if (isXzero(x)) {
      p += 2;
      continue;
    }
    if (isZero(x)) {
      p++;
      continue;
    }
    if (p + 1 < end && (b[p + 1]! & 0x80) !== 0) {
      const v = valValue(x);
      const len = valLen(x) + valLen(b[p + 1]!);
      if (v === valValue(b[p + 1]!) && len <= SPARSE_VAL_MAX_LEN) {
        b[p + 1] = valOp(v, len);
        b.copyWithin(p, p + 1, end);
        end--;
        continue;
      }
    }
    p++;
  }
  h.b = end === b.length ? b : b.slice(0, end);
  invalidateCache(h.b);
  return 1;
}

function promote(h: Hll, index: number, count: number): number {
  const d = sparseToDense(h.b);
  if (d === null) return -1;
  h.b = d;
  denseSet(d, index, count);
  return 1;
}

/** Raises register `index` to `count` whatever the encoding: 1 changed, 0 not, -1 corrupt. */
export function hllSet(h: Hll, index: number, count: number, maxBytes: number): number {
  const enc = h.b[4];
  if (enc === ENC_DENSE) return denseSet(h.b, index, count);
  if (enc === ENC_SPARSE) return sparseSet(h, index, count, maxBytes);
  return -1;
}

/** Adds an element: 1 when a register changed, 0 when not, -1 when the value is corrupt. */
export function hllAdd(h: Hll, ele: string, maxBytes: number): number {
  const pl = patLen(ele);
  return hllSet(h, pl & (HLL_REGISTERS - 1), pl >>> HLL_P, maxBytes);
}

/** Calls fn(i, value) for every dense register, reading 3 bytes for 4 registers at a time. */
function eachDense(b: ByteSource, fn: (i: number, v: number) => void): void {
  for (let g = 0, p = HDR_SIZE; g < HLL_REGISTERS; g += 4, p += 3) {
    const b0 = byteAt(b, p);
    const b1 = byteAt(b, p + 1);
    const b2 = byteAt(b, p + 2);
    fn(g, b0 & 63);
    fn(g + 1, ((b0 >>> 6) | (b1 << 2)) & 63);
    fn(g + 2, ((b1 >>> 4) | (b2 << 4)) & 63);
    fn(g + 3, b2 >>> 2);
  }
}

/** Folds the registers of an HLL into `max` (one byte per register); false when corrupt. */
export function mergeInto(max: Uint8Array, b: ByteSource): boolean {
  if (byteAt(b, 4) === ENC_DENSE) {
    eachDense(b, (i, v) => {
      if (v > max[i]!) max[i] = v;
    });
    return true;
  }
  return eachRun(
    typeof b === 'string' ? Buffer.from(b, 'latin1') : b,
    (first, len, v) => {
      for (let i = first; i < first + len; i++) if (v > max[i]!) max[i] = v;
    },
    true,
  );
}

// ---- estimate (Ertl's improved estimator, as Redis 7.0)

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrev: number;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrev: number;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrev !== z);
  return z / 3;
}

function estimate(histo: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** The estimated cardinality of an HLL value, or null when a sparse value is corrupt. */
export function hllCount(b: Uint8Array): number | null {
  const histo = new Int32Array(64);
  if (b[4] === ENC_DENSE) {
    eachDense(b, (_i, v) => histo[v]!++);
  } else if (!sparseHisto(b, histo)) return null;
  return estimate(histo);
}

function sparseHisto(b: Uint8Array, histo: Int32Array): boolean {
  let idx = 0;
  let p = HDR_SIZE;
  while (p < b.length) {
    const x = b[p]!;
    const len = spanAt(b, p);
    idx += len;
    if (isZero(x)) p++;
    else if (isXzero(x)) p += 2;
    else {
      histo[valValue(x)]! += len;
      p++;
      continue;
    }
    histo[0]! += len;
  }
  return idx === HLL_REGISTERS;
}

/** The estimate for merged registers, one byte each. */
export function rawCount(max: Uint8Array): number {
  const histo = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]!]!++;
  return estimate(histo);
}

/** PFDEBUG DECODE's text for a sparse value: "z:len", "Z:len", "v:value,len" separated by spaces. */
export function decodeSparse(b: Uint8Array): string {
  const parts: string[] = [];
  let p = HDR_SIZE;
  while (p < b.length) {
    const x = b[p]!;
    if (isZero(x)) {
      parts.push(`z:${zeroLen(x)}`);
      p++;
    } else if (isXzero(x)) {
      parts.push(`Z:${xzeroLen(x, b[p + 1] ?? 0)}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(x)},${valLen(x)}`);
      p++;
    }
  }
  return parts.join(' ');
}
