// Round-trip times of the classic slot-migration commands, one request at a time as redis-cli
// --cluster rebalance / reshard sends them: `CLUSTER SETSLOT s IMPORTING` (target),
// `CLUSTER SETSLOT s MIGRATING` (source), `CLUSTER GETKEYSINSLOT s N`, `MIGRATE host port "" 0
// 5000 KEYS k1..kN` (N = 10, redis-cli's default --cluster-pipeline, and N = 100) and
// `CLUSTER SETSLOT s NODE target` on both nodes. A 2-master cluster (A owns every slot, B empty),
// each trial moves one slot holding exactly N small string keys from A to B. Our node and
// Debian's redis-server 7.0 in the same run; PING shows the client's own floor. Prints a markdown
// table of median / mean microseconds per round trip. BENCH_WARMUP slots of each size are moved
// first and not counted.
// Run: npm run build && flock /tmp/redshard-bench.lock node_modules/.bin/node bench/migrate-rtt.ts
import net from 'node:net';
import { ReplyReader, isErrorReply, type RespValue } from '../common/resp/reply-reader.ts';
import { command as encodeCommand } from '../common/resp/encode.ts';
import { keySlot } from '../common/slots.ts';
import { fmt, loadavg, startMetPair, stop, type Proc } from './common.ts';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 150);
/** Slots moved first and not counted: a rebalance moves thousands, so its code runs JIT-compiled. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 150);
const RUNS = (process.env.BENCH_RUNS ?? 'redshard,redis').split(',');

/** One connection, one request in flight at a time. */
class Rtt {
  private readonly reader = new ReplyReader();
  private waiter: (() => void) | null = null;
  private readonly socket: net.Socket;
  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.reader.feed(d);
      const w = this.waiter;
      this.waiter = null;
      w?.();
    });
  }

  static open(port: number): Promise<Rtt> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(new Rtt(s)));
      s.once('error', reject);
    });
  }

  /** Sends one request and returns its reply and the microseconds until the whole reply arrived. */
  async call(args: string[]): Promise<{ reply: RespValue; us: number }> {
    const t = process.hrtime.bigint();
    this.socket.write(encodeCommand(args));
    while (this.reader.available === 0) await new Promise<void>((r) => (this.waiter = r));
    const us = Number(process.hrtime.bigint() - t) / 1000;
    const reply = this.reader.shift()!;
    if (isErrorReply(reply)) throw new Error(`${args.slice(0, 3).join(' ')}: ${reply.error}`);
    return { reply, us };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A hash tag per slot: trial i uses slot tagSlot[i]. */
function tagsForSlots(count: number, skip: Set<number>): { tag: string; slot: number }[] {
  const out: { tag: string; slot: number }[] = [];
  const used = new Set(skip);
  for (let i = 0; out.length < count; i++) {
    const tag = `t${i}`;
    const slot = keySlot(tag);
    if (used.has(slot)) continue;
    used.add(slot);
    out.push({ tag, slot });
  }
  return out;
}

type Samples = Map<string, number[]>;

function addSample(m: Samples, name: string, us: number): void {
  let a = m.get(name);
  if (a === undefined) m.set(name, (a = []));
  a.push(us);
}

async function run(kind: 'redshard' | 'redis'): Promise<Samples> {
  const procs: Proc[] = [];
  const conns: Rtt[] = [];
  try {
    const { a, b, idA, idB } = await startMetPair(kind, procs);
    const ca = await Rtt.open(a.port);
    const cb = await Rtt.open(b.port);
    conns.push(ca, cb);
    const samples: Samples = new Map();
    const per = WARMUP + TRIALS;
    const all = tagsForSlots(per * 2, new Set());
    for (const [n, tags] of [
      [10, all.slice(0, per)],
      [100, all.slice(per)],
    ] as const) {
      // Load: every trial slot gets exactly n keys.
      for (const { tag } of tags) {
        const args = ['MSET'];
        for (let k = 0; k < n; k++) args.push(`{${tag}}:${k}`, `value-${k}`);
        await ca.call(args);
      }
      for (let i = 0; i < 20; i++) addSample(samples, 'PING', (await ca.call(['PING'])).us);
      for (const [i, { slot }] of tags.entries()) {
        const s = String(slot);
        const add = (m: Samples, name: string, us: number) => {
          if (i >= WARMUP) addSample(m, name, us);
        };
        add(samples, 'SETSLOT IMPORTING (target)', (await cb.call(['CLUSTER', 'SETSLOT', s, 'IMPORTING', idA])).us);
        add(samples, 'SETSLOT MIGRATING (source)', (await ca.call(['CLUSTER', 'SETSLOT', s, 'MIGRATING', idB])).us);
        const got = await ca.call(['CLUSTER', 'GETKEYSINSLOT', s, String(n)]);
        add(samples, `GETKEYSINSLOT ${n}`, got.us);
        const keys = got.reply as string[];
        if (keys.length !== n) throw new Error(`slot ${s}: ${keys.length} keys, expected ${n}`);
        const m = await ca.call(['MIGRATE', '127.0.0.1', String(b.port), '', '0', '5000', 'KEYS', ...keys]);
        if (m.reply !== 'OK') throw new Error(`MIGRATE: ${JSON.stringify(m.reply)}`);
        add(samples, `MIGRATE KEYS x${n}`, m.us);
        add(samples, `GETKEYSINSLOT (empty)`, (await ca.call(['CLUSTER', 'GETKEYSINSLOT', s, String(n)])).us);
        add(samples, 'SETSLOT NODE (target)', (await cb.call(['CLUSTER', 'SETSLOT', s, 'NODE', idB])).us);
        add(samples, 'SETSLOT NODE (source)', (await ca.call(['CLUSTER', 'SETSLOT', s, 'NODE', idB])).us);
      }
      for (let i = 0; i < 20; i++) addSample(samples, 'PING', (await ca.call(['PING'])).us);
    }
    return samples;
  } finally {
    for (const c of conns) c.close();
    await Promise.all(procs.map(stop));
  }
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
};
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

const loadStart = loadavg();
const res = new Map<string, Samples>();
for (const k of RUNS) res.set(k, await run(k === 'redis' ? 'redis' : 'redshard'));
const ours = res.get('redshard');
const theirs = res.get('redis');
const names = [...(ours ?? theirs)!.keys()];
console.log(`\nClassic migration round trips, ${TRIALS} slots per size after ${WARMUP} uncounted, loadavg ${loadStart} -> ${loadavg()}\n`);
console.log('| command | redshard median / mean µs | redis-server 7.0 median / mean µs | redshard / redis (median) |');
console.log('|---|---:|---:|---:|');
for (const n of names) {
  const x = ours?.get(n);
  const y = theirs?.get(n);
  const cell = (v: number[] | undefined) => (v === undefined ? '-' : `${fmt(median(v))} / ${fmt(mean(v))}`);
  console.log(`| ${n} | ${cell(x)} | ${cell(y)} | ${x && y ? fmt(median(x) / median(y), 2) : '-'} |`);
}
process.exit(0);
