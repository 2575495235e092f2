// Pure bit arithmetic on byte buffers for the bitmap commands: bit 0 is the most significant bit
// of byte 0, as Redis numbers them.

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/** Set bits in bytes [from, to] of a latin1 string. */
export function popcount(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; i++) n += POPCOUNT[s.charCodeAt(i) & 0xff]!;
  return n;
}

export function bitAt(s: string, bit: number): number {
  const byte = Math.floor(bit / 8);
  if (byte >= s.length) return 0;
  return (s.charCodeAt(byte) >> (7 - (bit % 8))) & 1;
}

/** Position of the first bit equal to `bit` in bit range [from, to] of s, or -1. */
export function findBit(s: string, bit: 0 | 1, from: number, to: number): number {
  let i = from;
  // Bit by bit up to a byte boundary, then whole bytes that cannot hold a match are skipped.
  while (i <= to && i % 8 !== 0) {
    if (bitAt(s, i) === bit) return i;
    i++;
  }
  const skip = bit === 1 ? 0 : 0xff;
  while (i + 7 <= to && (s.charCodeAt(i / 8) & 0xff) === skip) i += 8;
  for (; i <= to; i++) if (bitAt(s, i) === bit) return i;
  return -1;
}

/** The `bits`-wide unsigned field at bit offset `offset` of buf (zero beyond its end). */
export function getUnsigned(buf: Uint8Array, offset: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const p = offset + i;
    const byte = p >>> 3;
    const b = byte < buf.length ? (buf[byte]! >> (7 - (p & 7))) & 1 : 0;
    v = (v << 1n) | BigInt(b);
  }
  return v;
}

export function getSigned(buf: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(buf, offset, bits));
}

/** Writes the low `bits` bits of v at bit offset `offset`; buf must be long enough. */
export function setField(buf: Uint8Array, offset: number, bits: number, v: bigint): void {
  const u = BigInt.asUintN(bits, v);
  for (let i = 0; i < bits; i++) {
    const p = offset + i;
    const bit = Number((u >> BigInt(bits - 1 - i)) & 1n);
    const mask = 1 << (7 - (p & 7));
    if (bit) buf[p >>> 3]! |= mask;
    else buf[p >>> 3]! &= ~mask;
  }
}

export type Overflow = 'WRAP' | 'SAT' | 'FAIL';

/**
 * The value a field of the given type ends up holding when `value + incr` is stored, under the
 * overflow policy: null when FAIL refuses it. `value` is what the field holds (or, for SET, the
 * new value reinterpreted for the field's signedness) and `incr` 0 for SET.
 */
export function fitField(value: bigint, incr: bigint, bits: number, signed: boolean, policy: Overflow): bigint | null {
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -max - 1n : 0n;
  const sum = value + incr;
  if (sum >= min && sum <= max) return sum;
  if (policy === 'FAIL') return null;
  if (policy === 'SAT') return sum > max ? max : min;
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}
