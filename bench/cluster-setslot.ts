// CLUSTER SETSLOT latency: a 2-master cluster, node A owns every slot; redis-cli sends A cycles
// of `SETSLOT s MIGRATING B`, `SETSLOT s STABLE`, `SETSLOT s NODE A` (the owner-side steps of a
// reshard), once one command per round trip (redis-cli reading stdin) and once pipelined
// (redis-cli --pipe); then the importer side on B: `SETSLOT s IMPORTING A`, `SETSLOT s NODE B`
// (the first one bumps B's configEpoch and must be fsynced; both broadcast a PONG).
// A PING run of the same length shows what redis-cli itself costs.
// Our node and Debian's redis-server 7.0 in the same run; prints a markdown table.
// Run: npm run build && flock /tmp/redshard-bench.lock node_modules/.bin/node bench/cluster-setslot.ts
import { execFileSync } from 'node:child_process';
import { fmt, loadavg, startMetPair, stop, type Proc } from './common.ts';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 200);

function timed(port: number, input: string, pipe: boolean): number {
  const t = performance.now();
  const out = execFileSync('redis-cli', ['-p', String(port), ...(pipe ? ['--pipe'] : [])], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (!pipe && out.includes('ERR')) throw new Error(out.split('\n').find((l) => l.includes('ERR')));
  if (pipe && !/errors: 0,/.test(out)) throw new Error(out);
  return ms;
}

interface Result {
  importMs: number;
  seqMs: number;
  pipeMs: number;
  pingMs: number;
}

async function run(kind: 'redshard' | 'redis'): Promise<Result> {
  const procs: Proc[] = [];
  try {
    const { a, b, idA, idB } = await startMetPair(kind, procs);
    let plain = '';
    let resp = '';
    const enc = (args: string[]) => `*${args.length}\r\n${args.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
    for (let s = 0; s < CYCLES; s++) {
      for (const c of [
        ['cluster', 'setslot', String(s), 'migrating', idB],
        ['cluster', 'setslot', String(s), 'stable'],
        ['cluster', 'setslot', String(s), 'node', idA],
      ]) {
        plain += c.join(' ') + '\n';
        resp += enc(c);
      }
    }
    const pings = 'ping\n'.repeat(CYCLES * 3);
    timed(a.port, pings, false); // warm-up
    const pingMs = timed(a.port, pings, false);
    const seqMs = timed(a.port, plain, false);
    const pipeMs = timed(a.port, resp, true);
    let imports = '';
    for (let s = 0; s < CYCLES; s++) imports += `cluster setslot ${10000 + s} importing ${idA}\ncluster setslot ${10000 + s} node ${idB}\n`;
    const importMs = timed(b.port, imports, false);
    return { seqMs, pipeMs, pingMs, importMs };
  } finally {
    await Promise.all(procs.map(stop));
  }
}

const ours = await run('redshard');
const theirs = await run('redis');
const n = CYCLES * 3;
const rows: [string, (r: Result) => number][] = [
  [`${n} SETSLOT, one per round trip: ms per command`, (r) => r.seqMs / n],
  [`${n} SETSLOT, one per round trip, minus PING baseline: ms per command`, (r) => (r.seqMs - r.pingMs) / n],
  [`${n} SETSLOT pipelined (--pipe): total ms`, (r) => r.pipeMs],
  [`${CYCLES * 2} SETSLOT IMPORTING / NODE self on the importer, one per round trip: ms per command`, (r) => r.importMs / (CYCLES * 2)],
  [`${n} PING, one per round trip: ms per command`, (r) => r.pingMs / n],
];
console.log(`\nCLUSTER SETSLOT via redis-cli, loadavg ${loadavg()}\n`);
console.log('| metric | redshard | redis-server 7.0 | redshard / redis |');
console.log('|---|---:|---:|---:|');
for (const [name, f] of rows) {
  const x = f(ours);
  const y = f(theirs);
  console.log(`| ${name} | ${fmt(x, 3)} | ${fmt(y, 3)} | ${y > 0 ? fmt(x / y, 2) : '-'} |`);
}
process.exit(0);
