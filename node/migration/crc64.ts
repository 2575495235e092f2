// CRC-64/Jones as Redis uses it for DUMP payloads and RDB files: polynomial 0xad93d23594c935a9,
// reflected in and out, init 0, no final xor. JS has no fast 64-bit integers, so the table and
// the running value are kept as two 32-bit halves.

const T_LO = new Uint32Array(256);
const T_HI = new Uint32Array(256);
{
  // Bit-reversed polynomial 0x95ac9329ac4bc9b5.
  const P_LO = 0xac4bc9b5;
  const P_HI = 0x95ac9329;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let b = 0; b < 8; b++) {
      const odd = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (odd) {
        lo = (lo ^ P_LO) >>> 0;
        hi = (hi ^ P_HI) >>> 0;
      }
    }
    T_LO[i] = lo;
    T_HI[i] = hi;
  }
}

/** A running CRC64 that can be fed in pieces (payloads of big keys are built in slices). */
export class Crc64 {
  lo = 0;
  hi = 0;

  update(data: Uint8Array, start = 0, end = data.length): this {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = start; i < end; i++) {
      const idx = (lo ^ data[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[idx]!;
      hi = (hi >>> 8) ^ T_HI[idx]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The 8 little-endian bytes Redis stores after the payload. */
  writeLE(out: Uint8Array, at: number): void {
    for (let i = 0; i < 4; i++) out[at + i] = (this.lo >>> (8 * i)) & 0xff;
    for (let i = 0; i < 4; i++) out[at + 4 + i] = (this.hi >>> (8 * i)) & 0xff;
  }

  equalsLE(buf: Uint8Array, at: number): boolean {
    const lo = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
    const hi = (buf[at + 4]! | (buf[at + 5]! << 8) | (buf[at + 6]! << 16) | (buf[at + 7]! << 24)) >>> 0;
    return lo === this.lo && hi === this.hi;
  }

  toBigInt(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export function crc64(data: Uint8Array, start = 0, end = data.length): bigint {
  return new Crc64().update(data, start, end).toBigInt();
}
