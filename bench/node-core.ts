// redis-benchmark against our node and Debian's redis-server 7.0 in one run: requests/s per test
// for -P 1 and -P 16, 3-byte and 1 KiB values, and the our/their ratio; then RSS after loading
// 1,000,000 small string keys into each. Run: npm run bench (or node bench/node-core.ts).
// Besides requests/s, each row gives the server's CPU time per request (user + system, all
// threads, from /proc): on a shared machine the throughput swings with everyone else's load,
// while CPU per request mostly does not, and their ratio is the throughput ratio to expect when
// both servers are CPU-bound.
import { spawnSync } from 'node:child_process';
import { cli, cpuSeconds, fmt, loadavg, pipeLoad, rssBytes, startServer, stop, type Proc } from './common.ts';
import { freePort } from '../test/helpers/ports.ts';

const TESTS = (process.env.BENCH_TESTS ?? 'get,set,incr,lpush,lpop,sadd,hset,zadd').split(',');
const N = Number(process.env.BENCH_N ?? 200_000);
const CLIENTS = 50;
const KEYS = 1_000_000;

const cpuTotal = (pid: number): number => cpuSeconds(pid).reduce((a, b) => a + b);

interface Result {
  rps: number;
  /** Server CPU microseconds per request. */
  cpuUs: number;
}

/** One redis-benchmark test: requests/s and server CPU per request, or null when the server rejects it. */
function benchOne(p: Proc, test: string, pipeline: number, size: number): Result | null {
  const port = p.port;
  const n = pipeline > 1 ? N * 4 : N;
  const cpu0 = cpuTotal(p.child.pid!);
  const r = spawnSync(
    'redis-benchmark',
    ['-p', String(port), '-c', String(CLIENTS), '-n', String(n), '-P', String(pipeline), '-d', String(size), '-r', '100000', '-t', test, '--csv', '-q'],
    { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 },
  );
  if (r.status !== 0) return null;
  const cpuUs = ((cpuTotal(p.child.pid!) - cpu0) * 1e6) / n;
  for (const line of r.stdout.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m) return { rps: Number(m[2]), cpuUs };
  }
  return null;
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  // Free ports, not fixed ones: a fixed port taken by someone else's server was benchmarked instead.
  const ours = await startServer('redshard', await freePort(), [], { nodeFlags: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean) });
  const theirs = await startServer('redis', await freePort());
  const rows: string[] = [];
  rows.push(`| test | pipeline | value | redshard req/s | redis req/s | ratio | redshard CPU µs/req | redis CPU µs/req | CPU ratio redis/ours |`);
  rows.push(`|---|---:|---:|---:|---:|---:|---:|---:|---:|`);
  for (const pipeline of (process.env.BENCH_PIPELINES ?? '1,16').split(',').map(Number)) {
    for (const size of [3, 1024]) {
      for (const t of TESTS) {
        // Alternate the two servers test by test so background load affects both alike.
        const x = benchOne(ours, t, pipeline, size);
        const y = benchOne(theirs, t, pipeline, size);
        const ratio = x !== null && y !== null ? (x.rps / y.rps).toFixed(2) : 'n/a';
        const cpuRatio = x !== null && y !== null && x.cpuUs > 0 ? (y.cpuUs / x.cpuUs).toFixed(2) : 'n/a';
        const cell = (v: Result | null, f: (v: Result) => string): string => (v === null ? 'error' : f(v));
        rows.push(
          `| ${t.toUpperCase()} | ${pipeline} | ${size} | ${cell(x, (v) => fmt(v.rps))} | ${cell(y, (v) => fmt(v.rps))} | ${ratio} | ${cell(x, (v) => fmt(v.cpuUs, 2))} | ${cell(y, (v) => fmt(v.cpuUs, 2))} | ${cpuRatio} |`,
        );
      }
      cli(ours.port, ['FLUSHALL']);
      cli(theirs.port, ['FLUSHALL']);
      process.stderr.write(`done -P ${pipeline} -d ${size}\n`);
    }
  }
  await stop(ours);
  await stop(theirs);
  // Memory is measured on fresh processes: the throughput runs leave freed heap behind.
  const fresh = [await startServer('redshard', await freePort()), await startServer('redis', await freePort())];
  const mem: string[] = [];
  for (const p of fresh as Proc[]) {
    const before = rssBytes(p.child.pid!);
    // One pipe of SET commands, as a user would bulk-load.
    pipeLoad(p.port, KEYS, () => 'val');
    const dbsize = cli(p.port, ['DBSIZE']);
    mem.push(`${p.name}: dbsize ${dbsize}, RSS ${fmt(before / 2 ** 20, 1)} MiB -> ${fmt(rssBytes(p.child.pid!) / 2 ** 20, 1)} MiB`);
  }
  const ro = rssBytes(fresh[0]!.child.pid!);
  const rt = rssBytes(fresh[1]!.child.pid!);
  console.log(`redis-benchmark -c ${CLIENTS} -n ${N} (x4 with -P 16), -r 100000, ${new Date().toISOString()}, loadavg at start ${loadStart}, at end ${loadavg()}`);
  console.log(rows.join('\n'));
  console.log('');
  console.log(`1,000,000 small string keys:\n${mem.join('\n')}\nRSS ratio redshard/redis: ${(ro / rt).toFixed(2)}`);
  await stop(fresh[0]!);
  await stop(fresh[1]!);
}

await main();
