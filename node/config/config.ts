// Node configuration: redis.conf files, command-line `--directive value` pairs, CONFIG GET/SET.
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { z } from 'zod';
import { splitInlineArgs } from '../../common/resp/request-reader.js';
import { DIRECTIVES, FILE_ONLY_DIRECTIVES, type Directive } from './directives.js';

const byName = new Map<string, Directive>();
for (const d of DIRECTIVES) {
  byName.set(d.name, d);
  for (const a of d.aliases ?? []) byName.set(a, d);
}

export function lookupDirective(name: string): Directive | undefined {
  return byName.get(name.toLowerCase());
}

export class ConfigError extends Error {}

const memoryRe = /^(-?\d+)(k|kb|m|mb|g|gb|b)?$/i;
const MEM_UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

export function parseMemory(s: string): number | null {
  const m = memoryRe.exec(s.trim());
  if (!m) return null;
  return Number(m[1]) * MEM_UNITS[(m[2] ?? '').toLowerCase()]!;
}

const boolSchema = z.enum(['yes', 'no']);
const intSchema = z.string().regex(/^-?\d+$/, 'argument couldn\'t be parsed into an integer');

/** Validates one value for a directive and returns its canonical CONFIG GET form. */
export function normalizeValue(d: Directive, args: readonly string[]): string {
  const joined = args.join(' ');
  switch (d.type) {
    case 'bool': {
      const r = boolSchema.safeParse(joined.toLowerCase());
      if (!r.success) throw new ConfigError('argument must be \'yes\' or \'no\'');
      return r.data;
    }
    case 'int': {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      const r = intSchema.safeParse(joined);
      if (!r.success) throw new ConfigError('argument couldn\'t be parsed into an integer');
      return String(Number(r.data));
    }
    case 'memory': {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      if (d.name === 'maxmemory-clients' && /^\d+%$/.test(joined)) return joined;
      const n = parseMemory(joined);
      if (n === null) throw new ConfigError('argument must be a memory value');
      return String(n);
    }
    case 'enum': {
      const vals = d.name.startsWith('shutdown-on-sig') ? joined.toLowerCase().split(/\s+/) : [joined.toLowerCase()];
      for (const v of vals) {
        if (!d.values!.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
      }
      return vals.join(' ');
    }
    case 'string':
      return normalizeSpecial(d.name, args);
  }
}

function normalizeSpecial(name: string, args: readonly string[]): string {
  switch (name) {
    case 'client-output-buffer-limit': {
      if (args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
      const cur = parseOutputBufferLimits(DEFAULT_COBL);
      for (let i = 0; i < args.length; i += 4) {
        let cls = args[i]!.toLowerCase();
        if (cls === 'replica') cls = 'slave';
        if (!['normal', 'slave', 'pubsub'].includes(cls)) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
        const hard = parseMemory(args[i + 1]!);
        const soft = parseMemory(args[i + 2]!);
        const secs = Number(args[i + 3]);
        if (hard === null || soft === null || !Number.isInteger(secs) || secs < 0) throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
        cur[cls as keyof OutputBufferLimits] = { hard, soft, softSeconds: secs };
      }
      return formatOutputBufferLimits(cur);
    }
    case 'save': {
      if (args.length === 1 && args[0] === '') return '';
      if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
      for (const a of args) if (!/^\d+$/.test(a)) throw new ConfigError('Invalid save parameters');
      return args.join(' ');
    }
    case 'bind':
      return args.join(' ');
    case 'replicaof':
    case 'slaveof': {
      if (args.length === 1 && args[0] === '') return '';
      if (args.length !== 2) throw new ConfigError('wrong number of arguments');
      if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return '';
      if (!/^\d+$/.test(args[1]!)) throw new ConfigError('Invalid master port');
      return `${args[0]} ${args[1]}`;
    }
    default:
      return args.join(' ');
  }
}

export interface BufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}
export interface OutputBufferLimits {
  normal: BufferLimit;
  slave: BufferLimit;
  pubsub: BufferLimit;
}
const DEFAULT_COBL = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

export function parseOutputBufferLimits(s: string): OutputBufferLimits {
  const p = s.split(/\s+/);
  const get = (i: number): BufferLimit => ({ hard: Number(p[i + 1]), soft: Number(p[i + 2]), softSeconds: Number(p[i + 3]) });
  const out = {} as OutputBufferLimits;
  for (let i = 0; i + 3 < p.length; i += 4) out[p[i] as keyof OutputBufferLimits] = get(i);
  return out;
}

function formatOutputBufferLimits(l: OutputBufferLimits): string {
  return (['normal', 'slave', 'pubsub'] as const).map((c) => `${c} ${l[c].hard} ${l[c].soft} ${l[c].softSeconds}`).join(' ');
}

export type ChangeListener = (name: string, value: string) => void;

export class Config {
  private readonly values = new Map<string, string>();
  private readonly listeners: ChangeListener[] = [];
  /** Directives given by the user that this node accepts but does not act on. */
  readonly ignored = new Set<string>();
  configFile: string | null = null;

  constructor() {
    for (const d of DIRECTIVES) this.values.set(d.name, d.default);
  }

  get(name: string): string {
    const d = byName.get(name);
    if (!d) throw new Error(`unknown directive ${name}`);
    return this.values.get(d.name)!;
  }
  int(name: string): number {
    // Dispatch asks for some numbers on every command (maxmemory): parse each value once.
    let n = this.ints.get(name);
    if (n === undefined) this.ints.set(name, (n = Number(this.get(name))));
    return n;
  }
  private readonly ints = new Map<string, number>();
  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Sets a directive from user input; throws ConfigError with a reason. */
  set(name: string, args: readonly string[], startup = false): void {
    const d = byName.get(name.toLowerCase());
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    if (!startup && d.immutable) throw new ConfigError("can't set immutable config");
    const v = normalizeValue(d, args);
    this.values.set(d.name, v);
    this.ints.clear();
    if (!d.applies && v !== d.default) this.ignored.add(d.name);
    for (const l of this.listeners) l(d.name, v);
  }

  onChange(l: ChangeListener): void {
    this.listeners.push(l);
  }

  /** CONFIG GET: every directive (and alias) matching one of the glob patterns. */
  matching(match: (name: string) => boolean): [string, string][] {
    const out: [string, string][] = [];
    for (const d of DIRECTIVES) {
      for (const n of [d.name, ...(d.aliases ?? [])]) if (match(n)) out.push([n, this.values.get(d.name)!]);
    }
    return out;
  }

  /** Lines for CONFIG REWRITE: non-default directives. */
  nonDefaults(): [string, string][] {
    return DIRECTIVES.filter((d) => this.values.get(d.name) !== d.default).map((d) => [d.name, this.values.get(d.name)!]);
  }
}

export interface ConfigSourceError {
  file: string | null;
  line: number;
  text: string;
  reason: string;
}

/**
 * Builds the startup configuration the way redis-server does: an optional config file first,
 * then `--directive value ...` pairs from the command line, applied as extra config lines.
 */
export function loadStartupConfig(argv: readonly string[]): Config {
  const cfg = new Config();
  let rest = argv;
  const lines: { file: string | null; line: number; text: string }[] = [];
  if (rest.length > 0 && !rest[0]!.startsWith('--')) {
    const file = resolve(rest[0]!);
    cfg.configFile = file;
    readConfigFile(file, lines, 0);
    rest = rest.slice(1);
  }
  let cur: string[] | null = null;
  const argLines: string[][] = [];
  for (const a of rest) {
    if (a.startsWith('--') && a.length > 2) {
      cur = [a.slice(2)];
      argLines.push(cur);
    } else if (cur) cur.push(a);
    else throw new StartupConfigError({ file: null, line: 0, text: a, reason: 'Invalid argument: expected --directive' });
  }
  for (const l of argLines) lines.push({ file: null, line: lines.length + 1, text: l.map(quoteArg).join(' ') });
  for (const l of lines) {
    const args = splitInlineArgs(l.text);
    if (args === null) throw new StartupConfigError({ ...l, reason: 'Unbalanced quotes in configuration line' });
    if (args.length === 0 || args[0]!.startsWith('#')) continue;
    const name = args[0]!.toLowerCase();
    if (FILE_ONLY_DIRECTIVES.has(name)) continue;
    try {
      cfg.set(name, args.length === 1 ? [''] : args.slice(1), true);
    } catch (e) {
      throw new StartupConfigError({ ...l, reason: e instanceof ConfigError ? e.message : String(e) });
    }
  }
  return cfg;
}

function quoteArg(a: string): string {
  if (a === '') return '""';
  return /[\s"'\\]/.test(a) ? `"${a.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : a;
}

function readConfigFile(file: string, out: { file: string | null; line: number; text: string }[], depth: number): void {
  if (depth > 16) throw new StartupConfigError({ file, line: 0, text: '', reason: 'include nested too deeply' });
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    throw new StartupConfigError({ file, line: 0, text: '', reason: `Fatal error, can't open config file '${file}': ${(e as Error).message}` });
  }
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const args = splitInlineArgs(t);
    if (args && args[0]?.toLowerCase() === 'include' && args[1]) {
      readConfigFile(resolve(dirname(file), args[1]), out, depth + 1);
      return;
    }
    out.push({ file, line: i + 1, text: t });
  });
}

export class StartupConfigError extends Error {
  constructor(readonly detail: ConfigSourceError) {
    super(
      `\n*** FATAL CONFIG FILE ERROR (redshard, Redis 7.0 compatible) ***\n` +
        `Reading the configuration file, at line ${detail.line}${detail.file ? ` of ${detail.file}` : ''}\n` +
        `>>> '${detail.text}'\n${detail.reason}`,
    );
  }
}
