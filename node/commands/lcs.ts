// LCS: the longest common subsequence of two strings, its length, or its matching ranges.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';
import { rangeSpec } from './list-ops.js';

export interface LcsRange {
  a: [number, number];
  b: [number, number];
  len: number;
}

/** The dynamic-programming table of LCS lengths, (alen+1) x (blen+1), row-major. */
function table(a: string, b: string): Uint32Array {
  const w = b.length + 1;
  const dp = new Uint32Array((a.length + 1) * w);
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const k = i * w + j;
      if (ca === b.charCodeAt(j - 1)) dp[k] = dp[k - w - 1]! + 1;
      else {
        const up = dp[k - w]!;
        const left = dp[k - 1]!;
        dp[k] = up > left ? up : left;
      }
    }
  }
  return dp;
}

/**
 * The LCS string and its contiguous matching ranges, found walking the table back from the end
 * (so ranges come last-first, as Redis lists them), keeping ranges of at least minLen.
 */
export function lcs(a: string, b: string, minLen: number): { str: string; len: number; ranges: LcsRange[] } {
  const w = b.length + 1;
  const dp = table(a, b);
  const len = dp[a.length * w + b.length]!;
  const chars: string[] = new Array<string>(len);
  let idx = len;
  const ranges: LcsRange[] = [];
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[--idx] = a[i - 1]!;
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else {
        // Walking back diagonally always extends the current range.
        aStart--;
        bStart--;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (dp[(i - 1) * w + j]! > dp[i * w + j - 1]!) i--;
      else j--;
      if (aStart >= 0) emit = true;
    }
    if (emit) {
      const n = aEnd - aStart + 1;
      if (minLen === 0 || n >= minLen) ranges.push({ a: [aStart, aEnd], b: [bStart, bEnd], len: n });
      aStart = -1;
    }
  }
  return { str: chars.join(''), len, ranges };
}

function lcsCommand(ctx: Ctx, argv: string[]): void {
  const va = ctx.db.get(argv[1]!, ctx.now);
  const vb = ctx.db.get(argv[2]!, ctx.now);
  if ((va !== undefined && typeof va !== 'string') || (vb !== undefined && typeof vb !== 'string')) fail(E.lcsNotStrings);
  let getIdx = false;
  let getLen = false;
  let withLen = false;
  let minLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toUpperCase();
    if (opt === 'IDX') getIdx = true;
    else if (opt === 'LEN') getLen = true;
    else if (opt === 'WITHMATCHLEN') withLen = true;
    else if (opt === 'MINMATCHLEN' && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]!);
      if (n === null) fail(E.notInteger);
      minLen = n < 0n ? 0 : n > 0xffffffffn ? 0xffffffff : Number(n);
    } else fail(E.syntax);
  }
  if (getIdx && getLen) fail(E.lcsIdxAndLen);
  const a = va ?? '';
  const b = vb ?? '';
  let r: ReturnType<typeof lcs>;
  try {
    r = lcs(a, b, minLen);
  } catch (e) {
    if (e instanceof RangeError) fail(E.lcsNoMemory);
    throw e;
  }
  const out = ctx.out;
  if (getIdx) {
    out.map(2);
    out.bulk('matches');
    out.array(r.ranges.length);
    for (const m of r.ranges) {
      out.array(withLen ? 3 : 2);
      out.array(2);
      out.int(m.a[0]);
      out.int(m.a[1]);
      out.array(2);
      out.int(m.b[0]);
      out.int(m.b[1]);
      if (withLen) out.int(m.len);
    }
    out.bulk('len');
    out.int(r.len);
  } else if (getLen) out.int(r.len);
  else out.bulk(r.str);
}

export const lcsCommands: readonly CommandSpec[] = [
  {
    name: 'lcs',
    arity: -3,
    flags: ['readonly'],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [rangeSpec(['RO', 'access'], 1, 1)],
    group: 'string',
    acl: ['read', 'string', 'slow'],
    since: '7.0.0',
    handler: lcsCommand,
  },
];
