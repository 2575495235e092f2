// Score and lexicographic intervals of the sorted-set range commands, and their bound tests.
// Members are latin1 strings, so `<` on them is a byte comparison (memcmp order).

/** A score interval; `minex`/`maxex` make the bound exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One end of a lexicographic interval: -1 is "-" (below everything), 1 is "+" (above). */
export interface LexBound {
  inf: -1 | 0 | 1;
  s: string;
  ex: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function gteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

export function lteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

export function emptyScoreRange(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** Sign of (bound - member). */
function cmpBound(b: LexBound, member: string): number {
  if (b.inf !== 0) return b.inf;
  return b.s < member ? -1 : b.s > member ? 1 : 0;
}

export function lexGteMin(member: string, r: LexRange): boolean {
  const c = cmpBound(r.min, member);
  return r.min.ex ? c < 0 : c <= 0;
}

export function lexLteMax(member: string, r: LexRange): boolean {
  const c = cmpBound(r.max, member);
  return r.max.ex ? c > 0 : c >= 0;
}

export function emptyLexRange(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let c: number;
  // "-" sorts below every string and "+" above; two equal infinities compare equal.
  if (a.inf !== 0 || b.inf !== 0) c = a.inf === b.inf ? 0 : a.inf < b.inf ? -1 : 1;
  else c = a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  return c > 0 || (c === 0 && (a.ex || b.ex));
}
