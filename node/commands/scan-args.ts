// Arguments of the collection SCANs (HSCAN, SSCAN): the cursor as Redis's strtoul accepts it,
// and the COUNT / MATCH options.
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';

const ULONG_MAX = 18446744073709551615n;
const CURSOR_RE = /^[+-]?[0-9]+$/;

/**
 * The cursor as an unsigned 64-bit value (clamped to a safe integer, beyond which no cursor we
 * issue can reach). Like strtoul: optional sign, "-n" wraps around, empty means 0, no spaces.
 */
export function parseScanCursor(s: string): number {
  if (s.length === 0) return 0;
  if (!CURSOR_RE.test(s)) fail(E.invalidCursor);
  const neg = s[0] === '-';
  const mag = BigInt(neg || s[0] === '+' ? s.slice(1) : s);
  if (mag > ULONG_MAX) fail(E.invalidCursor);
  const v = neg && mag !== 0n ? ULONG_MAX + 1n - mag : mag;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

export interface ScanOptions {
  count: number;
  /** Null when absent or "*" (which matches everything). */
  pattern: string | null;
}

/** COUNT and MATCH from argv[from..]; TYPE is only for the keyspace SCAN, so a syntax error here. */
export function parseScanOptions(argv: readonly string[], from: number): ScanOptions {
  let count = 10;
  let pattern: string | null = null;
  for (let i = from; i < argv.length; i += 2) {
    const opt = argv[i]!.toLowerCase();
    const hasValue = i + 1 < argv.length;
    if (opt === 'count' && hasValue) {
      const n = parseInt64(argv[i + 1]!);
      if (n === null) fail(E.notInteger);
      if (n < 1n) fail(E.syntax);
      count = n > 1_000_000_000n ? 1_000_000_000 : Number(n);
    } else if (opt === 'match' && hasValue) {
      const p = argv[i + 1]!;
      pattern = p === '*' ? null : p;
    } else fail(E.syntax);
  }
  return { count, pattern };
}
