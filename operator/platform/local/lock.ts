// One operator per local cluster: `up`, `scale`, `rebalance` and `down` each run the controller in
// their own process, so a lock file (holding the pid) keeps two of them from acting at once. A lock
// whose process is gone is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './state.js';

export class LockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws LockedError naming the holder; returns the release function. */
export function acquireLock(dir: string): () => void {
  mkdirSync(stateDir(dir), { recursive: true });
  const path = join(stateDir(dir), 'operator.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) rmSync(path, { force: true });
        } catch {
          /* already gone (down removes the whole state dir) */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8'));
      if (holder && holder !== process.pid && alive(holder)) throw new LockedError(`another redshard command (pid ${holder}) is working on this cluster; wait for it or stop it`);
      rmSync(path, { force: true });
    }
  }
  throw new LockedError(`could not take ${path}`);
}
