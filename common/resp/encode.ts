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
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // Up to 2^53 the shortest form of an integer is all its digits; beyond, it may not be.
  if (Number.isSafeInteger(d)) return d.toString();
  return formatG17(d);
}

/**
 * printf("%.17g") as glibc does it: 17 significant digits rounded half-to-even on the exact
 * binary value, fixed notation when the exponent is in [-4, 17), trailing zeros dropped.
 */
function formatG17(d: number): string {
  const neg = d < 0;
  const a = Math.abs(d);
  let e = a.toExponential(16);
  // JS rounds exact ties away from zero; glibc rounds them to even. A tie needs an exact value
  // of 18 significant digits, hence few binary fraction digits: test that cheaply first.
  const lead = a < 1 ? Math.floor(-Math.log10(a)) + 1 : 0;
  if (Number.isInteger(a * 2 ** (18 + lead)) && a.toExponential(17).charCodeAt(18) === 53 /* '5' */) {
    const exact = a.toExponential(60);
    const tail = exact.slice(18, exact.indexOf('e'));
    if (/^50*$/.test(tail) && (exact.charCodeAt(17) - 48) % 2 === 0) e = exact.slice(0, 18) + exact.slice(exact.indexOf('e'));
  }
  const ei = e.indexOf('e');
  const digits = e[0]! + e.slice(2, ei);
  const exp = Number(e.slice(ei + 1));
  let out: string;
  if (exp >= -4 && exp < 17) {
    if (exp >= 0) out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    else out = `0.${'0'.repeat(-exp - 1)}${digits}`;
    out = out.replace(/0+$/, '').replace(/\.$/, '');
  } else {
    const m = `${digits[0]}.${digits.slice(1)}`.replace(/0+$/, '').replace(/\.$/, '');
    out = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return neg ? `-${out}` : out;
}
