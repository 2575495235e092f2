// Redis's glob-style matcher (stringmatchlen): * ? [abc] [^a] [a-z] and \x escapes, byte-wise.

export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return matchAt(pattern, 0, s, 0, nocase, 0);
}

function eq(a: string, b: string, nocase: boolean): boolean {
  return nocase ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function matchAt(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): boolean {
  if (depth > 1000) return false;
  while (pi < p.length && si <= s.length) {
    const c = p[pi]!;
    switch (c) {
      case '*': {
        while (p[pi + 1] === '*') pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k <= s.length; k++) if (matchAt(p, pi + 1, s, k, nocase, depth + 1)) return true;
        return false;
      }
      case '?':
        if (si >= s.length) return false;
        si++;
        break;
      case '[': {
        if (si >= s.length) return false;
        pi++;
        const not = p[pi] === '^';
        if (not) pi++;
        let matched = false;
        for (;;) {
          if (pi >= p.length) {
            pi--;
            break;
          }
          if (p[pi] === '\\' && pi + 2 < p.length) {
            pi++;
            if (p[pi] === s[si]) matched = true;
          } else if (p[pi] === ']') break;
          else if (p[pi + 1] === '-' && pi + 2 < p.length) {
            let a = p.charCodeAt(pi);
            let b = p.charCodeAt(pi + 2);
            let x = s.charCodeAt(si);
            if (a > b) [a, b] = [b, a];
            if (nocase) {
              a = String.fromCharCode(a).toLowerCase().charCodeAt(0);
              b = String.fromCharCode(b).toLowerCase().charCodeAt(0);
              x = String.fromCharCode(x).toLowerCase().charCodeAt(0);
            }
            pi += 2;
            if (x >= a && x <= b) matched = true;
          } else if (eq(p[pi]!, s[si]!, nocase)) matched = true;
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      default:
        if (c === '\\' && pi + 1 < p.length) pi++;
        if (si >= s.length || !eq(p[pi]!, s[si]!, nocase)) return false;
        si++;
        break;
    }
    pi++;
    if (si === s.length) {
      while (p[pi] === '*') pi++;
      break;
    }
  }
  return pi === p.length && si === s.length;
}
