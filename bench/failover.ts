// Failover time: SIGKILL a master of a 3-master + 3-replica cluster (redis-cli --cluster create
// --cluster-replicas 1) while an ioredis Cluster client writes to its slots; prints the time from
// the kill to the first successful write to those slots, for our node and for Debian's
// redis-server 7.0 with the same layout and node timeout, in the same run.
// Run: npm run build && node bench/failover.ts
import { execFileSync } from 'node:child_process';
import { Cluster } from 'ioredis';
import { cli, fmt, sleep, startServer, until, type Proc } from './common.ts';

const TIMEOUTS = (process.env.BENCH_NODE_TIMEOUTS ?? '1000,5000').split(',').map(Number);
let nextPort = 20000 + Math.floor(Math.random() * 20000);

function myLine(port: number): string[] {
  return cli(port, ['cluster', 'nodes']).split('\n').find((l) => l.includes('myself'))!.split(' ');
}

function owns(port: number, slot: number): boolean {
  const f = myLine(port);
  return f[2]!.includes('master') && f.slice(8).some((r) => {
    const [a, b] = r.split('-').map(Number);
    return a! <= slot && slot <= (b ?? a!);
  });
}

/** Other runs on this machine take ports too: a port that never opens is retried elsewhere. */
async function startOne(kind: 'redshard' | 'redis', nodeTimeout: number): Promise<Proc> {
  for (let attempt = 0; ; attempt++) {
    nextPort += 1 + Math.floor(Math.random() * 50);
    try {
      return await startServer(kind, nextPort, ['--cluster-enabled', 'yes', '--cluster-node-timeout', String(nodeTimeout)]);
    } catch (e) {
      if (attempt >= 4) throw e;
    }
  }
}

async function failoverMs(kind: 'redshard' | 'redis', nodeTimeout: number): Promise<number> {
  const nodes: Proc[] = [];
  for (let i = 0; i < 6; i++) nodes.push(await startOne(kind, nodeTimeout));
  try {
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { stdio: 'ignore', timeout: 60_000 });
    await until('cluster ok, replicas linked', () =>
      nodes.every((n) => {
        const info = cli(n.port, ['info', 'replication']);
        return cli(n.port, ['cluster', 'info']).includes('cluster_state:ok') && (info.includes('role:master') || info.includes('master_link_status:up'));
      }),
    );
    const victim = nodes.find((n) => myLine(n.port)[2]!.includes('master'))!;
    let tag = '';
    let slot = 0;
    for (let i = 0; ; i++) {
      slot = Number(cli(victim.port, ['cluster', 'keyslot', `t${i}`]));
      if (owns(victim.port, slot)) {
        tag = `t${i}`;
        break;
      }
    }
    const client = new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }], {
      clusterRetryStrategy: () => 50,
      retryDelayOnFailover: 50,
      retryDelayOnClusterDown: 50,
      retryDelayOnTryAgain: 50,
      slotsRefreshTimeout: 500,
      redisOptions: { connectTimeout: 300, commandTimeout: 500, maxRetriesPerRequest: 0 },
    });
    let killedAt = Infinity;
    let resumedAt = 0;
    let running = true;
    const loop = (async () => {
      for (let i = 0; running; i++) {
        const started = performance.now();
        try {
          await client.set(`{${tag}}:${i}`, String(i));
          if (started > killedAt && resumedAt === 0) resumedAt = performance.now();
        } catch {
          await sleep(10);
        }
      }
    })();
    await sleep(1000);
    killedAt = performance.now();
    victim.child.kill('SIGKILL');
    await until('writes resumed', () => resumedAt > 0, 120_000);
    running = false;
    await loop;
    client.disconnect();
    return resumedAt - killedAt;
  } finally {
    for (const n of nodes) n.child.kill('SIGKILL');
  }
}

for (const t of TIMEOUTS) {
  const ours = await failoverMs('redshard', t);
  const theirs = await failoverMs('redis', t);
  console.log(`failover, cluster-node-timeout ${t} ms: redshard ${fmt(ours)} ms, redis-server ${fmt(theirs)} ms, our/their ${fmt(ours / theirs, 2)}`);
}
process.exit(0);
