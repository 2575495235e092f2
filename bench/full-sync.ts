// Full resynchronisation of 1,000,000 keys: a fresh replica attaches to a loaded master; reports
// the time until the replica's link is up with every key, the replica's CPU time, and the
// longest event-loop stall of the master meanwhile (a client pings it back to back), for our
// node and for Debian's redis-server (diskless, no delay) in the same run.
// Run: node bench/full-sync.ts (BENCH_KEYS=n for another size)
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg } from 'node:os';
import { cli, fmt, pipeLoad, rssBytes, startServer, stop, type Proc } from './common.ts';

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);

/** PINGs one at a time until stopped; returns the longest round trip in ms. */
function pinger(port: number): { stop(): Promise<number> } {
  const sock = net.connect({ port, host: '127.0.0.1' });
  let max = 0;
  let sent = 0;
  let running = true;
  let finished: (v: number) => void = () => {};
  const ping = (): void => {
    if (!running) return finished(max);
    sent = performance.now();
    sock.write('PING\r\n');
  };
  sock.on('connect', ping);
  sock.on('data', () => {
    max = Math.max(max, performance.now() - sent);
    ping();
  });
  return {
    stop: () =>
      new Promise((r) => {
        running = false;
        finished = (v) => {
          sock.destroy();
          r(v);
        };
      }),
  };
}

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

interface Result {
  ms: number;
  masterRss: number;
  replicaRss: number;
  replicaCpuMs: number;
  masterStallMs: number;
}

async function syncTime(kind: 'redshard' | 'redis', port: number): Promise<Result> {
  const extra = kind === 'redis' ? ['--repl-diskless-sync-delay', '0'] : [];
  const master = await startServer(kind, port, extra);
  pipeLoad(master.port, KEYS, (i) => `value-${String(i % 10000).padStart(4, '0')}`);
  const ping = pinger(master.port);
  const t0 = performance.now();
  const replica: Proc = await startServer(kind, port + 1, ['--replicaof', '127.0.0.1', String(master.port), ...extra]);
  for (;;) {
    const info = cli(replica.port, ['INFO', 'replication']);
    if (/master_link_status:up/.test(info) && cli(replica.port, ['DBSIZE']) === String(KEYS)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  const masterStallMs = await ping.stop();
  const replicaCpuMs = cpuMs(replica.child.pid!);
  // Memory once settled: V8's memory reducer shrinks the heap some seconds after the load.
  await new Promise((r) => setTimeout(r, 10_000));
  const masterRss = rssBytes(master.child.pid!);
  const replicaRss = rssBytes(replica.child.pid!);
  await stop(replica);
  await stop(master);
  return { ms, replicaCpuMs, masterStallMs, masterRss, replicaRss };
}

const la0 = loadavg()[0]!;
const ours = await syncTime('redshard', 17300);
const theirs = await syncTime('redis', 17310);
console.log(`full sync of ${fmt(KEYS)} keys (replica start to link up with all keys), loadavg ${la0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}\n`);
console.log('| server | sync ms | replica CPU ms (incl. start) | master max PING ms during sync | master RSS MB | replica RSS MB (10 s after) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, r] of [['redshard', ours], ['redis-server 7.0', theirs]] as const) {
  console.log(`| ${name} | ${fmt(r.ms)} | ${fmt(r.replicaCpuMs)} | ${fmt(r.masterStallMs, 1)} | ${fmt(r.masterRss / 2 ** 20)} | ${fmt(r.replicaRss / 2 ** 20)} |`);
}
console.log(`\nratio redshard / redis-server: ${(ours.ms / theirs.ms).toFixed(2)}`);
