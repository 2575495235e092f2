// Client load for bench/rebalance.ts in its own process, so that the bench's own heap (a million
// generated keys) and GC pauses do not show up as client latency. WORKERS ioredis Cluster loops
// SET then GET random keys load:0..LOAD_KEYS-1. stdin commands: "reset" clears the figures,
// "stop" ends the loops and prints one JSON line: latency summary, errors, last values; "snap"
// prints the summary so far (no last values) and clears the figures.
// Usage: node bench/rebalance-client.ts <port> <workers> <load-keys>
import { createInterface } from 'node:readline';
import { Cluster } from 'ioredis';
import { keySlot } from '../common/slots.ts';

const [port, workers, loadKeys] = process.argv.slice(2).map(Number) as [number, number, number];
const client = new Cluster([{ host: '127.0.0.1', port }]);
let latencies: number[] = [];
/** Requests over 1 ms: [ms since the last reset, latency, key slot] (a timeline of the slow ones). */
let slow: [number, number, number][] = [];
let since = performance.now();
let errors: string[] = [];
const last = new Map<string, string>();
let running = true;
let seq = 0;

async function worker(): Promise<void> {
  while (running) {
    const k = `load:${Math.floor(Math.random() * loadKeys)}`;
    const v = String(++seq);
    let t = performance.now();
    try {
      await client.set(k, v);
      const ls = performance.now() - t;
      latencies.push(ls);
      if (ls > 1 && slow.length < 20_000) slow.push([t - since, ls, keySlot(k)]);
      last.set(k, v);
      t = performance.now();
      const got = await client.get(k);
      const lg = performance.now() - t;
      latencies.push(lg);
      if (lg > 1 && slow.length < 20_000) slow.push([t - since, lg, keySlot(k)]);
      // Another worker may have written the key meanwhile: only a missing value is wrong.
      if (got === null) errors.push(`read ${k}: nil`);
    } catch (e) {
      errors.push((e as Error).message);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const loops = Array.from({ length: workers }, worker);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'reset') {
    latencies = [];
    errors = [];
    slow = [];
    since = performance.now();
  } else if (line === 'snap') {
    const sorted = Float64Array.from(latencies).sort();
    const q = (x: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]!);
    process.stdout.write(`${JSON.stringify({ ops: sorted.length, p50: q(0.5), p99: q(0.99), max: sorted[sorted.length - 1] ?? 0, errors })}\n`);
    latencies = [];
    errors = [];
    slow = [];
    since = performance.now();
  } else if (line === 'stop') {
    running = false;
    await Promise.all(loops);
    const sorted = Float64Array.from(latencies).sort();
    const q = (x: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]!);
    client.disconnect();
    // A pipe is written asynchronously: exit once the line is out.
    process.stdout.write(`${JSON.stringify({ ops: sorted.length, p50: q(0.5), p99: q(0.99), max: sorted[sorted.length - 1] ?? 0, errors, slow, last: [...last] })}\n`, () => process.exit(0));
  }
}
