// Starting and stopping real server processes (our node, Debian's redis-server) for tests.
// Every process started here is killed when the test file ends.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { freePort } from './ports.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const NODE_BIN = join(ROOT, 'bin', 'redshard-node.js');

export interface ServerProcess {
  kind: 'redshard' | 'redis';
  host: string;
  port: number;
  dir: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const live = new Set<ServerProcess>();

const tempDirs = new Set<string>();

// Data directories outlive their process (restart tests reuse them) and go when the file ends.
function cleanup(): void {
  for (const p of live) p.proc.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanup);

export interface StartOptions {
  host?: string;
  port?: number;
  args?: string[];
  dir?: string;
  configFile?: string;
}

export async function startNode(opts: StartOptions = {}): Promise<ServerProcess> {
  return start('redshard', opts);
}

export async function startRedis(opts: StartOptions = {}): Promise<ServerProcess> {
  return start('redis', opts);
}

async function start(kind: 'redshard' | 'redis', opts: StartOptions): Promise<ServerProcess> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `${kind}-`));
  if (!opts.dir) tempDirs.add(dir);
  const args = [...(opts.configFile ? [opts.configFile] : []), '--port', String(port), '--bind', host, '--dir', dir, ...(opts.args ?? [])];
  const proc =
    kind === 'redshard'
      ? spawn(process.execPath, [NODE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDSHARD_LOG_LEVEL: process.env.REDSHARD_LOG_LEVEL ?? 'warn' } })
      : spawn('redis-server', [...args, '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const sp: ServerProcess = {
    kind,
    host,
    port,
    dir,
    proc,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolveStop) => {
        live.delete(sp);
        if (proc.exitCode !== null || proc.signalCode !== null) return resolveStop(proc.exitCode);
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        proc.once('exit', (code) => {
          clearTimeout(t);
          resolveStop(code);
        });
        proc.kill(signal);
      }),
  };
  live.add(sp);
  await waitForPort(host, port, proc, () => out);
  return sp;
}

async function waitForPort(host: string, port: number, proc: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${out()}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host, port }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on ${host}:${port} did not start: ${out()}`);
}

/** Runs redis-cli and returns its stdout (raw mode unless args say otherwise). */
export function redisCli(port: number, args: string[], opts: { host?: string; input?: string } = {}): string {
  return execFileSync('redis-cli', ['-h', opts.host ?? '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'latin1',
    input: opts.input,
    timeout: 60_000,
  });
}

/** Sends raw bytes and collects what comes back until the server closes or goes quiet. */
export function rawExchange(port: number, data: Buffer | string, opts: { host?: string; quietMs?: number } = {}): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolveEx) => {
    const s = net.connect({ host: opts.host ?? '127.0.0.1', port });
    let reply = '';
    let timer: NodeJS.Timeout;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolveEx({ reply, closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(false), opts.quietMs ?? 300);
    };
    s.on('data', (d) => {
      reply += d.toString('latin1');
      arm();
    });
    s.on('close', () => done(true));
    s.on('error', () => done(true));
    s.on('connect', () => {
      s.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      arm();
    });
  });
}

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version']);
    return true;
  } catch {
    return false;
  }
}
