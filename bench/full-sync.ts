// Full resynchronisation of 1,000,000 keys: a fresh replica attaches to a loaded master; prints
// the time until the replica's link is up with every key, for our node and for Debian's
// redis-server (diskless, no delay) in the same run. Run: node bench/full-sync.ts
import { spawnSync } from 'node:child_process';
import { cli, fmt, startServer, stop, type Proc } from './common.ts';

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);

function load(port: number): void {
  const chunks: string[] = [];
  let proto = '';
  for (let i = 0; i < KEYS; i++) {
    const k = `key:${String(i).padStart(8, '0')}`;
    proto += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$10\r\nvalue-${String(i % 10000).padStart(4, '0')}\r\n`;
    if (proto.length > 1 << 20) {
      chunks.push(proto);
      proto = '';
    }
  }
  chunks.push(proto);
  const r = spawnSync('redis-cli', ['-p', String(port), '--pipe'], { input: chunks.join(''), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`load failed: ${r.stderr}`);
}

async function syncTime(kind: 'redshard' | 'redis', port: number): Promise<number> {
  const extra = kind === 'redis' ? ['--repl-diskless-sync-delay', '0'] : [];
  const master = await startServer(kind, port, extra);
  load(master.port);
  const t0 = performance.now();
  const replica: Proc = await startServer(kind, port + 1, ['--replicaof', '127.0.0.1', String(master.port), ...extra]);
  for (;;) {
    const info = cli(replica.port, ['INFO', 'replication']);
    if (/master_link_status:up/.test(info) && cli(replica.port, ['DBSIZE']) === String(KEYS)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  await stop(replica);
  await stop(master);
  return ms;
}

const ours = await syncTime('redshard', 17300);
const theirs = await syncTime('redis', 17310);
console.log(`full sync of ${fmt(KEYS)} keys (replica start to link up with all keys):`);
console.log(`  redshard ${fmt(ours)} ms, redis-server ${fmt(theirs)} ms, ratio ${(ours / theirs).toFixed(2)}`);
