import { describe, expect, it } from 'vitest';
import { expectSameReplies, useServerPair, type Step } from '../helpers/differential.js';
import { Redis } from 'ioredis';

// SLOWLOG, MEMORY and LATENCY: deterministic replies (errors, arity, help, empty states, string
// sizes) against redis-server 7.0; the rest by shape.
describe('SLOWLOG, MEMORY and LATENCY', () => {
  const { ours, redis } = useServerPair();

  const same: Step[] = [
    ['SLOWLOG'],
    ['SLOWLOG', 'FOO'],
    ['SLOWLOG', 'HELP'],
    ['SLOWLOG', 'HELP', 'x'],
    ['SLOWLOG', 'LEN', 'x'],
    ['SLOWLOG', 'RESET', 'x'],
    ['SLOWLOG', 'GET', 'x'],
    ['SLOWLOG', 'GET', '-2'],
    ['SLOWLOG', 'GET', '1', '2'],
    ['SLOWLOG', 'RESET'],
    ['SLOWLOG', 'GET', '0'],
    ['MEMORY'],
    ['MEMORY', 'HELP'],
    ['MEMORY', 'NOPE'],
    ['MEMORY', 'USAGE'],
    ['MEMORY', 'USAGE', 'missing'],
    ['MEMORY', 'DOCTOR'],
    ['MEMORY', 'DOCTOR', 'x'],
    ['MEMORY', 'PURGE'],
    ['MEMORY', 'STATS', 'x'],
    ['SET', 'foo', 'bar'],
    ['SET', 'n', '12345'],
    ['SET', 'e', 'x'.repeat(44)],
    ['SET', 'r', 'x'.repeat(45)],
    ['SET', 'k300', 'y'.repeat(300)],
    ['SET', 'a-longer-key-name-here', '-9223372036854775808'],
    ['MEMORY', 'USAGE', 'foo'],
    ['MEMORY', 'USAGE', 'n'],
    ['MEMORY', 'USAGE', 'e'],
    ['MEMORY', 'USAGE', 'r'],
    ['MEMORY', 'USAGE', 'k300'],
    ['MEMORY', 'USAGE', 'a-longer-key-name-here'],
    ['MEMORY', 'USAGE', 'foo', 'SAMPLES', '0'],
    ['MEMORY', 'USAGE', 'foo', 'SAMPLES', '-1'],
    ['MEMORY', 'USAGE', 'foo', 'SAMPLES', 'x'],
    ['MEMORY', 'USAGE', 'foo', 'SAMPLES'],
    ['MEMORY', 'USAGE', 'foo', 'BAR'],
    ['MEMORY', 'USAGE', 'missing', 'SAMPLES', '-1'],
    ['LATENCY'],
    ['LATENCY', 'HELP'],
    ['LATENCY', 'NOPE'],
    ['LATENCY', 'LATEST'],
    ['LATENCY', 'LATEST', 'x'],
    ['LATENCY', 'HISTORY'],
    ['LATENCY', 'HISTORY', 'command'],
    ['LATENCY', 'GRAPH', 'command'],
    ['LATENCY', 'RESET'],
    ['LATENCY', 'RESET', 'command', 'fast-command'],
    ['LATENCY', 'DOCTOR'],
    ['CONFIG', 'SET', 'latency-monitor-threshold', '1000'],
    ['LATENCY', 'DOCTOR'],
    ['CONFIG', 'SET', 'latency-monitor-threshold', '0'],
    // Containers list their subcommands in Redis's (per-process random) dict order: compare each.
    ...['slowlog|get', 'slowlog|len', 'slowlog|reset', 'slowlog|help', 'memory|usage', 'memory|doctor', 'memory|stats', 'memory|malloc-stats', 'memory|purge', 'memory|help']
      .concat(['latency|latest', 'latency|history', 'latency|graph', 'latency|doctor', 'latency|reset', 'latency|histogram', 'latency|help'])
      .map((c) => ['COMMAND', 'INFO', c]),
  ];

  for (const resp of [2, 3] as const) {
    it(`deterministic replies match redis-server (RESP${resp})`, () => expectSameReplies(ours, redis, same, resp));
  }

  it('SLOWLOG records commands over the threshold, trims arguments, honours max-len and redacts AUTH', async () => {
    const c = new Redis({ port: ours.port, host: ours.host });
    try {
      await c.call('CLIENT', 'SETNAME', 'slowpoke');
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await c.call('CONFIG', 'SET', 'slowlog-max-len', '3');
      await c.call('SLOWLOG', 'RESET');
      await c.call('SET', 'k', 'v'.repeat(200));
      await c.call('AUTH', 'secret').catch(() => undefined);
      await c.call('RPUSH', 'l', ...Array.from({ length: 40 }, (_, i) => String(i)));
      const log = (await c.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[], string, string][];
      expect(log.length).toBe(3);
      const [push, auth, set] = log;
      expect(push![3]!.length).toBe(32);
      expect(push![3]![31]).toBe('... (11 more arguments)');
      expect(auth![3]).toEqual(['AUTH', '(redacted)']);
      expect(set![3]).toEqual(['SET', 'k', `${'v'.repeat(128)}... (72 more bytes)`]);
      expect(push![0]).toBeGreaterThan(auth![0]);
      expect(push![5]).toBe('slowpoke');
      expect(push![4]).toMatch(/^127\.0\.0\.\d+:\d+$/);
      expect(Math.abs(push![1] - Date.now() / 1000)).toBeLessThan(60);
      expect(await c.call('SLOWLOG', 'LEN')).toBe(3);
      expect(((await c.call('SLOWLOG', 'GET', '1')) as unknown[]).length).toBe(1);
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
      await c.call('SLOWLOG', 'RESET');
      await c.call('PING');
      expect(await c.call('SLOWLOG', 'LEN')).toBe(0);
      // EXEC itself is not logged, the commands it runs are.
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await c.call('MULTI');
      await c.call('INCR', 'x');
      await c.call('EXEC');
      const names = ((await c.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[]][]).map((e) => e[3][0]);
      expect(names).toContain('INCR');
      expect(names).not.toContain('EXEC');
    } finally {
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
      c.disconnect();
    }
  });

  it('LATENCY records slow commands as events once the threshold is set', async () => {
    const c = new Redis({ port: ours.port, host: ours.host });
    try {
      await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '5');
      await c.call('DEBUG', 'SLEEP', '0.05');
      const latest = (await c.call('LATENCY', 'LATEST')) as [string, number, number, number][];
      expect(latest.map((e) => e[0])).toEqual(['command']);
      expect(latest[0]![2]).toBeGreaterThanOrEqual(40);
      const history = (await c.call('LATENCY', 'HISTORY', 'command')) as [number, number][];
      expect(history.length).toBe(1);
      expect(String(await c.call('LATENCY', 'GRAPH', 'command'))).toMatch(/^command - high \d+ ms/);
      expect(String(await c.call('LATENCY', 'DOCTOR'))).toMatch(/latency spikes/);
      expect(await c.call('LATENCY', 'RESET')).toBe(1);
      expect(await c.call('LATENCY', 'LATEST')).toEqual([]);
    } finally {
      await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
      c.disconnect();
    }
  });

  it('MEMORY STATS, MALLOC-STATS and USAGE of collections answer in Redis shapes', async () => {
    const c = new Redis({ port: ours.port, host: ours.host });
    try {
      await c.call('RPUSH', 'list', 'a', 'b', 'c');
      await c.call('HSET', 'hash', 'f', 'v');
      const stats = (await c.call('MEMORY', 'STATS')) as unknown[];
      const keys = stats.filter((_, i) => i % 2 === 0);
      for (const k of ['peak.allocated', 'total.allocated', 'keys.count', 'dataset.bytes', 'dataset.percentage', 'fragmentation', 'db.0']) expect(keys).toContain(k);
      expect(typeof (await c.call('MEMORY', 'MALLOC-STATS'))).toBe('string');
      expect(await c.call('MEMORY', 'USAGE', 'list')).toBeGreaterThan(0);
      expect(await c.call('MEMORY', 'USAGE', 'hash', 'SAMPLES', '0')).toBeGreaterThan(0);
    } finally {
      c.disconnect();
    }
  });
});
