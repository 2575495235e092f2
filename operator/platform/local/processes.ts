// Detached node processes: started in their own session with output in a log file, so they keep
// running after the CLI exits; found again by pid (checked against /proc so a reused pid is not
// mistaken for a member).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export function spawnNode(argv: readonly string[], args: readonly string[], dir: string): number {
  mkdirSync(dir, { recursive: true });
  const out = openSync(join(dir, 'node.log'), 'a');
  const child = spawn(argv[0]!, [...argv.slice(1), ...args], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, REDSHARD_LOG_LEVEL: process.env.REDSHARD_NODE_LOG_LEVEL ?? 'warn' },
  });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${argv.join(' ')}`);
  return child.pid;
}

/** The process with this pid is alive and was started with this port on its command line. */
export function isNodeProcess(pid: number | null, port: number): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true;
  try {
    const argv = readFileSync(cmdline, 'latin1').split('\0');
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // A zombie (exited, not yet reaped by its parent) is as good as dead.
    if (/\) Z /.test(stat)) return false;
    // redis-server rewrites its argv into "redis-server 127.0.0.11:7000 [cluster]".
    const title = new RegExp(`:${port}(\\s|$)`);
    return argv.some((a, i) => (a === '--port' && argv[i + 1] === String(port)) || title.test(a));
  } catch {
    return false;
  }
}

export function canConnect(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
export async function stopProcess(pid: number | null, port: number, graceMs = 5000): Promise<void> {
  if (!isNodeProcess(pid, port)) return;
  try {
    process.kill(pid!, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isNodeProcess(pid, port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(pid!, 'SIGKILL');
  } catch {
    return;
  }
  while (isNodeProcess(pid, port)) await new Promise((r) => setTimeout(r, 20));
}
