// Encodings older Redis versions put in DUMP payloads and 7.0 still loads: ziplists (lists,
// hashes and zsets before 7.0), zipmaps (hashes before 2.6) and intsets (small integer sets).
// Decoders only; everything is validated and null means malformed.

/** Ziplist entries as strings, or null. */
export function decodeZiplist(zl: Buffer): string[] | null {
  if (zl.length < 11) return null;
  if (zl.readUInt32LE(0) !== zl.length || zl[zl.length - 1] !== 0xff) return null;
  const tail = zl.readUInt32LE(4);
  const declared = zl.readUInt16LE(8);
  const end = zl.length - 1;
  const out: string[] = [];
  let p = 10;
  let prevLen = 0;
  let lastStart = -1;
  while (p < end) {
    const start = p;
    let pl: number;
    if (zl[p]! < 254) {
      pl = zl[p]!;
      p += 1;
    } else if (zl[p] === 254) {
      if (p + 5 > end) return null;
      pl = zl.readUInt32LE(p + 1);
      p += 5;
    } else return null;
    if (pl !== prevLen) return null;
    if (p >= end) return null;
    const b = zl[p]!;
    let value: string;
    const top = b >> 6;
    if (top === 0 || top === 1 || top === 2) {
      let n: number;
      if (top === 0) {
        n = b & 0x3f;
        p += 1;
      } else if (top === 1) {
        if (p + 2 > end) return null;
        n = ((b & 0x3f) << 8) | zl[p + 1]!;
        p += 2;
      } else {
        if (b !== 0x80 || p + 5 > end) return null;
        n = zl.readUInt32BE(p + 1);
        p += 5;
      }
      if (p + n > end) return null;
      value = zl.toString('latin1', p, p + n);
      p += n;
    } else {
      p += 1;
      let w: number;
      if (b === 0xc0) w = 2;
      else if (b === 0xd0) w = 4;
      else if (b === 0xe0) w = 8;
      else if (b === 0xf0) w = 3;
      else if (b === 0xfe) w = 1;
      else if (b >= 0xf1 && b <= 0xfd) w = 0;
      else return null;
      if (p + w > end) return null;
      if (w === 0) value = String((b & 0x0f) - 1);
      else if (w === 8) value = zl.readBigInt64LE(p).toString();
      else value = String(zl.readIntLE(p, w));
      p += w;
    }
    prevLen = p - start;
    lastStart = start;
    out.push(value);
  }
  if (p !== end) return null;
  if (out.length === 0 ? tail !== 10 : tail !== lastStart) return null;
  if (declared !== 65535 && declared !== out.length) return null;
  return out;
}

/** Zipmap key/value pairs flattened (k, v, k, v...), or null. */
export function decodeZipmap(zm: Buffer): string[] | null {
  if (zm.length < 2 || zm[zm.length - 1] !== 0xff) return null;
  const end = zm.length - 1;
  const out: string[] = [];
  let p = 1;
  const readLen = (): number | null => {
    if (p >= end) return null;
    const b = zm[p]!;
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254 && p + 5 <= end) {
      const n = zm.readUInt32LE(p + 1);
      p += 5;
      return n;
    }
    return null;
  };
  while (p < end) {
    const kl = readLen();
    if (kl === null || p + kl > end) return null;
    const k = zm.toString('latin1', p, p + kl);
    p += kl;
    const vl = readLen();
    if (vl === null || p + 1 > end) return null;
    const free = zm[p]!;
    p += 1;
    if (p + vl + free > end) return null;
    out.push(k, zm.toString('latin1', p, p + vl));
    p += vl + free;
  }
  if (p !== end) return null;
  const declared = zm[0]!;
  if (declared < 254 && declared * 2 !== out.length) return null;
  return out;
}

/** Intset members as decimal strings (strictly ascending, as Redis requires), or null. */
export function decodeIntset(is: Buffer): string[] | null {
  if (is.length < 8) return null;
  const enc = is.readUInt32LE(0);
  if (enc !== 2 && enc !== 4 && enc !== 8) return null;
  const count = is.readUInt32LE(4);
  if (count === 0 || 8 + count * enc !== is.length) return null;
  const out: string[] = new Array(count);
  if (enc === 8) {
    let prev: bigint | null = null;
    for (let i = 0; i < count; i++) {
      const v = is.readBigInt64LE(8 + i * 8);
      if (prev !== null && v <= prev) return null;
      prev = v;
      out[i] = v.toString();
    }
  } else {
    let prev = -Infinity;
    for (let i = 0; i < count; i++) {
      const v = is.readIntLE(8 + i * enc, enc);
      if (v <= prev) return null;
      prev = v;
      out[i] = String(v);
    }
  }
  return out;
}
