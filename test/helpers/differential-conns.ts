// Differential testing with several connections per server: each step names the connection that
// sends it, so WATCH/MULTI races, pub/sub delivery and CLIENT commands can be compared with
// redis-server 7.0 reply for reply. A step may also wait, or read an unsolicited push.
import { expect } from 'vitest';
import { RawClient } from './raw-client.js';
import { sortArrayReply } from './differential.js';
import type { ServerProcess } from './processes.js';

export type ConnStep =
  | { c: number; cmd: string[]; unordered?: boolean; ignore?: boolean; match?: RegExp }
  | { c: number; read: true }
  | { sleep: number };

async function withTimeout(p: Promise<string>, ms: number): Promise<string> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((r) => (t = setTimeout(() => r('<no reply>'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}

async function runOne(server: ServerProcess, conns: number, steps: ConnStep[], resp: 2 | 3): Promise<string[]> {
  const cs = await Promise.all(Array.from({ length: conns }, () => RawClient.connect(server.port, server.host)));
  try {
    await cs[0]!.call('FLUSHALL');
    if (resp === 3) for (const c of cs) await c.call('HELLO', '3');
    const out: string[] = [];
    for (const st of steps) {
      if ('sleep' in st) {
        await new Promise((r) => setTimeout(r, st.sleep));
        continue;
      }
      const c = cs[st.c]!;
      if ('read' in st) {
        out.push(await withTimeout(c.read(), 1000));
        continue;
      }
      let r = await withTimeout(c.call(...st.cmd), 2000);
      if (st.ignore) continue;
      if (st.unordered) r = sortArrayReply(r);
      if (st.match) r = st.match.test(r) ? '<matches>' : r;
      out.push(r);
    }
    return out;
  } finally {
    for (const c of cs) c.close();
  }
}

/** Runs the steps on both servers with `conns` connections each; every reply must match. */
export async function expectSameConnReplies(ours: ServerProcess, theirs: ServerProcess, conns: number, steps: ConnStep[], resp: 2 | 3 = 2): Promise<void> {
  const [a, b] = await Promise.all([runOne(ours, conns, steps, resp), runOne(theirs, conns, steps, resp)]);
  const labels = steps.filter((s) => !('sleep' in s) && !('cmd' in s && s.ignore)).map((s) => ('read' in s ? `[${s.c}] <read>` : `[${(s as { c: number }).c}] ${(s as { cmd: string[] }).cmd.join(' ')}`));
  const diffs = labels.map((l, i) => ({ step: l, ours: a[i], redis: b[i] })).filter((d) => d.ours !== d.redis);
  expect(diffs, 'replies that differ from redis-server 7.0').toEqual([]);
}
