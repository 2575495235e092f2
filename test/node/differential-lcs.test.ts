import { describe, it } from 'vitest';
import { expectSameReplies, useServerPair, type Step } from '../helpers/differential.js';

// LCS against redis-server 7.0, RESP2 and RESP3: plain, LEN, IDX with MINMATCHLEN and
// WITHMATCHLEN, missing keys, wrong types and option errors.
describe('LCS behaves like redis-server 7.0', () => {
  const { ours, redis } = useServerPair();

  const steps: Step[] = [
    ['MSET', 'a', 'ohmytext', 'b', 'mynewtext', 'e', '', 'bin', 'a\x00b\xffc'],
    ['LCS', 'a', 'b'],
    ['LCS', 'a', 'b', 'LEN'],
    ['LCS', 'a', 'b', 'IDX'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
    ['LCS', 'a', 'b', 'idx', 'withmatchlen'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '-3'],
    ['LCS', 'a', 'missing'],
    ['LCS', 'missing', 'missing2', 'LEN'],
    ['LCS', 'a', 'e', 'IDX'],
    ['LCS', 'a', 'bin'],
    ['LCS', 'a', 'b', 'LEN', 'IDX'],
    ['LCS', 'a', 'b', 'MINMATCHLEN'],
    ['LCS', 'a', 'b', 'MINMATCHLEN', 'x'],
    ['LCS', 'a', 'b', 'BOGUS'],
    ['LCS', 'a'],
    ['RPUSH', 'l', 'x'],
    ['LCS', 'a', 'l'],
    ['LCS', 'l', 'a', 'LEN'],
  ];

  for (const resp of [2, 3] as const) it(`replies match (RESP${resp})`, () => expectSameReplies(ours, redis, steps, resp));
});
