// Runs the controller in this process until the local cluster reaches the wanted state, reporting
// each pass's status; used by `up`, `scale` and `down`, which return once their work is done.
import type { Logger } from '../../common/log.js';
import type { Status } from '../api/v1alpha1.js';
import { Controller } from '../controller/controller.js';
import type { LocalPlatform } from '../platform/local/local-platform.js';
import { acquireLock } from '../platform/local/lock.js';
import { statePath } from '../platform/local/state.js';

/** The resource's spec fails validation: the controller reported InvalidSpec and acted on nothing. */
export class InvalidSpecError extends Error {}

export function invalidSpecMessage(dir: string, detail: string): string {
  return `the cluster spec in ${statePath(dir)} is invalid (Ready=False, reason InvalidSpec): ${detail}; nothing was started or stopped. Fix the file and run the command again`;
}

export type Goal = { kind: 'ready'; generation: number } | { kind: 'gone' };

export async function runUntil(platform: LocalPlatform, log: Logger, goal: Goal, timeoutMs: number, onStatus: (s: Status) => void): Promise<Status | null> {
  const release = acquireLock(platform.dir);
  try {
    return await runLocked(platform, log, goal, timeoutMs, onStatus);
  } finally {
    release();
  }
}

async function runLocked(platform: LocalPlatform, log: Logger, goal: Goal, timeoutMs: number, onStatus: (s: Status) => void): Promise<Status | null> {
  let last: Status | null = null;
  let settle: ((s: Status | null) => void) | null = null;
  let fail: ((e: Error) => void) | null = null;
  const done = new Promise<Status | null>((res, rej) => {
    settle = res;
    fail = rej;
  });
  const controller = new Controller(platform, log, {
    onPass: (_key, status) => {
      last = status;
      onStatus(status);
      if (goal.kind === 'ready' && status.phase === 'Ready' && status.observedGeneration === goal.generation) settle!(status);
      if (status.phase === 'Invalid') fail!(new InvalidSpecError(invalidSpecMessage(platform.dir, status.lastError ?? 'invalid spec')));
    },
    queue: { baseBackoffMs: 500, maxBackoffMs: 5000 },
  });
  const watchGone =
    goal.kind === 'gone'
      ? setInterval(() => {
          void platform.listKeys().then((k) => k.length === 0 && settle!(null));
        }, 200)
      : null;
  const timer = setTimeout(() => fail!(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s; last state: ${last?.phase ?? 'unknown'} ${last?.conditions?.find((c) => c.type === 'Ready')?.message ?? ''}`)), timeoutMs);
  try {
    await controller.start();
    return await done;
  } finally {
    clearTimeout(timer);
    if (watchGone) clearInterval(watchGone);
    controller.stop();
    await controller.queue.idle();
  }
}
