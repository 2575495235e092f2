// Helpers for the local-mode operator tests: the real CLI entry point, one run's directory, port
// and addresses with its cleanup, and the node processes of a run (the continuous writer is
// test/helpers/cluster-writer.ts).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, type ClusterOptions } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { ROOT } from '../helpers/processes.js';

const run = promisify(execFile);
export const CLI = join(ROOT, 'bin', 'redshard.js');
export const NODE_COMMAND = process.env.REDSHARD_TEST_NODE_COMMAND ?? 'redis-server';

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export async function cli(dir: string, args: string[], timeoutMs = 170_000): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [CLI, ...args, '--dir', dir], { timeout: timeoutMs, encoding: 'utf8' });
    return { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', code: typeof err.code === 'number' ? err.code : 1 };
  }
}

/** Node processes of this run: redis-server retitles itself "127.0.0.x:port", our node keeps
 * "--bind 127.0.0.x ... --port port"; other tests may use the same port on other addresses. */
export function pidsOf(port: number, hostBase: number): string[] {
  const out: string[] = [];
  const mine = (host: string) => {
    const last = Number(host.split('.')[3]);
    return host.startsWith('127.0.0.') && last >= hostBase && last < hostBase + 16;
  };
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0');
      const title = argv.join(' ');
      const m = new RegExp(`(127\\.0\\.0\\.\\d+):${port}(\\s|$)`).exec(title);
      const bind = argv[argv.indexOf('--bind') + 1] ?? '';
      const byArgs = argv.includes('--port') && argv[argv.indexOf('--port') + 1] === String(port) && mine(bind);
      if ((m && mine(m[1]!)) || byArgs) out.push(`${p} ${title}`);
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

export type StatusJson = { status: { phase: string; slotsAssigned: number; shards: { index: number; master?: { address?: string }; replicas: { address?: string }[]; slotCount: number; slots: string }[] } };

export interface LocalRun {
  readonly dir: string;
  readonly port: number;
  /** Last octet of the first member's address 127.0.0.<hostBase>. */
  readonly hostBase: number;
  /** The CLI on this run's directory. */
  cli(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** `redshard up` with this run's port and addresses, then `args`. */
  up(nodeCommand: string, args: string[]): Promise<CliResult>;
  /** A cluster client seeded with the first member (default: masters only, 20 retries); disconnected after the tests. */
  client(options?: ClusterOptions): Cluster;
  /** This run's node processes. */
  pids(): string[];
}

/**
 * One local-mode cluster for the enclosing describe: a fresh directory and client port before its
 * tests; after them, its clients disconnected, `redshard down --force` and the directory removed.
 * hostBase keeps the files' addresses apart (they run in parallel).
 */
export function useLocalRun(name: string, hostBase: number): LocalRun {
  let dir = '';
  let port = 0;
  const clients: Cluster[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `redshard-${name}-`));
    port = await freePort();
  });
  afterAll(async () => {
    for (const c of clients) if (c.status !== 'end') c.disconnect();
    if (!dir) return;
    if (existsSync(join(dir, '.redshard'))) await cli(dir, ['down', '--force']);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() { return dir; },
    get port() { return port; },
    hostBase,
    cli: (args, timeoutMs) => cli(dir, args, timeoutMs),
    up: (nodeCommand, args) => cli(dir, ['up', '--node-command', nodeCommand, '--port', String(port), '--host-base', String(hostBase), ...args]),
    client(options = { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 20 } }) {
      const c = new Cluster([{ host: `127.0.0.${hostBase}`, port }], options);
      clients.push(c);
      return c;
    },
    pids: () => pidsOf(port, hostBase),
  };
}
