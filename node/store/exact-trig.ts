// sin, cos and asin rounded correctly to the nearest double. glibc's versions (which
// redis-server's distances come from) are correctly rounded in practice, while V8's fdlibm ports
// may be one unit in the last place off, which shows in STOREDIST scores. The exact value is
// approximated in double-double arithmetic (about 106 bits) and rounded once.

/** A double-double: the unevaluated sum hi + lo with |lo| <= ulp(hi) / 2. */
type DD = [number, number];

const SPLIT = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const [hi, lo] = twoSum(s, e + a[1] + b[1]);
  return [hi, lo];
}

function mul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return twoSum(p, e + a[0] * b[1] + a[1] * b[0]);
}

/** a / n for a small positive integer n. */
function divInt(a: DD, n: number): DD {
  const q = a[0] / n;
  const [p, e] = twoProd(q, n);
  const r = (a[0] - p - e + a[1]) / n;
  return twoSum(q, r);
}

/** Taylor series sum of (-1)^k x^(2k+start) / (2k+start)! in double-double; |x| <= 3.2. */
function series(x: number, start: 0 | 1): DD {
  const x2 = twoProd(x, x);
  let term: DD = start === 1 ? [x, 0] : [1, 0];
  let sum: DD = term;
  for (let n = start + 1; n < 60; n += 2) {
    term = divInt(mul(term, x2), n * (n + 1));
    term = [-term[0], -term[1]];
    sum = add(sum, term);
    if (Math.abs(term[0]) < Math.abs(sum[0]) * 1e-34 || term[0] === 0) break;
  }
  return sum;
}

function sinDD(x: number): DD {
  return series(x, 1);
}

/** sin(x) rounded to nearest, for |x| <= pi (larger arguments fall back to Math.sin). */
export function sinCR(x: number): number {
  if (!(Math.abs(x) <= 3.2) || x === 0) return Math.sin(x);
  const [hi, lo] = sinDD(x);
  return hi + lo;
}

/** cos(x) rounded to nearest, for |x| <= pi/2 (larger arguments fall back to Math.cos). */
export function cosCR(x: number): number {
  if (!(Math.abs(x) <= 1.6)) return Math.cos(x);
  const [hi, lo] = series(x, 0);
  return hi + lo;
}

/** asin(s) rounded to nearest for s in [0, 1): one Newton step from Math.asin in double-double. */
export function asinCR(s: number): number {
  if (!(s > 0 && s < 0.9999)) return Math.asin(s);
  const y0 = Math.asin(s);
  const r = add(sinDD(y0), [-s, 0]);
  const c = Math.cos(y0);
  const delta = (r[0] + r[1]) / c;
  const [hi, lo] = twoSum(y0, -delta);
  return hi + lo;
}
