// The `redshard` subcommands on a small local cluster (3 masters, no replicas, Debian's
// redis-server as the node; REDSHARD_TEST_NODE_COMMAND selects another): `up --json`, the slot map
// of `status`, `rebalance` evening out slots moved by hand with redis-cli --cluster reshard (plain
// progress lines when stderr is not a TTY, a bar redrawn in place on one), errors that need a running cluster, `down --json`.
// Scaling under load and failover are covered by test/operator/local-mode.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';
import { CLI, redshard } from './cli-run.js';

const NODE_COMMAND = process.env.REDSHARD_TEST_NODE_COMMAND ?? 'redis-server';

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface ShardJson {
  index: number;
  master?: { address?: string; id?: string };
  replicas: unknown[];
  slotCount: number;
  slots: string;
}
interface StatusJson {
  name: string;
  status: { phase: string; slotsAssigned: number; shards: ShardJson[] };
}

describe.skipIf(!hasRedisServer())('redshard subcommands on a local cluster', () => {
  let dir: string;
  const cli = (args: string[]) => redshard([...args, '--dir', dir]);
  const status = async () => JSON.parse((await cli(['status', '--json'])).stdout) as StatusJson;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'redshard-cli-local-'));
  });
  afterAll(async () => {
    if (existsSync(join(dir, '.redshard'))) await cli(['down', '--force']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('up --json: Ready, one JSON document on stdout, progress on stderr', async () => {
    const port = await freePort();
    const hostBase = 150 + (process.pid % 80);
    const r = await cli(['up', '--json', '--shards', '3', '--replicas', '0', '--name', 'demo', '--node-command', NODE_COMMAND, '--port', String(port), '--host-base', String(hostBase), '--node-timeout-ms', '3000', '--timeout', '90']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`starting 3 shard(s) x 0 replica(s) with ${NODE_COMMAND} on 127.0.0.${hostBase}+ port ${port}`);
    const j = JSON.parse(r.stdout) as StatusJson & { connect: { host: string; port: number } };
    expect(j.name).toBe('demo');
    expect(j.status.phase).toBe('Ready');
    expect(j.status.slotsAssigned).toBe(16384);
    expect(j.connect).toEqual({ host: `127.0.0.${hostBase}`, port });
  });

  it('status draws the slot map and a shard table a person reads at a glance', async () => {
    const r = await cli(['status']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('cluster demo: Ready  16384/16384 slots  members 3/3');
    expect(r.stdout).toMatch(/^ {2}\[A{21}A?B{21}B?C{21}C?\]$/m);
    expect(r.stdout).toMatch(/^ {2}shard +master +replicas +slots$/m);
    expect(r.stdout).toMatch(/^ {2}A 0 +127\.0\.0\.\d+:\d+ +- +5462 \(0-5461\)$/m);
    expect(r.stdout).toMatch(/^ {2}C 2 +127\.0\.0\.\d+:\d+ +- +5461 \(10923-16383\)$/m);
  });

  it('rebalance evens out slots moved by hand, keeping every key', async () => {
    const before = await status();
    const [a, b] = [before.status.shards[0]!.master!, before.status.shards[1]!.master!];
    const [host, port] = a.address!.split(':') as [string, string];
    const client = new Cluster([{ host, port: Number(port) }], { redisOptions: { maxRetriesPerRequest: 20 } });
    try {
      for (let i = 0; i < 500; i++) await client.set(`k:${i}`, String(i));
      execFileSync('redis-cli', ['--cluster', 'reshard', a.address!, '--cluster-from', a.id!, '--cluster-to', b.id!, '--cluster-slots', '400', '--cluster-yes'], { stdio: 'ignore', timeout: 120_000 });
      const uneven = await status();
      expect(uneven.status.shards.map((s) => s.slotCount)).toEqual([5062, 5861, 5461]);
      const r = await cli(['rebalance', '--json', '--timeout', '120']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('rebalancing demo: slots per master now 5062 / 5861 / 5461\n');
      // Not a TTY: progress comes as plain lines, without carriage returns or escape codes.
      expect(r.stderr).toMatch(/^Rebalance \[#*-*\] slots moved \d+ of \d+$/m);
      expect(r.stderr).not.toMatch(/[\r\x1b]/);
      const j = JSON.parse(r.stdout) as { slotsMoved: number; before: number[]; after: number[]; status: { phase: string } };
      expect(j.status.phase).toBe('Ready');
      expect(j.before).toEqual([5062, 5861, 5461]);
      expect([...j.after].sort()).toEqual([5461, 5461, 5462]);
      expect(j.slotsMoved).toBeGreaterThanOrEqual(399);
      expect(r.stderr).toContain(`moved ${j.slotsMoved} slot(s); slots per master now ${j.after.join(' / ')}\n`);
      for (let i = 0; i < 500; i++) expect(await client.get(`k:${i}`)).toBe(String(i));
    } finally {
      client.disconnect();
    }
    const again = await cli(['rebalance']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already balanced: no slot moved');
    expect(again.stdout).toContain('cluster demo: Ready  16384/16384 slots');
  }, 150_000);

  it.skipIf(!hasScript())('on a terminal the progress bar redraws one line in place', async () => {
    const st = await status();
    const [a, c] = [st.status.shards[0]!.master!, st.status.shards[2]!.master!];
    execFileSync('redis-cli', ['--cluster', 'reshard', a.address!, '--cluster-from', a.id!, '--cluster-to', c.id!, '--cluster-slots', '200', '--cluster-yes'], { stdio: 'ignore', timeout: 120_000 });
    // script(1) gives the command a pseudo-terminal; what it printed lands in the typescript file.
    const log = join(dir, 'tty.log');
    const command = [process.execPath, CLI, 'rebalance', '--dir', dir, '--timeout', '120'].map((w) => `'${w}'`).join(' ');
    execFileSync('script', ['-qfec', command, log], { stdio: 'ignore', timeout: 150_000 });
    const text = readFileSync(log, 'latin1');
    expect(text).toMatch(/\r\x1b\[2KRebalance \[#*-*\] slots moved \d+ of \d+/);
    expect(text).toContain('moved ');
    expect((await status()).status.shards.map((s) => s.slotCount).sort()).toEqual([5461, 5461, 5462]);
  }, 180_000);

  it('explains wrong flags that only a running cluster can judge', async () => {
    const cases: [string[], string][] = [
      [['failover', '--shard', '7'], 'redshard: no shard 7; shards are 0, 1, 2\n'],
      [['failover', '--shard', '1'], 'redshard: shard 1 has no replica to promote\n'],
      [['up', '--shards', '5'], `redshard: a cluster with 3 shard(s) already exists in ${join(dir, '.redshard')}; use \`redshard scale --shards 5\`\n`],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.stderr, args.join(' ')).toBe(message);
      expect(r.code).toBe(2);
    }
    const big = await cli(['scale', '--shards', '100', '--replicas', '5']);
    expect(big.stderr).toMatch(/^redshard: invalid cluster spec: .*shards x \(replicasPerShard \+ 1\) must be at most 300\n$/);
    expect(big.code).toBe(2);
    expect((await status()).status.shards).toHaveLength(3);
  });

  it('down --json stops every process and removes the state', async () => {
    const r = await cli(['down', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: 'demo', stopped: 3 });
    expect(existsSync(join(dir, '.redshard'))).toBe(false);
  });
});
