// Differential testing: the same command script goes to Debian's redis-server 7.0 and to our
// node, on fresh databases, and the raw replies must match (after optional per-step normalising,
// e.g. for replies whose element order Redis leaves unspecified).
import { expect } from 'vitest';
import { RawClient, replyLength } from './raw-client.js';
import type { ServerProcess } from './processes.js';

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
