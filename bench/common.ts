// Shared pieces of the benchmark scripts: starting our node and Debian's redis-server side by side
// on loopback, reading RSS, polling, and stopping everything at exit.
import { spawn, spawnSync, execFileSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { freePort } from '../test/helpers/ports.ts';

export const ROOT = resolve(import.meta.dirname, '..');

export interface Proc {
  name: string;
  port: number;
  child: ChildProcess;
  /** Its --dir (removed by stop() and at exit). */
  dir: string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

/**
 * Starts a server on 127.0.0.1:port in a fresh directory, without persistence. For our node,
 * `nodeFlags` go to Node itself (--cpu-prof, --trace-gc), `logLevel` sets its log level, and
 * `pipe` keeps its stdout/stderr readable on the child.
 */
export async function startServer(
  kind: 'redshard' | 'redis',
  port: number,
  extra: string[] = [],
  opts: { nodeFlags?: string[]; logLevel?: string; pipe?: boolean } = {},
): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  dirs.push(dir);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra];
  const stdio: StdioOptions = opts.pipe ? ['ignore', 'pipe', 'pipe'] : 'ignore';
  const child =
    kind === 'redshard'
      ? spawn(process.execPath, [...(opts.nodeFlags ?? []), join(ROOT, 'bin', 'redshard-node.js'), ...args], { stdio, env: { ...process.env, REDSHARD_LOG_LEVEL: opts.logLevel ?? 'warn' } })
      : spawn('redis-server', args, { stdio });
  children.push(child);
  await waitPort(port);
  return { name: kind, port, child, dir };
}

export function stop(p: Proc): Promise<void> {
  const done = () => rmSync(p.dir, { recursive: true, force: true });
  return new Promise<void>((r) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return r();
    p.child.once('exit', () => r());
    p.child.kill('SIGTERM');
    setTimeout(() => p.child.kill('SIGKILL'), 5000).unref();
  }).then(done);
}

export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** The 1, 5 and 15 minute load averages, as printed beside every figure. */
export const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** [user, system] CPU seconds, every thread, a process has used so far; [0, 0] once it is gone. */
export function cpuSeconds(pid: number | undefined): [number, number] {
  if (pid === undefined) return [0, 0];
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(f[11]) / 100, Number(f[12]) / 100];
  } catch {
    return [0, 0];
  }
}

export function cli(port: number, args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();
}

/** Bulk-loads SET key:NNNNNNNN value(i) for i < keys through one redis-cli --pipe, as a user would. */
export function pipeLoad(port: number, keys: number, value: (i: number) => string): void {
  const chunks: string[] = [];
  let proto = '';
  for (let i = 0; i < keys; i++) {
    const k = `key:${String(i).padStart(8, '0')}`;
    const v = value(i);
    proto += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
    if (proto.length > 1 << 20) {
      chunks.push(proto);
      proto = '';
    }
  }
  chunks.push(proto);
  const r = spawnSync('redis-cli', ['-p', String(port), '--pipe'], { input: chunks.join(''), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`load failed: ${r.stderr}`);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a synchronous check (typically redis-cli) until it holds; a check that throws (a node not
 * answering yet) counts as not yet. */
export async function until(what: string, pred: () => boolean, ms = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (pred()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Two cluster nodes of one kind that have met, A holding all 16384 slots, both reporting
 * cluster_state:ok. The processes are pushed onto `procs` as they start, so the caller's cleanup
 * stops them even when this throws.
 */
export async function startMetPair(kind: 'redshard' | 'redis', procs: Proc[]): Promise<{ a: Proc; b: Proc; idA: string; idB: string }> {
  for (let i = 0; i < 2; i++) procs.push(await startServer(kind, await freePort(), ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
  const [a, b] = procs.slice(-2) as [Proc, Proc];
  cli(a.port, ['cluster', 'addslotsrange', '0', '16383']);
  cli(b.port, ['cluster', 'meet', '127.0.0.1', String(a.port)]);
  const idA = cli(a.port, ['cluster', 'myid']);
  const idB = cli(b.port, ['cluster', 'myid']);
  await until('the nodes meet', () => cli(a.port, ['cluster', 'nodes']).includes(idB) && ![a, b].some((p) => cli(p.port, ['cluster', 'nodes']).includes('handshake')), 20_000);
  await until('cluster ok on both', () => [a, b].every((p) => cli(p.port, ['cluster', 'info']).includes('cluster_state:ok')), 20_000);
  return { a, b, idA, idB };
}
