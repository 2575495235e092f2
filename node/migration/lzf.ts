// LZF (liblzf's format), used by RDB for strings longer than 20 bytes. The format: a control
// byte below 32 starts a literal run of ctrl+1 bytes; otherwise the top 3 bits are a match
// length (7 = read one more byte and add it), the low 5 bits plus the next byte a distance-1
// into the output, and the match copies length+2 bytes (overlap allowed).

const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3); // 264 bytes per back-reference
const HLOG = 14;

/** Decompresses exactly `outLen` bytes, or returns null when the input is not valid LZF for it. */
export function lzfDecompress(src: Uint8Array, outLen: number): Uint8Array | null {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  const inLen = src.length;
  while (ip < inLen) {
    const ctrl = src[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > inLen) return null;
      out.set(src.subarray(ip, ip + n), op);
      ip += n;
      op += n;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= inLen) return null;
        len += src[ip++]!;
      }
      if (ip >= inLen) return null;
      const ref = op - ((ctrl & 0x1f) << 8) - src[ip++]! - 1;
      len += 2;
      if (ref < 0 || op + len > outLen) return null;
      if (op - ref >= len) {
        out.copyWithin(op, ref, ref + len);
        op += len;
      } else {
        for (let i = 0; i < len; i++) out[op++] = out[ref + i]!;
      }
    }
  }
  return op === outLen ? out : null;
}

/**
 * Compresses into at most `maxOut` bytes; null when the result would not fit (the caller then
 * stores the bytes uncompressed, as Redis does when LZF saves too little).
 */
export function lzfCompress(src: Uint8Array, maxOut: number): Uint8Array | null {
  const inLen = src.length;
  if (inLen === 0 || maxOut <= 0) return null;
  const out = new Uint8Array(maxOut + MAX_LIT + 4);
  const htab = new Int32Array(1 << HLOG).fill(-1);
  let ip = 0;
  let op = 1; // out[0] is the control byte of the first literal run
  let lit = 0;
  const hash = (p: number) => {
    const v = (src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!;
    return ((v * 2654435761) >>> (32 - HLOG)) & ((1 << HLOG) - 1);
  };
  while (ip + 2 < inLen) {
    const h = hash(ip);
    const ref = htab[h]!;
    htab[h] = ip;
    const off = ip - ref - 1;
    // Like liblzf: no reference to offset 0, and a match leaves the last two bytes as literals.
    if (ref > 0 && off < MAX_OFF && src[ref] === src[ip] && src[ref + 1] === src[ip + 1] && src[ref + 2] === src[ip + 2]) {
      const maxLen = Math.min(MAX_REF, inLen - ip - 2);
      let len = 3;
      while (len < maxLen && src[ref + len] === src[ip + len]) len++;
      // close the literal run (or drop its unused control byte)
      if (lit > 0) out[op - lit - 1] = lit - 1;
      else op--;
      const l = len - 2;
      if (l < 7) out[op++] = (l << 5) | (off >> 8);
      else {
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      op++; // control byte of the next literal run
      lit = 0;
      if (op > maxOut) return null;
      for (let k = 1; k < len && ip + k + 2 < inLen; k++) htab[hash(ip + k)] = ip + k;
      ip += len;
      continue;
    }
    out[op++] = src[ip++]!;
    if (++lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
    if (op > maxOut) return null;
  }
  while (ip < inLen) {
    out[op++] = src[ip++]!;
    if (++lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (lit > 0) out[op - lit - 1] = lit - 1;
  else op--;
  if (op > maxOut) return null;
  return out.subarray(0, op);
}
