// Process tests that start servers and ioredis clients as they go: everything started through
// track()/client() is stopped after each test (or after the file); loggedCount() waits for server log lines.
import { afterAll, afterEach } from 'vitest';
import { Redis } from 'ioredis';
import type { ServerProcess } from './processes.js';
import { until } from './until.js';

export function useTracked(scope: 'each' | 'all' = 'each'): {
  track: (p: Promise<ServerProcess>) => Promise<ServerProcess>;
  client: (p: ServerProcess) => Redis;
} {
  const started: ServerProcess[] = [];
  const clients: Redis[] = [];
  (scope === 'each' ? afterEach : afterAll)(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
  });
  return {
    track: async (p) => {
      const s = await p;
      started.push(s);
      return s;
    },
    client: (p) => {
      const c = new Redis({ port: p.port, host: p.host, maxRetriesPerRequest: 1 });
      clients.push(c);
      return c;
    },
  };
}

/**
 * Waits until a server has logged a line matching re `times` times, then returns the count (which
 * the caller checks exactly): logs arrive through an asynchronous pipe, after the reply that the
 * test saw, so reading them once races the server.
 */
export async function loggedCount(p: { output(): string }, re: RegExp, times = 1, ms = 10_000): Promise<number> {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  const count = () => p.output().match(g)?.length ?? 0;
  await until(`${times} log line(s) matching ${re}`, () => count() >= times, ms).catch(() => undefined);
  return count();
}
