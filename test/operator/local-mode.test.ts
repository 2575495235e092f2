// Local mode end to end against Debian's redis-server 7.0 as the node (REDSHARD_TEST_NODE_COMMAND
// selects another, e.g. bin/redshard-node.js): `redshard up` -> Ready with 16384 slots and an
// ioredis Cluster client working; scale 3 -> 4 and 4 -> 3 while a client writes continuously, with
// zero client errors and every acknowledged write readable with its last value; `redshard down`
// stops every process. One cluster for the whole file, run through the real CLI entry point.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, hasRedisServer } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';
import { keySlot } from '../../common/slots.js';

const run = promisify(execFile);
const CLI = join(ROOT, 'bin', 'redshard.js');
const NODE_COMMAND = process.env.REDSHARD_TEST_NODE_COMMAND ?? 'redis-server';

interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

async function cli(dir: string, args: string[], timeoutMs = 170_000): Promise<CliResult> {
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
function pidsOf(port: number, hostBase: number): string[] {
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
class Writer {
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

async function verify(client: Cluster, acked: Map<string, string>): Promise<string[]> {
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

type StatusJson = { status: { phase: string; slotsAssigned: number; shards: { index: number; master?: { address?: string }; replicas: unknown[]; slotCount: number; slots: string }[] } };

describe.skipIf(!hasRedisServer())('local mode (redshard up/status/scale/down)', () => {
  let dir: string;
  let port: number;
  let hostBase: number;
  let client: Cluster | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshard-local-'));
    port = await freePort();
    hostBase = 100 + (process.pid % 100);
  });

  afterAll(async () => {
    client?.disconnect();
    if (existsSync(join(dir, '.redshard'))) await cli(dir, ['down', '--force']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('up: 3 shards x 1 replica, Ready with all 16384 slots, prints how to connect', async () => {
    const r = await cli(dir, ['up', '--node-command', NODE_COMMAND, '--port', String(port), '--host-base', String(hostBase), '--node-timeout-ms', '3000', '--timeout', '90']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Ready  16384/16384 slots');
    expect(r.stdout).toContain(`redis-cli -c -h 127.0.0.${hostBase} -p ${port}`);
    const s = await cli(dir, ['status', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const st = JSON.parse(s.stdout) as StatusJson;
    expect(st.status.phase).toBe('Ready');
    expect(st.status.slotsAssigned).toBe(16384);
    expect(st.status.shards.map((x) => x.replicas.length)).toEqual([1, 1, 1]);
    expect(pidsOf(port, hostBase).length, pidsOf(port, hostBase).join('\n')).toBe(6);
  });

  it('an ioredis Cluster client reads and writes across all shards', async () => {
    client = new Cluster([{ host: `127.0.0.${hostBase}`, port }], { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 20 } });
    for (let i = 0; i < 300; i++) await client.set(`hello:${i}`, String(i));
    expect(await client.get('hello:299')).toBe('299');
    const masters = client.nodes('master');
    expect(masters.length).toBe(3);
    const sizes = await Promise.all(masters.map((m) => m.dbsize()));
    expect(sizes.every((n) => n > 0)).toBe(true);
  });

  it('scale 3 -> 4 under continuous writes: zero client errors, every acknowledged write readable', async () => {
    const w = new Writer(client!, 3000);
    w.start();
    await new Promise((r) => setTimeout(r, 500));
    // The operator is killed mid-rebalance, then started again: it must finish from what the
    // nodes report (open slots included).
    const first = spawn(process.execPath, [CLI, 'scale', '--shards', '4', '--dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let progress = '';
    await new Promise<void>((resolve) => {
      first.stderr!.on('data', (d: Buffer) => {
        progress += d.toString();
        if (/slots moved [1-9]\d* of/.test(progress)) resolve();
      });
      first.on('exit', () => resolve());
    });
    first.kill('SIGKILL');
    const r = await cli(dir, ['scale', '--shards', '4', '--timeout', '170']);
    await w.stop();
    expect(progress, progress).toMatch(/slots moved [1-9]\d* of 4096/);
    expect(r.code, r.stderr).toBe(0);
    expect(w.errors.slice(0, 5)).toEqual([]);
    expect(w.writes).toBeGreaterThan(1000);
    expect(await verify(client!, w.acked)).toEqual([]);
    const st = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    expect(st.status.shards.map((x) => x.slotCount)).toEqual([4096, 4096, 4096, 4096]);
  }, 200_000);

  it('scale 4 -> 3 under continuous writes: drained, removed, no key lost', async () => {
    const w = new Writer(client!, 3000);
    w.start();
    const r = await cli(dir, ['scale', '--shards', '3', '--timeout', '170']);
    await w.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(w.errors.slice(0, 5)).toEqual([]);
    expect(await verify(client!, w.acked)).toEqual([]);
    for (let i = 0; i < 300; i++) expect(await client!.get(`hello:${i}`)).toBe(String(i));
    const st = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    expect(st.status.shards.length).toBe(3);
    expect(st.status.slotsAssigned).toBe(16384);
    expect(pidsOf(port, hostBase).length, pidsOf(port, hostBase).join('\n')).toBe(6);
  }, 200_000);

  it('failover --shard 0 promotes the replica and the cluster stays Ready', async () => {
    const before = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    const r = await cli(dir, ['failover', '--shard', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('is now the master of shard 0');
    const after = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    expect(after.status.shards[0]!.master!.address).not.toBe(before.status.shards[0]!.master!.address);
    for (let i = 0; i < 300; i++) expect(await client!.get(`hello:${i}`)).toBe(String(i));
  }, 60_000);

  it('a killed master fails over; `up` brings its process back as a replica and the cluster Ready', async () => {
    const before = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    const shard = before.status.shards[1]!;
    const [lo, hi] = shard.slots.split(' ')[0]!.split('-').map(Number) as [number, number];
    let tag = 0;
    while (keySlot(`t${tag}`) < lo || keySlot(`t${tag}`) > (hi ?? lo)) tag++;
    const key = (i: number | string) => `fo:{t${tag}}:${i}`;
    for (let i = 0; i < 100; i++) await client!.set(key(i), String(i));
    // Let the replica catch up so the failover loses nothing acknowledged here.
    await client!.call('WAIT', '1', '2000');
    const state = JSON.parse(readFileSync(join(dir, '.redshard', 'cluster.json'), 'utf8')) as { members: Record<string, { host: string; port: number; pid: number }> };
    const victim = Object.values(state.members).find((m) => `${m.host}:${m.port}` === shard.master!.address)!;
    process.kill(victim.pid, 'SIGKILL');
    const started = Date.now();
    // The cluster promotes the replica on its own; the client sees the shard come back.
    for (;;) {
      try {
        await client!.set(key('probe'), 'x');
        break;
      } catch {
        if (Date.now() - started > 30_000) throw new Error('no failover within 30 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const r = await cli(dir, ['up', '--timeout', '60']);
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusJson;
    expect(after.status.phase).toBe('Ready');
    expect(after.status.shards[1]!.master!.address).not.toBe(shard.master!.address);
    expect(after.status.shards[1]!.replicas).toHaveLength(1);
    for (let i = 0; i < 100; i++) expect(await client!.get(key(i))).toBe(String(i));
  }, 120_000);

  it('down stops every process and removes the state', async () => {
    client!.disconnect();
    client = null;
    const r = await cli(dir, ['down']);
    expect(r.code, r.stderr).toBe(0);
    expect(pidsOf(port, hostBase)).toEqual([]);
    expect(existsSync(join(dir, '.redshard'))).toBe(false);
  });

  it('explains wrong flags', async () => {
    const a = await cli(dir, ['scale', '--shards', 'two']);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain('--shards must be a number');
    const b = await cli(dir, ['up', '--shard', '3']);
    expect(b.stderr).toMatch(/unknown option '--shard'[\s\S]*--shards/);
    const c = await cli(dir, ['status']);
    expect(c.stderr).toContain('no local cluster');
  });
});
