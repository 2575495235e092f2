// Every wrong flag of every subcommand gets one sentence naming the flag and exit code 2, and no
// subcommand does anything (no state directory appears) when its flags are wrong.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redshard } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'redshard-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases: [string[], RegExp][] = [
  [['up', '--shards', 'three'], /^redshard: --shards must be a number$/m],
  [['up', '--shards', '0'], /^redshard: --shards must be at least 1$/m],
  [['up', '--shards', '101'], /^redshard: --shards must be at most 100$/m],
  [['up', '--replicas', '1.5'], /^redshard: --replicas must be a whole number$/m],
  [['up', '--port', '80', '--host-base', '300'], /--port must be at least 1024\nredshard: --host-base must be at most 250/],
  [['up', '--name', 'My_Cluster'], /--name must be a lower-case DNS label/],
  [['up', '--node-timeout-ms', '10'], /--node-timeout-ms must be at least 500/],
  [['up', '--shard', '3'], /unknown option '--shard'[\s\S]*Did you mean --shards\?/],
  [['up', '--node-command', 'no-such-node-program'], /^redshard: node command "no-such-node-program" was not found \(try --node-command redis-server\)$/m],
  [['scale'], /required option '--shards <n>' not specified/],
  [['scale', '--shards', '-1'], /--shards must be at least 1/],
  [['scale', '--shards', '4', '--timeout', 'soon'], /--timeout must be a number/],
  [['failover'], /required option '--shard <n>' not specified/],
  [['failover', '--shard', 'x', '--mode', 'nice'], /--shard must be a number\nredshard: --mode must be default, force or takeover/],
  [['rebalance', '--timeout', '0'], /--timeout must be at least 1/],
  [['down', '--timeout', '9999'], /--timeout must be at most 600/],
  [['status', '--name', 'x'], /--name only applies with --kube/],
  [['status', '--context', 'kind'], /--context only applies with --kube/],
  [['status', '--kube', '--namespace', 'Bad_NS'], /--namespace must be a lower-case DNS label/],
  [['status', '--kube', '--kubeconfig', '/nonexistent/kubeconfig'], /--kubeconfig \/nonexistent\/kubeconfig: no such file/],
  [['frobnicate'], /unknown command 'frobnicate'/],
];

describe('redshard explains wrong flags', () => {
  it.each(cases)('%j', async (args, message) => {
    const r = await redshard([...args, '--dir', dir]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, '.redshard'))).toBe(false);
  });

  it('every command that needs a local cluster says there is none', async () => {
    for (const cmd of [['status'], ['scale', '--shards', '2'], ['failover', '--shard', '0'], ['rebalance']]) {
      const r = await redshard([...cmd, '--dir', dir]);
      expect(r.stderr, cmd.join(' ')).toBe(`redshard: no local cluster in ${join(dir, '.redshard')}; start one with \`redshard up\`\n`);
      expect(r.code).toBe(2);
    }
    const down = await redshard(['down', '--dir', dir]);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('nothing to stop');
  });

  it('--help lists every subcommand and exits 0', async () => {
    const r = await redshard(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['up', 'down', 'status', 'scale', 'failover', 'rebalance']) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });
});
