// Rebalance under client load: a 3-master cluster holding REBALANCE_KEYS string keys (default
// 1,000,000) gets an empty fourth master, then `redis-cli --cluster rebalance
// --cluster-use-empty-masters` moves a quarter of the slots (and keys) onto it while an ioredis
// Cluster client (in its own process) reads and writes keys on all slots. Run on our nodes and on Debian's
// redis-server 7.0 in the same run, plus our atomic CLUSTER IMPORT-SLOTS for the same amount of
// slots (three contiguous ranges, one per source). Prints keys/s moved, client p99 / max latency,
// errors and the total time as a markdown table.
// REBALANCE_WORKERS=0 leaves the client load out.
// Run: npm run build && flock /tmp/redshard-bench.lock node bench/rebalance.ts
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { Cluster } from 'ioredis';
import { keySlot } from '../common/slots.ts';
import { cli, cpuSeconds, fmt, loadavg, sleep, startServer, stop, until, type Proc } from './common.ts';
import { slotOwnerPorts } from '../test/helpers/slot-owners.ts';

const KEYS = Number(process.env.REBALANCE_KEYS ?? 1_000_000);
const LOAD_KEYS = 10_000;
/** ioredis workers of the client load; 0 runs the rebalance alone (redis-cli's round trips only). */
const WORKERS = Number(process.env.REBALANCE_WORKERS ?? 8);
const RUNS = (process.env.REBALANCE_RUNS ?? 'redis,redshard,atomic').split(',');
/** `RATE` of IMPORT-SLOTS (keys/s, 0 = unpaced); the node's default when unset. */
const RATE = process.env.REBALANCE_RATE;
/** Client load measured before the move starts: what the cluster gives clients with no migration. */
const BASELINE_MS = Number(process.env.REBALANCE_BASELINE_MS ?? 3000);
/** REBALANCE_TIMELINE=1 prints when during the move the slow requests (over 1 ms) came (stderr). */
const TIMELINE = process.env.REBALANCE_TIMELINE === '1';
/**
 * Profiling knobs (our nodes only). REBALANCE_NODE_FLAGS="--trace-gc ..." passes flags to the
 * nodes' Node and writes their stdout to REBALANCE_OUT/node-<i>.log, each line prefixed with the
 * ms since the move started. REBALANCE_PERF=1 runs `perf record -g` on the four nodes during the
 * move only (REBALANCE_OUT/perf-<run>.data; node 3 is the target); add --perf-basic-prof to the flags.
 */
const NODE_FLAGS = process.env.REBALANCE_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
const PERF = process.env.REBALANCE_PERF === '1';
const OUT = process.env.REBALANCE_OUT ?? '/tmp';
/** When the current move started (performance.now()), for the node logs' prefixes. */
let moveT0 = 0;
let startedNodes = 0;
let nextPort = 21000 + Math.floor(Math.random() * 15000);

async function startOne(kind: 'redshard' | 'redis'): Promise<Proc> {
  for (let attempt = 0; ; attempt++) {
    nextPort += 1 + Math.floor(Math.random() * 50);
    try {
      const log = kind === 'redshard' && NODE_FLAGS.length > 0;
      const p = await startServer(kind, nextPort, ['--cluster-enabled', 'yes', '--cluster-node-timeout', '15000'], log ? { nodeFlags: NODE_FLAGS, pipe: true } : {});
      if (log) {
        const f = createWriteStream(join(OUT, `node-${startedNodes++ % 4}.log`));
        const prefix = (d: Buffer) => f.write(d.toString().replace(/^(?=.)/gm, () => `${(performance.now() - moveT0).toFixed(1)} `));
        p.child.stdout!.on('data', prefix);
        p.child.stderr!.on('data', prefix);
      }
      // The port may have been someone else's: ours answers with our child's pid.
      let pid = '';
      try {
        pid = /process_id:(\d+)/.exec(cli(p.port, ['info', 'server']))?.[1] ?? '';
      } catch {
        // not ours, or not up
      }
      if (pid === String(p.child.pid)) return p;
      p.child.kill('SIGKILL');
      throw new Error(`port ${p.port} is answered by another process`);
    } catch (e) {
      if (attempt >= 6) throw e;
    }
  }
}

function redisCluster(args: string[]): string {
  return execFileSync('redis-cli', ['--cluster', ...args, '--cluster-yes'], { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 28 });
}

/** Slot owner table from CLUSTER NODES: slot -> client port. */
const owners = (port: number): Int32Array => slotOwnerPorts(cli(port, ['cluster', 'nodes']));

const keyName = (i: number) => `key:${i}`;

/** Loads the keys with redis-cli --pipe, each node getting the keys of its own slots. */
async function loadKeys(nodes: Proc[]): Promise<void> {
  const own = owners(nodes[0]!.port);
  const parts = new Map<number, string[]>();
  for (let i = 0; i < KEYS; i++) {
    const k = keyName(i);
    const v = `v${i}`;
    const p = own[keySlot(k)]!;
    let a = parts.get(p);
    if (a === undefined) parts.set(p, (a = []));
    a.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
  }
  await Promise.all(
    [...parts].map(
      ([port, cmds]) =>
        new Promise<void>((resolve, reject) => {
          const c = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: ['pipe', 'ignore', 'ignore'] });
          c.on('exit', (code) => {
            if (code === 0) return resolve();
            for (const n of nodes) console.error(n.port, cli(n.port, ['cluster', 'info']).split('\n').slice(0, 2).join(' '));
            reject(new Error(`redis-cli --pipe exited ${code}`));
          });
          c.stdin.end(cmds.join(''));
        }),
    ),
  );
}

interface LoadResult {
  ops: number;
  p50: number;
  p99: number;
  max: number;
  errors: string[];
  /** Requests over 1 ms: [ms since the move started, latency]. */
  slow?: [number, number, number][];
  last: [string, string][];
}

/** The client load runs in its own process (bench/rebalance-client.ts). */
function startLoad(port: number): { reset(): void; snap(): Promise<LoadResult>; stop(): Promise<LoadResult> } {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'rebalance-client.ts'), String(port), String(WORKERS), String(LOAD_KEYS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return {
    reset: () => child.stdin.write('reset\n'),
    snap: () =>
      new Promise((resolve, reject) => {
        const from = out.length;
        const poll = setInterval(() => {
          const nl = out.indexOf('\n', from);
          if (nl === -1) return;
          clearInterval(poll);
          const line = out.slice(from, nl);
          out = out.slice(nl + 1);
          try {
            resolve({ ...(JSON.parse(line) as LoadResult), last: [] });
          } catch (e) {
            reject(e as Error);
          }
        }, 20);
        child.stdin.write('snap\n');
      }),
    stop: () =>
      new Promise((resolve, reject) => {
        child.on('exit', () => {
          try {
            resolve(JSON.parse(out) as LoadResult);
          } catch (e) {
            reject(e as Error);
          }
        });
        child.stdin.write('stop\n');
      }),
  };
}

interface Result {
  name: string;
  moved: number;
  ms: number;
  ops: number;
  p50: number;
  p99: number;
  max: number;
  /** Client p99 / p50 over BASELINE_MS of load before the move (no migration running). */
  baseP50: number;
  baseP99: number;
  errors: number;
  lost: number;
  load: string;
  /** CPU seconds the four nodes used during the move: user, system. */
  cpu: [number, number];
}

async function run(kind: 'redshard' | 'redis', how: 'redis-cli' | 'atomic'): Promise<Result> {
  const nodes: Proc[] = [];
  for (let i = 0; i < 4; i++) nodes.push(await startOne(kind));
  const addr = (p: Proc) => `127.0.0.1:${p.port}`;
  let client: Cluster | null = null;
  try {
    redisCluster(['create', ...nodes.slice(0, 3).map(addr)]);
    // A node may still flip to fail for a moment right after create: wait for a steady ok, and
    // load again (SET is idempotent) if the load met a CLUSTERDOWN anyway.
    const allOk = () => nodes.slice(0, 3).every((n) => cli(n.port, ['cluster', 'info']).includes('cluster_state:ok'));
    for (let steady = 0; steady < 10; ) {
      await until('cluster ok', allOk, 120_000, 100);
      steady = allOk() ? steady + 1 : 0;
      await sleep(100);
    }
    const tLoad = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await loadKeys(nodes);
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
        console.error(`${kind}: loading failed (${(e as Error).message}), again`);
        await until('cluster ok', allOk, 120_000, 100);
      }
    }
    const loaded = nodes.slice(0, 3).reduce((s, n) => s + Number(cli(n.port, ['dbsize'])), 0);
    if (loaded !== KEYS) throw new Error(`loaded ${loaded} keys, expected ${KEYS}`);
    console.error(`${kind}: loaded ${fmt(KEYS)} keys in ${fmt(performance.now() - tLoad)} ms`);
    redisCluster(['add-node', addr(nodes[3]!), addr(nodes[0]!)]);
    await until('the new master known everywhere and ok', () =>
      nodes.every((n) => cli(n.port, ['cluster', 'nodes']).split('\n').filter(Boolean).length === 4 && cli(n.port, ['cluster', 'info']).includes('cluster_state:ok')),
      120_000, 100,
    );
    client = new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }]);
    for (let i = 0; i < LOAD_KEYS; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => client!.set(`load:${i + j}`, '0')));
    const none = async (): Promise<LoadResult> => ({ ops: 0, p50: 0, p99: 0, max: 0, errors: [], last: [] });
    const load = WORKERS > 0 ? startLoad(nodes[0]!.port) : { reset: () => {}, snap: none, stop: none };
    await sleep(1500);
    load.reset();
    await sleep(BASELINE_MS);
    const base = await load.snap();
    const loadStart = loadavg();
    const nodesCpu = (): [number, number] =>
      nodes.reduce<[number, number]>((sum, n) => {
        const [u, k] = cpuSeconds(n.child.pid);
        return [sum[0] + u, sum[1] + k];
      }, [0, 0]);
    const cpu0 = nodesCpu();
    const before = owners(nodes[0]!.port);
    const perf = PERF && kind === 'redshard' ? spawn('perf', ['record', '-g', '-o', join(OUT, `perf-${how}.data`), '-p', nodes.map((n) => n.child.pid).join(',')], { stdio: 'ignore' }) : null;
    if (perf !== null) await sleep(300);
    const t0 = performance.now();
    moveT0 = t0;
    const marks: [number, string][] = [];
    const phaseCpu: [number, number][][] = [];
    if (how === 'redis-cli') {
      await new Promise<void>((resolve, reject) => {
        const c = spawn('redis-cli', ['--cluster', 'rebalance', addr(nodes[0]!), '--cluster-use-empty-masters', '--cluster-yes'], { stdio: ['ignore', 'ignore', 'inherit'] });
        c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --cluster rebalance exited ${code}`))));
      });
    } else {
      // The same amount of slots as the rebalance: 4096 in all, taken from the low end of each
      // source's range (1366 + 1365 + 1365).
      const own = owners(nodes[0]!.port);
      let left = 4096;
      for (let i = 0; i < 3; i++) {
        const src = nodes[i]!;
        const count = Math.ceil(left / (3 - i));
        left -= count;
        const first = own.indexOf(src.port);
        marks.push([performance.now() - t0, `import ${i} start`]);
        phaseCpu.push(nodes.map((n) => cpuSeconds(n.child.pid)));
        await new Promise<void>((resolve, reject) => {
          const args = ['-p', String(nodes[3]!.port), 'cluster', 'import-slots', String(first), String(first + count - 1), 'from', '127.0.0.1', String(src.port)];
          if (RATE !== undefined) args.push('rate', RATE);
          const c = spawn('redis-cli', args, {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          c.stdout.on('data', (d: Buffer) => (out += d.toString()));
          c.on('exit', () => (out.trim() === 'OK' ? resolve() : reject(new Error(`import-slots: ${out}`))));
        });
        marks.push([performance.now() - t0, `import ${i} done`]);
      }
    }
    const ms = performance.now() - t0;
    const cpu1 = nodesCpu();
    if (perf !== null) {
      perf.kill('SIGINT');
      await new Promise((r) => perf.once('exit', r));
      console.error(`perf: ${join(OUT, `perf-${how}.data`)}; pids ${nodes.map((n) => n.child.pid).join(',')} (the last is the target)`);
    }
    const cpu: [number, number] = [cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]];
    const res = await load.stop();
    if (how === 'atomic') {
      // Per node CPU of each import (the source's drop of the previous range runs into the next
      // one), and of the last drop: 1.5 s after the move.
      phaseCpu.push(nodes.map((n) => cpuSeconds(n.child.pid)));
      await sleep(1500);
      phaseCpu.push(nodes.map((n) => cpuSeconds(n.child.pid)));
      const rows = phaseCpu.slice(1).map((now, i) => now.map(([u, k], j) => Math.round((u + k - phaseCpu[i]![j]![0] - phaseCpu[i]![j]![1]) * 1000)).join(' / '));
      console.error(`node CPU ms (nodes 0 / 1 / 2 / target) per import, then in the 1.5 s after: ${rows.join('; ')}`);
    }
    if (TIMELINE) {
      printTimeline(`${kind} ${how}`, ms, res.slow ?? [], marks);
      printSlowByNode(nodes, before, owners(nodes[3]!.port), ms, res.slow ?? []);
    }
    if (res.errors.length > 0) console.error(`${kind} ${how}: client errors (first 5): ${res.errors.slice(0, 5).join("; ")}`);
    const own = owners(nodes[3]!.port);
    let moved = 0;
    for (let i = 0; i < KEYS; i++) if (own[keySlot(keyName(i))] === nodes[3]!.port) moved++;
    let lost = 0;
    for (const [k, v] of res.last) if ((await client.get(k)) !== v) lost++;
    for (let i = 0; i < KEYS; i += 997) if ((await client.get(keyName(i))) !== `v${i}`) lost++;
    const name = how === 'atomic' ? `redshard CLUSTER IMPORT-SLOTS${RATE !== undefined ? ` RATE ${RATE}` : ''}` : `${kind === 'redis' ? 'redis-server 7.0' : 'redshard'} redis-cli rebalance`;
    return { name, moved, ms, ops: res.ops, p50: res.p50, p99: res.p99, max: res.max, baseP50: base.p50, baseP99: base.p99, errors: res.errors.length, lost, load: loadStart, cpu };
  } finally {
    client?.disconnect();
    await Promise.all(nodes.map(stop));
  }
}

/**
 * Where the slow requests of the move went: keys of the slots that moved (by source), and keys
 * of each node's slots that stayed, beside the share of the load keys each group holds.
 */
function printSlowByNode(nodes: Proc[], before: Int32Array, after: Int32Array, ms: number, slow: [number, number, number][]): void {
  const group = (slot: number): string => {
    const src = nodes.findIndex((n) => n.port === before[slot]);
    return after[slot] !== before[slot] ? `moved from node ${src}` : `stayed on node ${src}`;
  };
  const keys = new Map<string, number>();
  for (let i = 0; i < LOAD_KEYS; i++) {
    const g = group(keySlot(`load:${i}`));
    keys.set(g, (keys.get(g) ?? 0) + 1);
  }
  const hits = new Map<string, number>();
  let n = 0;
  for (const [t, , slot] of slow) {
    if (t < 0 || t > ms) continue;
    n++;
    hits.set(group(slot), (hits.get(group(slot)) ?? 0) + 1);
  }
  console.error(`slow requests by key group (share of slow / share of load keys):`);
  for (const [g, k] of [...keys].sort()) console.error(`  ${g.padEnd(18)} ${fmt((100 * (hits.get(g) ?? 0)) / Math.max(1, n), 1).padStart(5)}% / ${fmt((100 * k) / LOAD_KEYS, 1)}%`);
}

/** Slow requests (over 1 ms) per 100 ms of the move, with the import boundaries (stderr). */
function printTimeline(name: string, ms: number, slow: [number, number, number][], marks: [number, string][]): void {
  const buckets = new Array<number>(Math.ceil(ms / 100) + 1).fill(0);
  for (const [t] of slow) if (t >= 0 && t <= ms) buckets[Math.floor(t / 100)]!++;
  console.error(`${name}: requests over 1 ms per 100 ms (${slow.length} in all)`);
  for (let b = 0; b < buckets.length; b++) {
    const m = marks.filter(([t]) => Math.floor(t / 100) === b).map(([, l]) => l);
    console.error(`${String(b * 100).padStart(6)} ms ${String(buckets[b]).padStart(5)} ${'#'.repeat(Math.min(80, buckets[b]!))}${m.length > 0 ? `  <- ${m.join(', ')}` : ''}`);
  }
}

const results: Result[] = [];
for (const r of RUNS) {
  const res = r === 'atomic' ? await run('redshard', 'atomic') : await run(r === 'redis' ? 'redis' : 'redshard', 'redis-cli');
  console.error(JSON.stringify(res));
  results.push(res);
}
const base = results.find((r) => r.name.startsWith('redis-server'));
console.log(`\nRebalance of ${fmt(KEYS)} keys onto an empty 4th master, ${WORKERS} ioredis workers reading and writing all slots\n`);
console.log('| run | keys moved | time (s) | keys/s | vs redis | client ops | p50 ms | p99 ms | max ms | p99 vs redis | no-move p50 / p99 ms | errors | lost writes | node CPU s user / sys | loadavg at start |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of results) {
  const kps = (r.moved * 1000) / r.ms;
  const bkps = base ? (base.moved * 1000) / base.ms : NaN;
  console.log(
    `| ${r.name} | ${fmt(r.moved)} | ${fmt(r.ms / 1000, 1)} | ${fmt(kps)} | ${base ? `${fmt(kps / bkps, 2)}x` : '-'} | ${fmt(r.ops)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.max, 1)} | ${base ? `${fmt(r.p99 / base.p99, 2)}x` : '-'} | ${fmt(r.baseP50, 2)} / ${fmt(r.baseP99, 2)} | ${r.errors} | ${r.lost} | ${fmt(r.cpu[0], 2)} / ${fmt(r.cpu[1], 2)} | ${r.load} |`,
  );
}
process.exit(0);
