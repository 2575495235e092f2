// Differential testing: the same command script goes to Debian's redis-server 7.0 and to our
// node, on fresh databases, and the raw replies must match (after optional per-step normalising,
// e.g. for replies whose element order Redis leaves unspecified).
import { afterAll, beforeAll, expect } from 'vitest';
import { Redis } from 'ioredis';
import { RawClient, replyLength } from './raw-client.js';
import { startNode, startRedis, type ServerProcess, type StartOptions } from './processes.js';

export type Step = string[] | { cmd: string[]; unordered?: boolean; ignore?: boolean; approx?: boolean };

/**
 * Sorts the elements of an array, set or map reply (keeping its type) so that unordered replies
 * compare equal; a RESP3 map keeps each key with its value and is sorted by pairs.
 */
export function sortArrayReply(raw: string): string {
  const m = /^([*~%])(\d+)\r\n/.exec(raw);
  if (!m) return raw;
  const pairs = m[1] === '%';
  let p = m[0].length;
  const items: string[] = [];
  for (let i = 0; i < Number(m[2]); i++) {
    let n = replyLength(raw, p);
    if (pairs) n += replyLength(raw, p + n);
    items.push(raw.slice(p, p + n));
    p += n;
  }
  return `${m[1]}${m[2]}\r\n${items.sort().join('')}`;
}

export interface DiffResult {
  cmd: string[];
  ours: string;
  theirs: string;
}

/** Runs the script on both servers (each flushed first) and returns every step's replies. */
export async function runBoth(ours: ServerProcess, theirs: ServerProcess, steps: Step[], resp: 2 | 3 = 2): Promise<DiffResult[]> {
  const a = await RawClient.connect(ours.port, ours.host);
  const b = await RawClient.connect(theirs.port, theirs.host);
  try {
    await a.call('FLUSHALL');
    await b.call('FLUSHALL');
    if (resp === 3) {
      await a.call('HELLO', '3');
      await b.call('HELLO', '3');
    }
    const out: DiffResult[] = [];
    for (const st of steps) {
      const cmd = Array.isArray(st) ? st : st.cmd;
      let ra = await a.call(...cmd);
      let rb = await b.call(...cmd);
      if (!Array.isArray(st) && st.ignore) continue;
      if (!Array.isArray(st) && st.unordered) {
        ra = sortArrayReply(ra);
        rb = sortArrayReply(rb);
      }
      out.push({ cmd, ours: ra, theirs: rb });
    }
    return out;
  } finally {
    a.close();
    b.close();
  }
}

/** Asserts that every step of the script got the same reply from both servers. */
export async function expectSameReplies(ours: ServerProcess, theirs: ServerProcess, steps: Step[], resp: 2 | 3 = 2): Promise<void> {
  const results = await runBoth(ours, theirs, steps, resp);
  const mismatches = results.filter((r) => r.ours !== r.theirs);
  expect(
    mismatches.map((m) => ({ cmd: m.cmd.join(' '), ours: m.ours, redis: m.theirs })),
    'replies that differ from redis-server 7.0',
  ).toEqual([]);
}

export interface ServerPair {
  ours: ServerProcess;
  redis: ServerProcess;
}

/**
 * The setup differential test files share: our node and Debian's redis-server, started together
 * before the tests of the enclosing describe (or file) and both stopped after them. `redisOpts`
 * defaults to `opts`. The two objects are filled in when beforeAll has run, so a file destructures
 * them at collection time (`const { ours, redis } = useServerPair()`) and reads their fields in
 * tests and hooks only. A test that restarts a server assigns the new process into the same
 * object (`Object.assign(ours, await startNode(...))`) so that afterAll stops that one.
 */
export function useServerPair(opts: StartOptions = {}, redisOpts: StartOptions = opts): ServerPair {
  const pair: ServerPair = { ours: {} as ServerProcess, redis: {} as ServerProcess };
  beforeAll(async () => {
    const [ours, redis] = await Promise.all([startNode(opts), startRedis(redisOpts)]);
    Object.assign(pair.ours, ours);
    Object.assign(pair.redis, redis);
  });
  afterAll(async () => {
    // A failed start leaves an object without stop(); processes.ts kills what did start at exit.
    await Promise.all([pair.ours.stop?.(), pair.redis.stop?.()]);
  });
  return pair;
}

/**
 * ioredis clients to both servers of a pair, handed to `use` once connected (after the pair's
 * beforeAll, which was registered first) and disconnected after the tests.
 */
export function useIoredisPair(pair: ServerPair, use: (ours: Redis, redis: Redis) => void): void {
  const clients: Redis[] = [];
  beforeAll(() => {
    clients.push(...[pair.ours, pair.redis].map((s) => new Redis({ port: s.port, host: s.host })));
    use(clients[0]!, clients[1]!);
  });
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });
}
