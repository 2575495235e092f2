// Cluster scale: 32 nodes (16 masters + 16 replicas) on loopback, met the way
// `redis-cli --cluster create --cluster-replicas 1` does (ADDSLOTS on the masters,
// SET-CONFIG-EPOCH 1..N, every node MEETs the first, replicas REPLICATE their master as soon as
// they know it). Reports
//  (a) convergence: time from the first MEET until every node's CLUSTER NODES agrees on all 32
//      IDs, roles, masters and slots (no handshake/fail flags) and every node says cluster_state:ok;
//  (b) steady-state bus cost over a window with no client traffic: bytes read+written per node
//      per second from /proc/<pid>/io (rchar/wchar: the same syscall-level count for both
//      implementations), bus messages per node per second (CLUSTER INFO stats), CPU per node.
// Runs our node and Debian's redis-server 7.0 in the same run and prints a markdown table.
// Run: npm run build && flock /tmp/redshard-bench.lock node_modules/.bin/node bench/cluster-scale.ts
// Env: BENCH_NODES (32), BENCH_WINDOW_S (30), BENCH_NODE_TIMEOUT (15000 ms, Redis's default).
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { fmt, loadavg, rssBytes, sleep, startServer, stop, type Proc } from './common.ts';
import { freePort } from '../test/helpers/ports.ts';

const N = Number(process.env.BENCH_NODES ?? 32);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 30);
const NODE_TIMEOUT = Number(process.env.BENCH_NODE_TIMEOUT ?? 15000);
const SETTLE_MS = 5000;
const MASTERS = Math.floor(N / 2);
const SLOTS = 16384;

interface Node {
  proc: Proc;
  conn: Redis;
  id: string;
}

interface Result {
  kind: string;
  startMs: number;
  convergeMs: number;
  bytesPerNodeSec: number;
  msgsPerNodeSec: number;
  bytesPerMsg: number;
  cpuPctPerNode: number;
  rssMiB: number;
}

function procIo(pid: number): number {
  const t = readFileSync(`/proc/${pid}/io`, 'utf8');
  const r = /rchar:\s+(\d+)/.exec(t);
  const w = /wchar:\s+(\d+)/.exec(t);
  return Number(r?.[1] ?? 0) + Number(w?.[1] ?? 0);
}

/** utime + stime in clock ticks (USER_HZ, 100 on Linux). */
function cpuTicks(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function busMessages(info: string): number {
  const m = (k: string) => Number(new RegExp(`cluster_stats_messages_${k}:(\\d+)`).exec(info)?.[1] ?? 0);
  return m('sent') + m('received');
}

/** The expected CLUSTER NODES content, as a canonical set of "id role master slots" strings. */
function canonical(text: string): { rows: string[]; unsettled: boolean } {
  const rows: string[] = [];
  let unsettled = false;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    const flags = f[2]!.split(',');
    if (flags.some((x) => x === 'handshake' || x === 'fail' || x === 'fail?' || x === 'noaddr')) unsettled = true;
    const role = flags.includes('slave') ? 'slave' : 'master';
    rows.push(`${f[0]} ${role} ${f[3]} ${f.slice(8).filter((t) => !t.startsWith('[')).join(',')}`);
  }
  rows.sort();
  return { rows, unsettled };
}

function slotRange(i: number): [number, number] {
  const per = SLOTS / MASTERS;
  const a = Math.round(i * per);
  const b = i === MASTERS - 1 ? SLOTS - 1 : Math.round((i + 1) * per) - 1;
  return [a, b];
}

async function run(kind: 'redshard' | 'redis'): Promise<Result> {
  const procs: Proc[] = [];
  const nodes: Node[] = [];
  const t0 = performance.now();
  try {
    const ports: number[] = [];
    for (let i = 0; i < N; i++) ports.push(await freePort());
    const started = await Promise.all(
      ports.map((p) => startServer(kind, p, ['--cluster-enabled', 'yes', '--cluster-node-timeout', String(NODE_TIMEOUT), '--cluster-config-file', 'nodes.conf'])),
    );
    procs.push(...started);
    const startMs = performance.now() - t0;
    for (const p of procs) {
      const conn = new Redis({ host: '127.0.0.1', port: p.port, maxRetriesPerRequest: 3 });
      const id = String(await conn.call('cluster', 'myid'));
      nodes.push({ proc: p, conn, id });
    }
    // Same preparation as redis-cli --cluster create: slots on the masters, distinct config epochs.
    for (let i = 0; i < MASTERS; i++) {
      const [a, b] = slotRange(i);
      await nodes[i]!.conn.call('cluster', 'addslotsrange', a, b);
    }
    for (let i = 0; i < N; i++) await nodes[i]!.conn.call('cluster', 'set-config-epoch', i + 1).catch(() => {});
    const expected: string[] = [];
    for (let i = 0; i < N; i++) {
      if (i < MASTERS) {
        const [a, b] = slotRange(i);
        expected.push(`${nodes[i]!.id} master - ${a}-${b}`);
      } else expected.push(`${nodes[i]!.id} slave ${nodes[i - MASTERS]!.id} `);
    }
    expected.sort();
    const want = expected.join('\n');

    const first = nodes[0]!.proc.port;
    const meetAt = performance.now();
    await Promise.all(nodes.slice(1).map((n) => n.conn.call('cluster', 'meet', '127.0.0.1', first)));
    const replicated = new Set<number>();
    let convergeMs = 0;
    for (;;) {
      const texts = await Promise.all(nodes.map((n) => n.conn.call('cluster', 'nodes') as Promise<string>));
      // A replica is told its master once it knows it (redis-cli waits for the whole cluster
      // first, with 1 s sleeps; we issue it as early as possible to time the bus, not the tool).
      await Promise.all(
        nodes.map(async (n, i) => {
          if (i < MASTERS || replicated.has(i)) return;
          const masterId = nodes[i - MASTERS]!.id;
          if (!texts[i]!.includes(masterId)) return;
          try {
            await n.conn.call('cluster', 'replicate', masterId);
            replicated.add(i);
          } catch {
            // the master is still in handshake there: retry on the next poll
          }
        }),
      );
      let ok = replicated.size === N - MASTERS;
      for (let i = 0; ok && i < N; i++) {
        const c = canonical(texts[i]!);
        ok = !c.unsettled && c.rows.join('\n') === want;
      }
      if (ok) {
        const infos = await Promise.all(nodes.map((n) => n.conn.call('cluster', 'info') as Promise<string>));
        if (infos.every((t) => t.includes('cluster_state:ok'))) {
          convergeMs = performance.now() - meetAt;
          break;
        }
      }
      if (performance.now() - meetAt > 300_000) throw new Error(`${kind}: no convergence after 300 s`);
      await sleep(50);
    }

    await sleep(SETTLE_MS);
    const pids = procs.map((p) => p.child.pid!);
    const info0 = await Promise.all(nodes.map((n) => n.conn.call('cluster', 'info') as Promise<string>));
    const io0 = pids.map(procIo);
    const cpu0 = pids.map(cpuTicks);
    const w0 = performance.now();
    await sleep(WINDOW_S * 1000);
    const io1 = pids.map(procIo);
    const cpu1 = pids.map(cpuTicks);
    const secs = (performance.now() - w0) / 1000;
    const info1 = await Promise.all(nodes.map((n) => n.conn.call('cluster', 'info') as Promise<string>));
    const bytes = io1.reduce((s, v, i) => s + v - io0[i]!, 0);
    const msgs = info1.reduce((s, v, i) => s + busMessages(v) - busMessages(info0[i]!), 0);
    const ticks = cpu1.reduce((s, v, i) => s + v - cpu0[i]!, 0);
    const rss = pids.reduce((s, p) => s + rssBytes(p), 0);
    return {
      kind,
      startMs,
      convergeMs,
      bytesPerNodeSec: bytes / N / secs,
      // Each message is counted by its sender and its receiver.
      msgsPerNodeSec: msgs / N / secs,
      bytesPerMsg: msgs > 0 ? bytes / msgs : 0,
      cpuPctPerNode: ticks / N / secs,
      rssMiB: rss / N / 1024 / 1024,
    };
  } finally {
    for (const n of nodes) n.conn.disconnect();
    await Promise.all(procs.map(stop));
  }
}

const ours = await run('redshard');
const theirs = await run('redis');
const rows: [string, (r: Result) => number, number][] = [
  ['servers started (ms)', (r) => r.startMs, 0],
  ['first MEET -> all agree + cluster_state:ok (ms)', (r) => r.convergeMs, 0],
  [`bus bytes / node / s (rchar+wchar, ${WINDOW_S} s idle)`, (r) => r.bytesPerNodeSec, 0],
  ['bus messages sent+received / node / s', (r) => r.msgsPerNodeSec, 1],
  ['bytes per message (r+w)', (r) => r.bytesPerMsg, 0],
  ['CPU % / node (idle window)', (r) => r.cpuPctPerNode, 2],
  ['RSS / node (MiB)', (r) => r.rssMiB, 1],
];
console.log(`\n${N} nodes (${MASTERS} masters + ${N - MASTERS} replicas), cluster-node-timeout ${NODE_TIMEOUT} ms, loadavg ${loadavg()}\n`);
console.log('| metric | redshard | redis-server 7.0 | redshard / redis |');
console.log('|---|---:|---:|---:|');
for (const [name, f, d] of rows) {
  const a = f(ours);
  const b = f(theirs);
  console.log(`| ${name} | ${fmt(a, d)} | ${fmt(b, d)} | ${b > 0 ? fmt(a / b, 2) : '-'} |`);
}
process.exit(0);
