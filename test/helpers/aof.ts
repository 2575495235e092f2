// Reading what a node wrote to its append-only file (Redis 7's multi-part layout).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The incremental AOF files of a node's data directory, concatenated as latin1 text. */
export function aofText(dir: string): string {
  const d = join(dir, 'appendonlydir');
  return readdirSync(d)
    .filter((f) => f.endsWith('.incr.aof'))
    .map((f) => readFileSync(join(d, f), 'latin1'))
    .join('');
}
