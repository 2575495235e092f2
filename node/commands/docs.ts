// COMMAND DOCS: summaries and argument maps in Redis 7.0's shape. Arguments come from synopsis
// strings (docs-syntax.ts) parsed here; renderSynopsis() rebuilds a synopsis the way redis-cli
// 7.0 turns COMMAND DOCS into hints, so the two can be checked against each other.

export type ArgType = 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';

export interface ArgDoc {
  name: string;
  type: ArgType;
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  args?: ArgDoc[];
}

const KEY_NAMES = new Set(['key', 'newkey', 'source', 'destination', 'destkey', 'sourcekey']);
const INTEGER_NAMES = new Set([
  'seconds', 'milliseconds', 'count', 'cursor', 'db', 'destination-db', 'index', 'index1', 'index2', 'start', 'end', 'offset',
  'increment', 'decrement', 'numkeys', 'limit', 'port', 'timeout', 'numreplicas', 'protover', 'ttl', 'frequency',
]);

function typeFor(name: string): ArgType {
  if (KEY_NAMES.has(name)) return 'key';
  if (name === 'pattern') return 'pattern';
  if (name.startsWith('unix-time')) return 'unix-time';
  if (INTEGER_NAMES.has(name)) return 'integer';
  return 'string';
}

const isToken = (w: string) => /^[A-Z][A-Z0-9_-]*$/.test(w);

function tokenize(s: string): string[] {
  return s.replace(/([[\]|])/g, ' $1 ').split(/\s+/).filter((t) => t !== '');
}

class Parser {
  private i = 0;
  constructor(private readonly t: string[]) {}

  done(): boolean {
    return this.i >= this.t.length;
  }

  /** Alternatives separated by '|' up to `end` (']' or the end of input). */
  alternatives(end: string | null): ArgDoc[][] {
    const alts: ArgDoc[][] = [this.sequence()];
    while (!this.done() && this.t[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    if (end !== null) {
      if (this.t[this.i] !== end) throw new Error(`expected '${end}' at token ${this.i}`);
      this.i++;
    }
    return alts;
  }

  private sequence(): ArgDoc[] {
    const seq: ArgDoc[] = [];
    while (!this.done()) {
      const w = this.t[this.i]!;
      if (w === '|' || w === ']') break;
      this.i++;
      if (w === '[') {
        const alts = this.alternatives(']');
        // "x [x ...]": the repetition marks the preceding arguments as multiple.
        const only = alts.length === 1 ? alts[0]! : null;
        if (only !== null && only.length > 0 && only[only.length - 1]!.name === '...') {
          const rep = only.slice(0, -1);
          const prev = seq.slice(seq.length - rep.length);
          if (rep.length > 0 && prev.length === rep.length && prev.every((p, k) => p.name === rep[k]!.name && (rep[k]!.token === undefined || p.token === rep[k]!.token))) {
            seq.splice(seq.length - rep.length, rep.length, { ...(rep.length === 1 ? prev[0]! : block(prev)), multiple: true });
            continue;
          }
          throw new Error(`repetition does not follow what it repeats at token ${this.i}`);
        }
        seq.push({ ...fromAlternatives(alts), optional: true });
      } else if (w === '...') {
        seq.push({ name: '...', type: 'string' });
      } else if (isToken(w)) {
        const next = this.t[this.i];
        if (next !== undefined && !['[', ']', '|', '...'].includes(next) && !isToken(next)) {
          this.i++;
          seq.push({ name: next, type: typeFor(next), token: w });
        } else seq.push({ name: w.toLowerCase(), type: 'pure-token', token: w });
      } else seq.push({ name: w, type: typeFor(w) });
    }
    return seq;
  }
}

function block(args: ArgDoc[]): ArgDoc {
  return { name: args.map((a) => a.name).join('-'), type: 'block', args };
}

function fromAlternatives(alts: ArgDoc[][]): ArgDoc {
  if (alts.length === 1) return alts[0]!.length === 1 ? alts[0]![0]! : block(alts[0]!);
  const choices = alts.map((a) => (a.length === 1 ? a[0]! : block(a)));
  return { name: choices.map((c) => c.name).join('-'), type: 'oneof', args: choices };
}

/** Parses a synopsis such as "key value [NX|XX]" into COMMAND DOCS arguments. */
export function parseSynopsis(synopsis: string): ArgDoc[] {
  const p = new Parser(tokenize(synopsis));
  const alts = p.alternatives(null);
  if (alts.length !== 1) throw new Error('top-level alternatives need brackets');
  return alts[0]!;
}

/** The hint redis-cli 7.0 shows for these arguments (same rules as its argument formatting). */
export function renderSynopsis(args: readonly ArgDoc[]): string {
  return args.map(renderArg).join(' ');
}

function renderArg(a: ArgDoc): string {
  let token = a.token ?? '';
  let repeat = '';
  if (a.type === 'oneof') repeat = a.args!.map(renderArg).join('|');
  else if (a.type === 'block') repeat = a.args!.map(renderArg).join(' ');
  else if (a.type !== 'pure-token') repeat = a.name;
  if (token !== '' && a.type !== 'pure-token') token += ' ';
  let s = a.optional ? '[' : '';
  s += token + repeat;
  if (a.multiple) s += ` [${repeat} ...]`;
  if (a.optional) s += ']';
  return s;
}
