import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DENSE_SIZE,
  ENC_DENSE,
  ENC_SPARSE,
  HDR_SIZE,
  HLL_REGISTERS,
  cachedCard,
  createHll,
  decodeSparse,
  denseGet,
  denseSetRaw,
  hllAdd,
  hllCount,
  hllSet,
  isHll,
  mergeInto,
  murmur64a,
  patLen,
  rawCount,
  setCachedCard,
  sparseToDense,
  type Hll,
} from './hll.js';

/** MurmurHash64A written directly with BigInt, as the reference for the 32-bit-halves version. */
function murmurRef(bytes: Uint8Array, seed = 0xadc83b19n): bigint {
  const M = 0xc6a4a7935bd1e995n;
  const u = (x: bigint) => BigInt.asUintN(64, x);
  const len = bytes.length;
  let h = u(seed ^ u(BigInt(len) * M));
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(bytes[i + j]!);
    k = u(k * M);
    k ^= k >> 47n;
    k = u(k * M);
    h ^= k;
    h = u(h * M);
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(bytes[whole + j]!) << BigInt(8 * j);
    h = u(h * M);
  }
  h ^= h >> 47n;
  h = u(h * M);
  h ^= h >> 47n;
  return h;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const registersOf = (b: Uint8Array): number[] => {
  const d = b[4] === ENC_DENSE ? b : sparseToDense(b)!;
  return Array.from({ length: HLL_REGISTERS }, (_, i) => denseGet(d, HDR_SIZE, i));
};

describe('hll codec', () => {
  it('hashes as MurmurHash64A with seed 0xadc83b19', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const [hi, lo] = murmur64a(latin1(b));
        expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(murmurRef(b));
      }),
      { numRuns: 500 },
    );
  });

  it('derives the register index and run length from the hash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (b) => {
        const h = murmurRef(b);
        const rest = (h >> 14n) | (1n << 50n);
        let count = 1;
        while (((rest >> BigInt(count - 1)) & 1n) === 0n) count++;
        const pl = patLen(latin1(b));
        expect(pl & (HLL_REGISTERS - 1)).toBe(Number(h & 0x3fffn));
        expect(pl >>> 14).toBe(count);
      }),
      { numRuns: 300 },
    );
  });

  it('dense registers read back as written without touching their neighbours', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(HLL_REGISTERS - 1), fc.nat(63)), { maxLength: 200 }), (writes) => {
        const b = new Uint8Array(DENSE_SIZE);
        const want = new Uint8Array(HLL_REGISTERS);
        for (const [i, v] of writes) {
          denseSetRaw(b, HDR_SIZE, i, v);
          want[i] = v;
        }
        for (const [i] of writes) for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < HLL_REGISTERS) expect(denseGet(b, HDR_SIZE, j)).toBe(want[j]);
      }),
    );
  });

  it('sparse edits keep the same registers as dense edits, and runs are well formed', () => {
    const reg = fc.tuple(fc.nat(HLL_REGISTERS - 1), fc.integer({ min: 1, max: 40 }));
    fc.assert(
      fc.property(fc.array(fc.oneof(reg, fc.tuple(fc.nat(40), fc.integer({ min: 1, max: 8 }))), { maxLength: 120 }), fc.integer({ min: 20, max: 400 }), (writes, limit) => {
        const s: Hll = { b: createHll() };
        const d: Hll = { b: sparseToDense(createHll())! };
        for (const [i, v] of writes) expect(hllSet(s, i, v, limit)).toBe(hllSet(d, i, v, limit));
        expect(isHll(s.b)).toBe(true);
        // Joined: a deep toEqual of 16384 registers per run made this test take tens of seconds.
        expect(registersOf(s.b).join()).toBe(registersOf(d.b).join());
        expect(hllCount(s.b)).toBe(hllCount(d.b));
        if (s.b[4] === ENC_SPARSE) {
          expect(s.b.length).toBeLessThanOrEqual(Math.max(limit, HDR_SIZE + 2));
          // No two neighbouring VAL runs of the same value that could have been fused.
          const runs = decodeSparse(s.b).split(' ');
          for (let k = 1; k < runs.length; k++) {
            const [a, b] = [runs[k - 1]!, runs[k]!];
            if (a.startsWith('v:') && b.startsWith('v:') && a.split(',')[0] === b.split(',')[0]) {
              expect(Number(a.split(',')[1]) + Number(b.split(',')[1])).toBeGreaterThan(4);
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('counting merged registers equals counting the union', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 60 }), fc.array(fc.string(), { maxLength: 60 }), (xs, ys) => {
        const a: Hll = { b: createHll() };
        const b: Hll = { b: createHll() };
        const u: Hll = { b: createHll() };
        for (const x of xs) {
          hllAdd(a, x, 3000);
          hllAdd(u, x, 3000);
        }
        for (const y of ys) {
          hllAdd(b, y, 3000);
          hllAdd(u, y, 3000);
        }
        const max = new Uint8Array(HLL_REGISTERS);
        expect(mergeInto(max, a.b) && mergeInto(max, b.b)).toBe(true);
        expect(rawCount(max)).toBe(hllCount(u.b));
      }),
      { numRuns: 100 },
    );
  });

  it('estimates within a few percent', () => {
    const h: Hll = { b: createHll() };
    expect(hllCount(h.b)).toBe(0);
    for (let i = 0; i < 50000; i++) hllAdd(h, `k${i}`, 3000);
    expect(h.b[4]).toBe(ENC_DENSE);
    expect(Math.abs(hllCount(h.b)! - 50000)).toBeLessThan(50000 * 0.03);
  });

  it('rejects values that are not HLLs and detects corrupt sparse runs', () => {
    expect(isHll(new Uint8Array(10))).toBe(false);
    const dense = sparseToDense(createHll())!;
    expect(isHll(dense)).toBe(true);
    expect(isHll(dense.subarray(0, DENSE_SIZE - 1))).toBe(false);
    const short = createHll();
    short[HDR_SIZE + 1] = 0xfe;
    expect(hllCount(short)).toBeNull();
    expect(sparseToDense(short)).toBeNull();
    expect(mergeInto(new Uint8Array(HLL_REGISTERS), short)).toBe(false);
    expect(hllSet({ b: short }, HLL_REGISTERS - 1, 3, 3000)).toBe(-1);
  });

  it('keeps the cached cardinality little-endian with a stale bit', () => {
    fc.assert(
      fc.property(fc.nat(), (n) => {
        const b = createHll();
        setCachedCard(b, n);
        expect(cachedCard(b)).toBe(BigInt(n));
        b[15]! |= 0x80;
        expect(cachedCard(b)).toBeNull();
      }),
    );
  });
});
