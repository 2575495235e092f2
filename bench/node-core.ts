// redis-benchmark against our node and Debian's redis-server 7.0 in one run: requests/s per test
// for -P 1 and -P 16, 3-byte and 1 KiB values, and the our/their ratio; then RSS after loading
// 1,000,000 small string keys into each. Run: npm run bench (or node bench/node-core.ts).
import { spawnSync } from 'node:child_process';
import { cli, fmt, pipeLoad, rssBytes, startServer, stop, type Proc } from './common.ts';

const TESTS = (process.env.BENCH_TESTS ?? 'get,set,incr,lpush,lpop,sadd,hset,zadd').split(',');
const N = Number(process.env.BENCH_N ?? 200_000);
const CLIENTS = 50;
const KEYS = 1_000_000;

/** Requests per second of one redis-benchmark test, or null when the server rejects it. */
function benchOne(port: number, test: string, pipeline: number, size: number): number | null {
  const r = spawnSync(
    'redis-benchmark',
    ['-p', String(port), '-c', String(CLIENTS), '-n', String(pipeline > 1 ? N * 4 : N), '-P', String(pipeline), '-d', String(size), '-r', '100000', '-t', test, '--csv', '-q'],
    { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 },
  );
  if (r.status !== 0) return null;
  for (const line of r.stdout.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m) return Number(m[2]);
  }
  return null;
}

async function main(): Promise<void> {
  const ours = await startServer('redshard', 17100);
  const theirs = await startServer('redis', 17200);
  const rows: string[] = [];
  rows.push(`| test | pipeline | value | redshard req/s | redis req/s | ratio |`);
  rows.push(`|---|---:|---:|---:|---:|---:|`);
  for (const pipeline of (process.env.BENCH_PIPELINES ?? '1,16').split(',').map(Number)) {
    for (const size of [3, 1024]) {
      for (const t of TESTS) {
        // Alternate the two servers test by test so background load affects both alike.
        const x = benchOne(ours.port, t, pipeline, size);
        const y = benchOne(theirs.port, t, pipeline, size);
        const ratio = x !== null && y ? (x / y).toFixed(2) : 'n/a';
        rows.push(`| ${t.toUpperCase()} | ${pipeline} | ${size} | ${x === null ? 'error' : fmt(x)} | ${y === null ? 'error' : fmt(y)} | ${ratio} |`);
      }
      cli(ours.port, ['FLUSHALL']);
      cli(theirs.port, ['FLUSHALL']);
      process.stderr.write(`done -P ${pipeline} -d ${size}\n`);
    }
  }
  await stop(ours);
  await stop(theirs);
  // Memory is measured on fresh processes: the throughput runs leave freed heap behind.
  const fresh = [await startServer('redshard', 17101), await startServer('redis', 17201)];
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
  console.log(`redis-benchmark -c ${CLIENTS} -n ${N} (x4 with -P 16), -r 100000, ${new Date().toISOString()}`);
  console.log(rows.join('\n'));
  console.log('');
  console.log(`1,000,000 small string keys:\n${mem.join('\n')}\nRSS ratio redshard/redis: ${(ro / rt).toFixed(2)}`);
  await stop(fresh[0]!);
  await stop(fresh[1]!);
}

await main();
