// Runs the real `redshard` entry point (bin/redshard.js, built tree) as a child process.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/processes.js';

const run = promisify(execFile);
export const CLI = join(ROOT, 'bin', 'redshard.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export async function redshard(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { timeout: opts.timeoutMs ?? 170_000, encoding: 'utf8', env: opts.env ?? process.env });
    return { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', code: typeof err.code === 'number' ? err.code : 1 };
  }
}
