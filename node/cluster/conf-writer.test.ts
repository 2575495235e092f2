import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfWriter } from './nodes-conf.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ConfWriter', () => {
  it('in-place saves shrink and grow the file exactly; a durable save replaces it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conf-writer-'));
    dirs.push(dir);
    const path = join(dir, 'nodes.conf');
    const w = new ConfWriter(path);
    w.write('a'.repeat(100) + '\n', false);
    expect(readFileSync(path, 'utf8')).toBe('a'.repeat(100) + '\n');
    w.write('short\n', false);
    expect(readFileSync(path, 'utf8')).toBe('short\n');
    w.write('longer content\nsecond line\n', false);
    expect(readFileSync(path, 'utf8')).toBe('longer content\nsecond line\n');
    w.write('durable\n', true);
    expect(readFileSync(path, 'utf8')).toBe('durable\n');
    // After the atomic replace the next in-place save writes the new file, not the old inode.
    w.write('after\n', false);
    expect(readFileSync(path, 'utf8')).toBe('after\n');
    w.close();
  });
});
