// Process tests that start servers and ioredis clients as they go: everything started through
// track()/client() is stopped after each test (or after the file).
import { afterAll, afterEach } from 'vitest';
import { Redis } from 'ioredis';
import type { ServerProcess } from './processes.js';

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
