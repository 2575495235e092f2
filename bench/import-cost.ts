// CPU cost of the atomic slot import per key, on the source and on the target, and what the
// clients see meanwhile: two of our nodes (A owns every slot and holds IMPORT_KEYS string keys, B
// is empty), the rebalance bench's client load (bench/rebalance-client.ts) on both, then B
// imports a quarter of the slots from A. Prints keys/s, CPU ms per 1,000 keys on each side,
// client p50/p99/max (and p99 of 3 s without the import) and (IMPORT_TRACE_GC=1) the target's GC pauses over 2 ms
// and the handover pause.
// Run: npm run build && node bench/import-cost.ts
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { keySlot } from '../common/slots.ts';
import { cli, cpuSeconds, fmt, loadavg, ROOT, sleep, startServer } from './common.ts';

const KEYS = Number(process.env.IMPORT_KEYS ?? 250_000);
const RATE = process.env.IMPORT_RATE;
const LAST_SLOT = 4095;
const base = 22000 + Math.floor(Math.random() * 3000) * 2;
const gcLines: string[] = [];
let imported = '';
let exported = '';
async function node(port: number, traceGc: boolean, log = traceGc): Promise<ChildProcess> {
  const prof = process.env.IMPORT_PROF !== undefined ? ['--cpu-prof', '--cpu-prof-dir', process.env.IMPORT_PROF] : [];
  // The target logs at info: its "slots imported" line carries the handover pause figures.
  // --trace-gc prints to stdout, the node's log goes to stderr.
  const { child: c } = await startServer('redshard', port, ['--cluster-enabled', 'yes'], {
    nodeFlags: [...prof, ...(traceGc ? ['--trace-gc'] : [])],
    logLevel: log ? 'info' : 'warn',
    pipe: log,
  });
  if (log) {
    for (const stream of [c.stdout!, c.stderr!]) {
      let rest = '';
      stream.on('data', (d: Buffer) => {
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          if (l.includes('ms: ')) gcLines.push(l);
          if (l.includes('slots imported')) imported = l;
          if (l.includes('slots exported')) exported = l;
        }
      });
    }
  }
  return c;
}

const cpuMs = (pid: number): number => cpuSeconds(pid).reduce((x, y) => x + y) * 1000;

const a = await node(base, false, process.env.IMPORT_TRACE_GC === '1');
// The target's stdout is read (GC trace, info log) only when asked: IMPORT_TRACE_GC=1.
const b = await node(base + 1, process.env.IMPORT_TRACE_GC === '1');
cli(base, ['cluster', 'addslotsrange', '0', '16383']);
cli(base, ['cluster', 'meet', '127.0.0.1', String(base + 1)]);
for (;;) {
  if (cli(base + 1, ['cluster', 'info']).includes('cluster_state:ok') && cli(base, ['cluster', 'info']).includes('cluster_state:ok')) break;
  await sleep(100);
}
let cmds = '';
let moving = 0;
for (let i = 0; i < KEYS; i++) {
  const k = `key:${i}`;
  const v = `v${i}`;
  if (keySlot(k) <= LAST_SLOT) moving++;
  cmds += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
}
execFileSync('redis-cli', ['-p', String(base), '--pipe'], { input: cmds, stdio: ['pipe', 'ignore', 'ignore'] });
const load = spawn(process.execPath, [join(ROOT, 'bench', 'rebalance-client.ts'), String(base), '8', '10000'], { stdio: ['pipe', 'pipe', 'inherit'] });
let out = '';
load.stdout!.on('data', (d: Buffer) => (out += d.toString()));
await sleep(1500);
load.stdin!.write('reset\n');
const loadStart = loadavg();
// The client load's own cost per second on each node, subtracted below.
const ba0 = cpuMs(a.pid!);
const bb0 = cpuMs(b.pid!);
const tb = performance.now();
await sleep(Number(process.env.IMPORT_BASELINE_MS ?? 3000));
const baseS = (performance.now() - tb) / 1000;
const idle = await new Promise<{ p99: number; max: number }>((resolve) => {
  load.stdout!.once('data', () => {
    const line = out.split('\n')[0]!;
    out = '';
    resolve(JSON.parse(line));
  });
  load.stdin!.write('snap\n');
});
const idleA = (cpuMs(a.pid!) - ba0) / baseS;
const idleB = (cpuMs(b.pid!) - bb0) / baseS;
const ca = cpuMs(a.pid!);
const cb = cpuMs(b.pid!);
gcLines.length = 0;
const t0 = performance.now();
const args = ['cluster', 'import-slots', '0', String(LAST_SLOT), 'from', '127.0.0.1', String(base)];
if (RATE !== undefined) args.push('rate', RATE);
const reply = cli(base + 1, args);
const ms = performance.now() - t0;
const da = cpuMs(a.pid!) - ca - (idleA * ms) / 1000;
const db = cpuMs(b.pid!) - cb - (idleB * ms) / 1000;
const res = await new Promise<{ ops: number; p50: number; p99: number; max: number; errors: string[] }>((resolve) => {
  load.on('exit', () => resolve(JSON.parse(out)));
  load.stdin!.write('stop\n');
});
const pauses = gcLines.map((l) => ({ l, ms: Number(/([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1] ?? 0) })).filter((g) => g.ms >= 2);
console.log(`| keys | reply | keys/s | source CPU ms/1k keys | target CPU ms/1k keys | ops | p50 | p99 | max | idle p99 / max | errors | target GC >=2ms | loadavg |`);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
console.log(
  `| ${fmt(moving)} | ${reply} | ${fmt((moving * 1000) / ms)} | ${fmt((da * 1000) / moving, 2)} | ${fmt((db * 1000) / moving, 2)} | ${fmt(res.ops)} | ${fmt(res.p50, 2)} | ${fmt(res.p99, 2)} | ${fmt(res.max, 1)} | ${fmt(idle.p99, 2)} / ${fmt(idle.max, 1)} | ${res.errors.length} | ${process.env.IMPORT_TRACE_GC === '1' ? `${pauses.length} (total ${gcLines.length})` : '-'} | ${loadStart} |`,
);
if (process.env.IMPORT_TRACE_GC === '1') {
  for (const p of pauses.slice(0, 10)) console.log(p.l.trim());
  await sleep(200);
  const m = /"pausedSeenMs":(\d+),"claimedMs":(\d+),"pauseMs":(\d+)/.exec(imported);
  if (process.env.IMPORT_SHOW_LOG === "1") console.log(imported, exported);
  const e = /"lateTimers":(\d+),"minPace":(\d+)/.exec(exported);
  if (e !== null) console.log(`source pace: ${e[1]} late idle timers, lowest pace ${e[2]} keys/s`);
  if (m !== null) console.log(`handover: EXPORT-PAUSED seen after ${m[1]} ms, claim durable after ${m[2]} ms, writes paused ${m[3]} ms (target's view)`);
}
if (process.env.IMPORT_PROF !== undefined) {
  // Profiles are written at a clean exit.
  await Promise.all([a, b].map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));
}
process.exit(0);
