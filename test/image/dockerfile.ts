// A small reader of the project's Dockerfile for the image test: instructions (continuation lines
// joined, comments dropped) grouped into stages, with ARG defaults substituted in FROM.
export interface Instruction {
  op: string;
  /** Text after the keyword, continuations joined with a space. */
  rest: string;
  /** The arguments of the JSON (exec) form, when the instruction uses it. */
  exec: string[] | null;
}

export interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}

export interface Copy {
  from: string | null;
  chown: string | null;
  sources: string[];
  dest: string;
}

function execForm(rest: string): string[] | null {
  if (!rest.startsWith('[')) return null;
  try {
    const v = JSON.parse(rest) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

export function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!cur && (line === '' || line.startsWith('#'))) continue;
    if (cur && line.startsWith('#')) continue;
    if (line.endsWith('\\')) cur += `${line.slice(0, -1).trim()} `;
    else {
      logical.push(cur + line);
      cur = '';
    }
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    const op = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      args.set(k!, v ?? '');
      continue;
    }
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      const from = f[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get((a ?? b)!) ?? '');
      stages.push({ from, name: f[2] ?? null, instructions: [] });
      continue;
    }
    stages[stages.length - 1]?.instructions.push({ op, rest, exec: execForm(rest) });
  }
  return { args, stages };
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY' || i.op === 'ADD')
    .map((i) => {
      const words = i.exec ?? i.rest.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const flag = (n: string) => flags.find((f) => f.startsWith(`--${n}=`))?.slice(n.length + 3) ?? null;
      return { from: flag('from'), chown: flag('chown'), sources: paths.slice(0, -1), dest: paths[paths.length - 1]! };
    });
}

/** The last value of a single-valued instruction (WORKDIR, USER, ENTRYPOINT...) in a stage. */
export function last(stage: Stage, op: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.op === op).at(-1);
}

/** LABEL and ENV key=value pairs ("quoted" values unquoted). */
export function pairs(stage: Stage, op: 'LABEL' | 'ENV'): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of stage.instructions.filter((x) => x.op === op)) {
    for (const m of i.rest.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) out.set(m[1]!, m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!);
  }
  return out;
}
