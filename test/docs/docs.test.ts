// The docs say what the code does: commands the compatibility table lists as not implemented are
// absent from the command table, and every `redshard` flag the quick start and operations guide
// mention exists on the CLI (except in the examples of wrong flags).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupCommand } from '../../node/commands/table.js';
import { buildProgram } from '../../operator/cli/main.js';
import { ROOT } from '../helpers/processes.js';

const doc = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8');

describe('docs match the code', () => {
  it('commands listed as not implemented are not in the command table', () => {
    const row = doc('compatibility.md').split('\n').find((l) => l.startsWith('| Not implemented |'))!;
    const names = [...row.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => lookupCommand(n.toLowerCase()) !== undefined)).toEqual([]);
  });

  it('every redshard subcommand and flag the guides use exists', () => {
    const program = buildProgram();
    const subcommands = new Map(program.commands.map((c) => [c.name(), new Set(c.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[]))]));
    const used: string[] = [];
    for (const file of ['quickstart.md', 'operations.md']) {
      // Lines starting "$ " are examples of wrong flags and their errors.
      const text = doc(file).split('\n').filter((l) => !l.startsWith('$ ')).join('\n');
      for (const m of text.matchAll(/redshard (up|down|status|scale|failover|rebalance)((?: +(?:--?[a-z-]+|[A-Za-z0-9\\[\]|.-]+))*)/g)) {
        const flags = subcommands.get(m[1]!)!;
        for (const f of m[2]!.match(/--?[a-z][a-z-]*/g) ?? []) {
          used.push(`${m[1]} ${f}`);
          expect(flags.has(f), `${file}: redshard ${m[1]} ${f}`).toBe(true);
        }
      }
    }
    expect(used).toContain('status --kube');
    expect(used).toContain('failover --shard');
  });

  it('every spec field the guides mention is in the generated CRD reference', () => {
    const reference = doc('crd-reference.md');
    const fields = new Set([...doc('quickstart.md').matchAll(/spec\.[a-zA-Z.]*[a-zA-Z]/g), ...doc('operations.md').matchAll(/spec\.[a-zA-Z.]*[a-zA-Z]/g)].map((m) => m[0]));
    expect(fields.size).toBeGreaterThan(3);
    for (const f of fields) expect(reference, f).toContain(`\`${f}\``);
  });
});
