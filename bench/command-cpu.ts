// In-process CPU per request of the command path alone (request parsing, dispatch, the command,
// the reply), without sockets: redis-benchmark's requests pipelined 16 at a time, fed to one
// session of a server built from dist/. The socket benchmark (node-core.ts) mixes in the kernel's
// and the machine's load; this one isolates what our code costs per request.
// Run with the node's heap flags (bin/redshard-node.js): npm run build && node --max-semi-space-size=4
// --heap-growing-percent=100 bench/command-cpu.ts [test ...]   (env BENCH_N, BENCH_KEYS, BENCH_SIZE)
import { pino } from 'pino';
import { Server } from '../dist/node/server/server.js';
import { Config } from '../dist/node/config/config.js';
import { Session } from '../dist/node/server/session.js';
import { execute } from '../dist/node/commands/dispatch.js';

const N = Number(process.env.BENCH_N ?? 2_000_000);
const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const SIZE = Number(process.env.BENCH_SIZE ?? 3);
const tests = process.argv.length > 2 ? process.argv.slice(2) : ['get', 'set', 'incr', 'lpush', 'sadd', 'hset', 'zadd'];

function command(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
}

/** One request as redis-benchmark sends it (-r KEYS, -d SIZE). */
function request(test: string, value: string): string {
  const r = String(Math.floor(Math.random() * KEYS)).padStart(12, '0');
  switch (test) {
    case 'get':
      return command(['GET', `key:${r}`]);
    case 'set':
      return command(['SET', `key:${r}`, value]);
    case 'incr':
      return command(['INCR', `counter:${r}`]);
    case 'lpush':
      return command(['LPUSH', 'mylist', value]);
    case 'sadd':
      return command(['SADD', 'myset', `element:${r}`]);
    case 'hset':
      return command(['HSET', 'myhash', `element:${r}`, value]);
    case 'zadd':
      return command(['ZADD', 'myzset', String(Math.floor(Math.random() * KEYS)), `element:${r}`]);
    default:
      throw new Error(`unknown test ${test}`);
  }
}

function measure(test: string): number {
  const server = new Server(new Config(), pino({ level: 'silent' }));
  const session = new Session(1, { remoteAddress: '127.0.0.1', remotePort: 1 } as never);
  session.authenticated = true;
  const value = 'x'.repeat(SIZE);
  const batches: Buffer[] = [];
  for (let i = 0; i < 4096; i++) {
    let b = '';
    for (let j = 0; j < 16; j++) b += request(test, value);
    batches.push(Buffer.from(b, 'latin1'));
  }
  if (test === 'get') for (let i = 0; i < KEYS; i++) server.dbs[0]!.set(`key:${String(i).padStart(12, '0')}`, value);
  const run = (n: number): void => {
    for (let i = 0; i < n / 16; i++) {
      // A fresh buffer per batch, as a socket read hands one over.
      session.reader.feed(Buffer.from(batches[i & 4095]!));
      // The batch clock, as server.processInput() sets it for a batch of pipelined requests.
      server.batchClock = Date.now();
      server.batchPerf = performance.now();
      server.batchClockValid = true;
      let argv: string[] | null;
      while ((argv = session.reader.next()) !== null) execute(server, session, argv);
      server.batchClockValid = false;
      session.out.take();
    }
  };
  run(Math.min(N, 200_000));
  const c0 = process.cpuUsage();
  run(N);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}

console.log(`| test | value | keys | CPU µs/request |`);
console.log(`|---|---:|---:|---:|`);
for (const t of tests) console.log(`| ${t.toUpperCase()} | ${SIZE} | ${KEYS} | ${measure(t).toFixed(3)} |`);
