// Helpers for the local-mode operator tests: the real CLI entry point, the node processes of a
// run, and a continuous writer that remembers every acknowledged write.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';
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

/** Writes continuously through a cluster client; remembers the last acknowledged value per key. */
export class Writer {
  readonly acked = new Map<string, string>();
  errors: string[] = [];
  writes = 0;
  private stopped = false;
  private done: Promise<void> | null = null;

  constructor(
    private readonly client: Cluster,
    private readonly keys: number,
  ) {}

  start(): void {
    this.done = (async () => {
      let n = 0;
      while (!this.stopped) {
        const batch: Promise<void>[] = [];
        for (let i = 0; i < 20; i++) {
          const key = `k:${(n * 20 + i) % this.keys}`;
          const value = `v${n}-${i}`;
          batch.push(
            this.client.set(key, value).then(
              () => {
                this.acked.set(key, value);
                this.writes++;
              },
              (e: unknown) => {
                this.errors.push(String(e));
              },
            ),
          );
        }
        await Promise.all(batch);
        n++;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

export async function verify(client: Cluster, acked: Map<string, string>): Promise<string[]> {
  const bad: string[] = [];
  const keys = [...acked.keys()];
  for (let i = 0; i < keys.length; i += 100) {
    const chunk = keys.slice(i, i + 100);
    const values = await Promise.all(chunk.map((k) => client.get(k)));
    chunk.forEach((k, j) => {
      if (values[j] !== acked.get(k)) bad.push(`${k}: ${values[j]} != ${acked.get(k)}`);
    });
  }
  return bad;
}

export type StatusJson = { status: { phase: string; slotsAssigned: number; shards: { index: number; master?: { address?: string }; replicas: unknown[]; slotCount: number; slots: string }[] } };
