// Big-key migration: MIGRATE of a hash with BIG_FIELDS fields (default 1,000,000) between our
// node and Debian's redis-server 7.0 in each direction, and redis-server to redis-server for
// reference. A client PINGs the node under test back to back; its longest round trip is the
// worst event-loop pause clients saw. Run: node bench/big-key-migrate.ts
import net from 'node:net';
import { Redis } from 'ioredis';
import { fmt, startServer, stop } from './common.ts';

const FIELDS = Number(process.env.BIG_FIELDS ?? 1_000_000);
const BASE = Number(process.env.BENCH_PORT ?? 27100);

function probe(port: number): () => Promise<number> {
  const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
  let max = 0;
  let sentAt = 0;
  let running = true;
  let done: ((m: number) => void) | null = null;
  const send = () => {
    sentAt = performance.now();
    s.write('PING\r\n');
  };
  s.on('connect', send);
  s.on('data', () => {
    max = Math.max(max, performance.now() - sentAt);
    if (running) send();
    else done?.(max);
  });
  return () =>
    new Promise((resolve) => {
      running = false;
      done = (m) => {
        s.destroy();
        resolve(m);
      };
    });
}

async function fill(c: Redis): Promise<void> {
  const p = c.pipeline();
  for (let i = 0; i < FIELDS; i += 1000) {
    const args: string[] = [];
    for (let j = i; j < Math.min(FIELDS, i + 1000); j++) args.push(`field:${j}`, `value:${j}`);
    p.hset('big', ...args);
  }
  await p.exec();
}

/** MIGRATE big from `from` to `to`, probing `watch`; returns [ms, worst pause ms]. */
async function run(from: number, to: number, watch: number): Promise<[number, number]> {
  const c = new Redis({ port: from, host: '127.0.0.1' });
  const stopProbe = probe(watch);
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  const r = await c.call('MIGRATE', '127.0.0.1', String(to), 'big', '0', '120000');
  const took = performance.now() - t0;
  const worst = await stopProbe();
  c.disconnect();
  if (r !== 'OK') throw new Error(`MIGRATE replied ${String(r)}`);
  return [took, worst];
}

const ours = await startServer('redshard', BASE);
const redisA = await startServer('redis', BASE + 1);
const redisB = await startServer('redis', BASE + 2);
try {
  const seed = new Redis({ port: ours.port, host: '127.0.0.1' });
  await fill(seed);
  seed.disconnect();
  const rows: [string, number, number][] = [];
  const [t1, p1] = await run(ours.port, redisA.port, ours.port);
  rows.push(['redshard -> redis-server (pause on redshard)', t1, p1]);
  const [t2, p2] = await run(redisA.port, ours.port, ours.port);
  rows.push(['redis-server -> redshard (pause on redshard)', t2, p2]);
  const [t3, p3] = await run(ours.port, redisB.port, redisB.port);
  rows.push(['redshard -> redis-server (pause on redis-server)', t3, p3]);
  const [t4, p4] = await run(redisB.port, redisA.port, redisB.port);
  rows.push(['redis-server -> redis-server (pause on source)', t4, p4]);
  console.log(`MIGRATE of a ${fmt(FIELDS)}-field hash`);
  for (const [name, t, p] of rows) console.log(`  ${name.padEnd(50)} ${fmt(t).padStart(7)} ms total, worst PING ${fmt(p, 1).padStart(8)} ms`);
} finally {
  await Promise.all([stop(ours), stop(redisA), stop(redisB)]);
}
