import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSynopsis, renderSynopsis, type ArgDoc } from './docs.js';
import { SYNTAX } from './docs-syntax.js';
import { allCommands } from './table.js';

describe('COMMAND DOCS synopses', () => {
  it('every synopsis parses and renders back as redis-cli would show it', () => {
    for (const [name, syn] of Object.entries(SYNTAX)) {
      expect(renderSynopsis(parseSynopsis(syn)), name).toBe(syn);
    }
  });

  it('only documents commands that exist', () => {
    const names = new Set(allCommands().flatMap((c) => [c.name, ...(c.subcommands ?? []).map((s) => s.name)]));
    expect(Object.keys(SYNTAX).filter((n) => !names.has(n))).toEqual([]);
  });

  it('types arguments as Redis does for the common cases', () => {
    const set = parseSynopsis(SYNTAX.set!);
    expect(set[0]).toEqual({ name: 'key', type: 'key' });
    expect(set[2]).toMatchObject({ type: 'oneof', optional: true, args: [{ type: 'pure-token', token: 'NX' }, { type: 'pure-token', token: 'XX' }] });
    expect(set[4]!.args![0]).toEqual({ name: 'seconds', type: 'integer', token: 'EX' });
    expect(parseSynopsis('key value [key value ...]')).toEqual([{ name: 'key-value', type: 'block', multiple: true, args: [{ name: 'key', type: 'key' }, { name: 'value', type: 'string' }] }]);
  });

  it('round-trips generated argument trees', () => {
    const word = fc.constantFrom('key', 'value', 'member', 'count', 'pattern');
    const tok = fc.constantFrom('NX', 'XX', 'GET', 'LIMIT', 'WITHSCORES');
    const leaf: fc.Arbitrary<ArgDoc> = fc.oneof(
      word.map((w) => parseSynopsis(w)[0]!),
      tok.map((t) => ({ name: t.toLowerCase(), type: 'pure-token' as const, token: t })),
      fc.tuple(tok, word).map(([t, w]) => parseSynopsis(`${t} ${w}`)[0]!),
    );
    const optional = fc.array(leaf, { minLength: 2, maxLength: 3 }).map((choices) => {
      const syn = `[${choices.map((c) => renderSynopsis([c])).join('|')}]`;
      return syn;
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(leaf.map((l) => renderSynopsis([l])), optional), { minLength: 1, maxLength: 5 }), (parts) => {
        const syn = parts.join(' ');
        expect(renderSynopsis(parseSynopsis(syn))).toBe(syn);
      }),
    );
  });
});
