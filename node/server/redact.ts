// Secrets never reach the slowlog: passwords of AUTH, HELLO AUTH, MIGRATE AUTH/AUTH2 and of
// CONFIG SET for password directives show as "(redacted)", as Redis shows them.
const REDACTED = '(redacted)';
const SECRET_DIRECTIVES = new Set(['requirepass', 'masterauth', 'masteruser']);

export function redactedArgs(argv: readonly string[]): readonly string[] {
  const cmd = argv[0]!.toLowerCase();
  if (cmd === 'auth') return argv.map((a, i) => (i === 0 ? a : REDACTED));
  if (cmd === 'hello' || cmd === 'migrate') {
    const out = [...argv];
    for (let i = 1; i < out.length; i++) {
      const t = out[i]!.toLowerCase();
      const n = t === 'auth' ? (cmd === 'hello' ? 2 : 1) : t === 'auth2' && cmd === 'migrate' ? 2 : 0;
      for (let k = 1; k <= n && i + k < out.length; k++) out[i + k] = REDACTED;
      i += n;
    }
    return out;
  }
  if (cmd === 'config' && argv[1]?.toLowerCase() === 'set') {
    const out = [...argv];
    for (let i = 2; i + 1 < out.length; i += 2) if (SECRET_DIRECTIVES.has(out[i]!.toLowerCase())) out[i + 1] = REDACTED;
    return out;
  }
  return argv;
}
