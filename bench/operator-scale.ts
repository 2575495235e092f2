// Local-mode scale-out with the operator: `redshard up` (3 shards x 1 replica), 1,000,000 keys
// written straight to their masters, then `redshard scale --shards 4` timed until Ready. Run for
// our node (atomic IMPORT-SLOTS) and Debian's redis-server (SETSLOT + MIGRATE batches).
//   npm run build && flock /tmp/redshard-bench.lock node_modules/.bin/node bench/operator-scale.ts [keys] [redshard-node|redis-server ...]
// Prints a markdown table.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { keySlot } from '../common/slots.ts';
import { loadavg, ROOT } from './common.ts';

const run = promisify(execFile);
const CLI = join(ROOT, 'bin', 'redshard.js');
const KEYS = Number(process.argv[2] ?? 1_000_000);
const COMMANDS = process.argv.slice(3).length ? process.argv.slice(3) : ['redshard-node', 'redis-server'];

async function cli(dir: string, args: string[]): Promise<string> {
  const r = await run(process.execPath, [CLI, ...args, '--dir', dir], { timeout: 600_000, encoding: 'utf8', maxBuffer: 1 << 26 });
  return r.stdout;
}

interface StatusJson {
  status: { phase: string; shards: { master?: { address?: string }; slots: string; slotCount: number }[] };
}

/** Writes n keys, each pipelined to the master owning its slot. */
async function fill(st: StatusJson, n: number): Promise<void> {
  const owner = new Array<number>(16384);
  const clients: Redis[] = [];
  st.status.shards.forEach((s, i) => {
    const [host, port] = s.master!.address!.split(':') as [string, string];
    clients.push(new Redis({ host, port: Number(port), lazyConnect: false }));
    for (const part of s.slots.split(' ')) {
      const [a, b] = part.split('-').map(Number) as [number, number | undefined];
      for (let x = a; x <= (b ?? a); x++) owner[x] = i;
    }
  });
  const BATCH = 5000;
  for (let i = 0; i < n; i += BATCH) {
    const pipes = clients.map((c) => c.pipeline());
    for (let k = i; k < Math.min(n, i + BATCH); k++) {
      const key = `key:${k}`;
      pipes[owner[keySlot(key)]!]!.set(key, 'xxxxxxxxxxxxxxxx');
    }
    await Promise.all(pipes.map((p) => p.exec()));
  }
  for (const c of clients) c.disconnect();
}

async function one(command: string, port: number, hostBase: number): Promise<{ up: number; scale: number; keys: number; first: number; moving: number; groups: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'redshard-bench-scale-'));
  try {
    let t = performance.now();
    await cli(dir, ['up', '--node-command', command, '--port', String(port), '--host-base', String(hostBase), '--node-timeout-ms', '5000', '--timeout', '120']);
    const up = performance.now() - t;
    const st = JSON.parse(await cli(dir, ['status', '--json'])) as StatusJson;
    await fill(st, KEYS);
    t = performance.now();
    const wall = Date.now();
    await cli(dir, ['scale', '--shards', '4', '--timeout', '580']);
    const scale = performance.now() - t;
    // Where the time went, from the operator's log: until the first slot group moved (new members
    // started, met, replicas attached, agreement), and the moves themselves.
    const moves = readFileSync(join(dir, '.redshard', 'operator.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: number; msg: string; ms?: number })
      .filter((l) => l.msg === 'slots migrated' && l.time >= wall);
    const first = moves[0] ? moves[0].time - (moves[0].ms ?? 0) - wall : 0;
    const moving = moves.length ? moves[moves.length - 1]!.time - wall - first : 0;
    if (process.env.BENCH_VERBOSE) console.error(moves.map((m, i) => `${m.ms}+${i ? m.time - (m.ms ?? 0) - moves[i - 1]!.time : 0}`).join(' '));
    const after = JSON.parse(await cli(dir, ['status', '--json'])) as StatusJson;
    let keys = 0;
    for (const s of after.status.shards) {
      const [host, p] = s.master!.address!.split(':') as [string, string];
      const c = new Redis({ host, port: Number(p) });
      keys += await c.dbsize();
      c.disconnect();
    }
    return { up, scale, keys, first, moving, groups: moves.length };
  } finally {
    await cli(dir, ['down', '--force']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
for (const [i, command] of COMMANDS.entries()) {
  const load = loadavg();
  const r = await one(command, 17400 + i, 180 + i * 10);
  rows.push(`| ${command} | ${KEYS} | ${(r.up / 1000).toFixed(1)} | ${(r.scale / 1000).toFixed(1)} | ${(r.first / 1000).toFixed(1)} | ${(r.moving / 1000).toFixed(1)} (${r.groups} groups) | ${r.keys} | ${load} |`);
  console.error(rows[rows.length - 1]);
}
console.log('| node | keys | up 3x1 (s) | scale 3->4 (s) | until first move (s) | moving (s) | keys after | loadavg before |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
