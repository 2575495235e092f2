// The multi-part append-only file layout of Redis 7: a directory holding a base file, incremental
// files and a manifest naming them in order. Pure parse/format.

export interface AofFileEntry {
  name: string;
  seq: number;
  type: 'b' | 'i' | 'h';
}

export class ManifestError extends Error {}

export function parseManifest(text: string): AofFileEntry[] {
  const out: AofFileEntry[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const rec: Record<string, string> = {};
    for (let j = 0; j + 1 < parts.length; j += 2) rec[parts[j]!] = parts[j + 1]!;
    const seq = Number(rec.seq);
    if (!rec.file || !Number.isInteger(seq) || !['b', 'i', 'h'].includes(rec.type ?? '')) {
      throw new ManifestError(`Invalid AOF manifest line ${i + 1}: '${line}'`);
    }
    if (rec.file.includes('/')) throw new ManifestError(`AOF manifest names a file outside its directory: '${rec.file}'`);
    out.push({ name: rec.file, seq, type: rec.type as AofFileEntry['type'] });
  }
  if (out.filter((e) => e.type === 'b').length > 1) throw new ManifestError('Found duplicate base file information in the AOF manifest');
  return out;
}

export function formatManifest(entries: readonly AofFileEntry[]): string {
  return entries.map((e) => `file ${e.name} seq ${e.seq} type ${e.type}\n`).join('');
}

/** Files to replay at startup: the base first, then incremental files by sequence. */
export function loadOrder(entries: readonly AofFileEntry[]): AofFileEntry[] {
  const base = entries.filter((e) => e.type === 'b');
  const incr = entries.filter((e) => e.type === 'i').sort((a, b) => a.seq - b.seq);
  return [...base, ...incr];
}
