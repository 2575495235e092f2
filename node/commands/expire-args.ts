// EX/PX/EXAT/PXAT argument handling shared by SET, GETEX, SETEX and the EXPIRE family.
import { E } from './errors.js';
import { fail, parseInt64 } from './args.js';
import { propagateAs } from './access.js';
import type { Ctx } from './types.js';

export type ExpireUnit = 'EX' | 'PX' | 'EXAT' | 'PXAT';

const MAX_MS = 9223372036854775807n;

/** Absolute expiry in ms for an EX/PX/EXAT/PXAT value, with Redis's validation. */
export function absoluteExpire(unit: ExpireUnit, raw: string, now: number, cmd: string): number {
  const n = parseInt64(raw);
  if (n === null) fail(E.notInteger);
  if (n <= 0n) fail(E.invalidExpire(cmd));
  const seconds = unit === 'EX' || unit === 'EXAT';
  if (seconds && n > MAX_MS / 1000n) fail(E.invalidExpire(cmd));
  let ms = seconds ? n * 1000n : n;
  if (unit === 'EX' || unit === 'PX') {
    if (ms > MAX_MS - BigInt(now)) fail(E.invalidExpire(cmd));
    ms += BigInt(now);
  }
  return Number(ms);
}

/**
 * Gives an existing key the absolute expiry `at`. A time already past deletes the key, and
 * replicas get DEL or PEXPIREAT rather than the relative request, so they agree on when it ends.
 */
export function expireKeyAt(ctx: Ctx, key: string, at: number): void {
  if (at <= ctx.now) {
    ctx.db.delete(key);
    propagateAs(ctx, ['DEL', key]);
  } else {
    ctx.db.setExpire(key, at);
    propagateAs(ctx, ['PEXPIREAT', key, String(at)]);
  }
}
