// RESP2 / RESP3 encoders. Everything is a latin1 string: one char per byte on the wire.

export type RespVersion = 2 | 3;

export const OK = '+OK\r\n';
export const NULL_BULK2 = '$-1\r\n';
export const NULL_ARRAY2 = '*-1\r\n';
export const NULL3 = '_\r\n';

export function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

export function simple(s: string): string {
  return `+${s}\r\n`;
}

/** `msg` must already start with its error code (ERR, WRONGTYPE, MOVED, ...). */
export function error(msg: string): string {
  return `-${msg.replace(/[\r\n]+/g, ' ')}\r\n`;
}

export function integer(n: number | bigint): string {
  return `:${n}\r\n`;
}

export function arrayHeader(n: number): string {
  return `*${n}\r\n`;
}

/** A command as a client sends it (used by links to other nodes). */
export function command(args: readonly string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** Redis's %.17g formatting of doubles, as used for replies and stored scores. */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (Object.is(d, -0)) return '-0';
  if (Number.isInteger(d) && Math.abs(d) < 1e17) return d.toString();
  let s = d.toPrecision(17);
  if (s.includes('e')) {
    let [m, e] = s.split('e') as [string, string];
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}
