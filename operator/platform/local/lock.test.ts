import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError, acquireLock } from './lock.js';

describe('local operator lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redshard-lock-'));
  const lock = join(dir, '.redshard', 'operator.lock');
  afterEach(() => rmSync(join(dir, '.redshard'), { recursive: true, force: true }));

  it('takes and releases the lock', () => {
    const release = acquireLock(dir);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses while a live process holds it, takes over a stale one', () => {
    mkdirSync(join(dir, '.redshard'), { recursive: true });
    writeFileSync(lock, String(process.ppid));
    expect(() => acquireLock(dir)).toThrow(LockedError);
    writeFileSync(lock, '999999999');
    const release = acquireLock(dir);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    release();
  });
});
