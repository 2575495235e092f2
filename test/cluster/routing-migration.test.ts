// Table-driven routing for every command group with a slot half-migrated, compared with
// redis-server 7.0: two clusters (ours and Redis's) of three masters X (0-5460), Y (5461-10922),
// Z (10923-16383) plus W, a replica of X. Slot 3443 ({user1000}) is MIGRATING on X and IMPORTING
// on Y and some of its keys have already moved. The same script runs on both clusters; replies
// must be equal once addresses and node IDs are replaced by node names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { ServerProcess } from '../helpers/processes.js';
import { sortArrayReply } from '../helpers/differential.js';
import { RawClient } from '../helpers/raw-client.js';
import { cli, converged, startClusterNode, waitUntil } from './cluster-helpers.js';

type Name = 'x' | 'y' | 'z' | 'w';
type Cluster = Record<Name, ServerProcess> & { ids: Record<Name, string> };
const clusters: Partial<Record<'ours' | 'redis', Cluster>> = {};
const NAMES: Name[] = ['x', 'y', 'z', 'w'];

const K = '{user1000}';
const SLOT = '3443';

async function setup(kind: 'redshard' | 'redis'): Promise<Cluster> {
  const [x, y, z, w] = await Promise.all(NAMES.map(() => startClusterNode(kind)));
  const c = { x: x!, y: y!, z: z!, w: w! } as Cluster;
  c.ids = Object.fromEntries(NAMES.map((n) => [n, cli(c[n], 'cluster', 'myid')])) as Record<Name, string>;
  NAMES.forEach((n, i) => cli(c[n], 'cluster', 'set-config-epoch', String(i + 1)));
  cli(c.x, 'cluster', 'addslotsrange', '0', '5460');
  cli(c.y, 'cluster', 'addslotsrange', '5461', '10922');
  cli(c.z, 'cluster', 'addslotsrange', '10923', '16383');
  for (const n of [c.y, c.z, c.w]) cli(n, 'cluster', 'meet', '127.0.0.1', String(c.x.port));
  await waitUntil(`${kind} converged`, () => converged(NAMES.map((n) => c[n])), 30_000);
  expect(cli(c.w, 'cluster', 'replicate', c.ids.x)).toBe('OK');
  await waitUntil(`${kind} replica synced`, () => /master_link_status:up/.test(cli(c.w, 'info', 'replication')), 30_000);
  await waitUntil(`${kind} cluster ok`, () => NAMES.every((n) => cli(c[n], 'cluster', 'info').includes('cluster_state:ok')), 30_000);
  const data: string[][] = [
    ['SET', `${K}s`, 'v1'], ['SET', `${K}m1`, 'mv'],
    ['RPUSH', `${K}l`, 'a', 'b', 'c', 'd'], ['RPUSH', `${K}ml`, 'a', 'b', 'c'],
    ['HSET', `${K}h`, 'f', 'v'], ['HSET', `${K}mh`, 'f', 'v'],
    ['SADD', `${K}set`, 'a', 'b'], ['SADD', `${K}mset`, 'b', 'c'],
    ['ZADD', `${K}z`, '1', 'a', '2', 'b'], ['ZADD', `${K}mz`, '1', 'a'],
    ['SET', '{b}s', 'bv'], ['RPUSH', '{b}l', 'x'],
  ];
  for (const d of data) cli(c.x, ...d);
  cli(c.y, 'set', '{c}s', 'cv');
  cli(c.z, 'set', '{a}s', 'av');
  expect(cli(c.y, 'cluster', 'setslot', SLOT, 'importing', c.ids.x)).toBe('OK');
  expect(cli(c.x, 'cluster', 'setslot', SLOT, 'migrating', c.ids.y)).toBe('OK');
  const moved = ['m1', 'ml', 'mh', 'mset', 'mz'].map((k) => `${K}${k}`);
  expect(cli(c.x, 'migrate', '127.0.0.1', String(c.y.port), '', '0', '5000', 'KEYS', ...moved)).toBe('OK');
  // Redis lists a replica in CLUSTER SLOTS once its master heard a non-zero offset from it.
  await waitUntil(`${kind} replica in CLUSTER SLOTS`, () => cli(c.x, 'cluster', 'slots').includes(c.ids.w), 20_000);
  await waitUntil(`${kind} replica caught up`, () => cli(c.w, 'dbsize') === cli(c.x, 'dbsize') && cli(c.w, 'dbsize') === '7', 20_000);
  return c;
}

// A step: node name (suffix '+' = a fresh connection just for this command), then the command.
// A leading '~' on the node name sorts an array reply (order unspecified by Redis).
type Step = [string, ...string[]];

/** CLUSTER NODES lines with ping/pong timestamps blanked. */
function nodesWithoutTimes(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n') + 2, -2);
  const lines = body.split('\n').filter((l) => l !== '').map((l) => l.split(' ').map((f, i) => (i === 4 || i === 5 ? 'T' : f)).join(' '));
  return lines.join('\n');
}

async function run(c: Cluster, steps: Step[]): Promise<string[]> {
  const conns = Object.fromEntries(await Promise.all(NAMES.map(async (n) => [n, await RawClient.connect(c[n].port, c[n].host)] as const))) as Record<Name, RawClient>;
  const norm = (r: string): string => {
    let s = r;
    for (const n of NAMES) {
      s = s.replaceAll(`127.0.0.1:${c[n].port}@${c[n].port + 10000}`, n.toUpperCase()).replaceAll(`127.0.0.1:${c[n].port}`, n.toUpperCase()).replaceAll(`:${c[n].port}\r\n`, `:${n.toUpperCase()}\r\n`).replaceAll(c.ids[n], `${n.toUpperCase()}-ID`);
    }
    return s.replace(/replication-offset\r\n:\d+/g, 'replication-offset\r\n:N');
  };
  try {
    const out: string[] = [];
    for (const [target, ...raw] of steps) {
      // '@x'... stand for that node's port in this cluster.
      const cmd = raw.map((a) => (/^@[xyzw]$/.test(a) ? String(c[a[1] as Name].port) : /^@[xyzw]-id$/.test(a) ? c.ids[a[1] as Name] : a));
      const unordered = target.startsWith('~');
      const fresh = target.endsWith('+');
      const n = target.replace(/[~+]/g, '') as Name;
      let reply: string;
      if (fresh) {
        const f = await RawClient.connect(c[n].port, c[n].host);
        try {
          reply = await f.call(...cmd);
        } finally {
          f.close();
        }
      } else {
        reply = await conns[n].call(...cmd);
      }
      const shown = cmd[0] === 'CLUSTER' && cmd[1] === 'NODES' ? norm(nodesWithoutTimes(reply)).split('\n').sort().join('\n') : norm(unordered ? sortArrayReply(reply) : reply);
      out.push(`${target} ${raw.join(' ')} -> ${shown}`);
    }
    return out;
  } finally {
    for (const n of NAMES) conns[n].close();
  }
}

async function same(steps: Step[]): Promise<void> {
  const ours = await run(clusters.ours!, steps);
  const redis = await run(clusters.redis!, steps);
  const diffs = ours.flatMap((o, i) => (o === redis[i] ? [] : [{ ours: o, redis: redis[i] }]));
  expect(diffs, 'replies that differ from redis-server 7.0').toEqual([]);
}

const k = (s: string): string => `${K}${s}`;

describe('routing of every command group with a slot half-migrated, as redis-server 7.0', () => {
  beforeAll(async () => {
    [clusters.ours, clusters.redis] = await Promise.all([setup('redshard'), setup('redis')]);
  }, 120_000);

  afterAll(async () => {
    for (const c of Object.values(clusters)) {
      for (const n of NAMES) {
        await c[n].stop('SIGKILL');
        rmSync(c[n].dir, { recursive: true, force: true });
      }
    }
  });

  it('replica: MOVED until READONLY, then serves reads of its master only', async () => {
    await same([
      ['w', 'GET', '{b}s'],
      ['w', 'READONLY'],
      ['w', 'GET', '{b}s'],
      ['w', 'GET', k('s')],
      ['w', 'GET', k('m1')],
      ['w', 'MGET', k('s'), k('m1')],
      ['w', 'LRANGE', '{b}l', '0', '-1'],
      ['w', 'SET', '{b}s', 'x'],
      ['w', 'RPUSH', '{b}l', 'y'],
      ['w', 'GET', '{c}s'],
      ['w', 'GET', '{a}s'],
      ['w', 'READWRITE'],
      ['w', 'GET', '{b}s'],
      ['w', 'DBSIZE'],
      ['x', 'CLUSTER', 'SLOTS'],
      ['w', 'CLUSTER', 'SLOTS'],
      ['w', 'CLUSTER', 'COUNTKEYSINSLOT', SLOT],
      ['~w', 'CLUSTER', 'SHARDS'],
      ['x', 'CLUSTER', 'NODES'],
      ['y', 'CLUSTER', 'NODES'],
      ['w', 'CLUSTER', 'NODES'],
    ]);
  });

  it('strings, keys and multi-key commands: serve, ASK, MOVED, ASKING once, TRYAGAIN, CROSSSLOT', async () => {
    await same([
      ['x', 'GET', k('s')],
      ['x', 'GET', k('nx')],
      ['x', 'GET', k('m1')],
      ['x', 'SET', k('nx'), 'v'],
      ['x', 'APPEND', k('s'), '+'],
      ['x', 'INCR', k('nx')],
      ['x', 'STRLEN', k('m1')],
      ['x', 'SETRANGE', k('m1'), '0', 'x'],
      ['x', 'GETRANGE', k('s'), '0', '1'],
      ['x', 'TYPE', k('m1')],
      ['x', 'TTL', k('s')],
      ['x', 'EXPIRE', k('m1'), '100'],
      ['x', 'PERSIST', k('s')],
      ['x', 'OBJECT', 'ENCODING', k('nx')],
      ['x', 'DUMP', k('m1')],
      ['y', 'GET', k('m1')],
      ['y', 'ASKING'],
      ['y', 'GET', k('m1')],
      ['y', 'GET', k('m1')],
      ['y', 'ASKING'],
      ['y', 'SET', k('new'), 'n'],
      ['y', 'GET', k('new')],
      ['z', 'GET', k('s')],
      ['z', 'GET', '{a}s'],
      ['x', 'GET', '{a}s'],
      ['y', 'GET', '{b}s'],
      ['x', 'MGET', k('s'), k('m1')],
      ['x', 'MGET', k('s'), k('s')],
      ['x', 'MGET', k('nx'), k('m1')],
      ['x', 'MSET', k('s'), 'a', k('m1'), 'b'],
      ['x', 'MSETNX', k('s'), 'a', '{b}s', 'b'],
      ['x', 'MSET', '{b}s', 'a', '{a}s', 'b'],
      ['y', 'ASKING'],
      ['y', 'MGET', k('m1'), k('s')],
      ['y', 'ASKING'],
      ['y', 'MGET', k('m1'), k('new')],
      ['x', 'DEL', k('s'), k('m1')],
      ['x', 'DEL', k('nx')],
      ['x', 'EXISTS', k('s'), k('m1')],
      ['x', 'UNLINK', k('s'), '{b}s'],
      ['x', 'TOUCH', k('s'), k('s')],
      ['x', 'RENAME', k('s'), k('m1')],
      ['x', 'RENAME', k('s'), '{b}s'],
      ['x', 'RENAME', k('nx'), k('nx2')],
      ['x', 'RENAMENX', k('s'), k('nx2')],
      ['x', 'COPY', k('s'), k('nx2')],
      ['y', 'ASKING'],
      ['y', 'RENAME', k('new'), k('new2')],
      ['y', 'ASKING'],
      ['y', 'GET', k('new2')],
      ['x', 'OBJECT', 'FREQ', '{a}s'],
    ]);
  });

  it('hashes, sets, sorted sets and lists', async () => {
    await same([
      ['x', 'HGET', k('h'), 'f'],
      ['x', 'HGET', k('mh'), 'f'],
      ['x', 'HSET', k('mh'), 'g', 'v'],
      ['x', 'HINCRBY', k('nx'), 'f', '1'],
      ['x', 'HGETALL', k('h')],
      ['y', 'HGETALL', k('mh')],
      ['y', 'ASKING'],
      ['y', 'HGETALL', k('mh')],
      ['x', 'SISMEMBER', k('set'), 'a'],
      ['x', 'SCARD', k('mset')],
      ['x', 'SADD', k('mset'), 'z'],
      ['x', 'SINTERSTORE', k('d'), k('set'), k('mset')],
      ['x', 'SINTERSTORE', k('nx'), k('set')],
      ['x', 'SUNIONSTORE', k('set'), k('set'), k('set')],
      ['x', 'SINTERSTORE', k('set'), k('set'), '{b}s'],
      ['~x', 'SUNION', k('set'), k('set')],
      ['x', 'SINTERCARD', '2', k('set'), k('mset')],
      ['x', 'SMOVE', k('set'), k('mset'), 'a'],
      ['x', 'SMOVE', k('set'), '{b}x', 'a'],
      ['y', 'ASKING'],
      ['y', 'SMOVE', k('mset'), k('mset'), 'b'],
      ['x', 'ZSCORE', k('z'), 'a'],
      ['x', 'ZRANGE', k('mz'), '0', '-1'],
      ['x', 'ZADD', k('mz'), '5', 'c'],
      ['x', 'ZUNIONSTORE', k('d'), '2', k('z'), k('mz')],
      ['x', 'ZUNIONSTORE', k('z'), '1', k('z')],
      ['x', 'ZINTERSTORE', k('z'), '2', k('z'), '{b}s'],
      ['x', 'ZRANGESTORE', k('nx'), k('z'), '0', '-1'],
      ['x', 'ZDIFF', '2', k('z'), k('mz')],
      ['y', 'ASKING'],
      ['y', 'ZRANGE', k('mz'), '0', '-1', 'WITHSCORES'],
      ['x', 'LRANGE', k('l'), '0', '-1'],
      ['x', 'LPUSH', k('ml'), 'x'],
      ['x', 'LMOVE', k('l'), k('ml'), 'LEFT', 'RIGHT'],
      ['x', 'LMOVE', k('l'), k('l'), 'LEFT', 'RIGHT'],
      ['x', 'LMOVE', k('l'), '{b}l', 'LEFT', 'LEFT'],
      ['x', 'RPOPLPUSH', k('l'), k('nx')],
      ['x', 'LMPOP', '2', k('l'), k('ml'), 'LEFT'],
      ['x', 'LMPOP', '1', k('l'), 'LEFT'],
      ['y', 'ASKING'],
      ['y', 'LRANGE', k('ml'), '0', '-1'],
    ]);
  });

  it('blocking commands route before they block', async () => {
    await same([
      ['x', 'BLPOP', k('l'), '1'],
      ['x', 'BLPOP', k('nx'), '1'],
      ['x', 'BLPOP', k('l'), k('ml'), '1'],
      ['x', 'BLPOP', k('l'), '{b}l', '1'],
      ['x', 'BLMOVE', k('l'), k('ml'), 'LEFT', 'RIGHT', '1'],
      ['x', 'BLMPOP', '1', '2', k('l'), k('ml'), 'LEFT'],
      ['x', 'BZPOPMIN', k('z'), '1'],
      ['x', 'BZPOPMIN', k('mz'), '1'],
      ['z', 'BLPOP', k('l'), '1'],
      ['y', 'BLPOP', k('ml'), '1'],
      ['y', 'ASKING'],
      ['y', 'BLPOP', k('ml'), '1'],
      ['y', 'ASKING'],
      ['y', 'BRPOP', k('ml'), k('l'), '1'],
    ]);
  });

  it('MULTI/EXEC and WATCH: a redirect inside MULTI aborts EXEC, ASKING before MULTI holds for it', async () => {
    await same([
      ['x', 'MULTI'],
      ['x', 'SET', k('s'), 't1'],
      ['x', 'GET', k('nx')],
      ['x', 'EXEC'],
      ['x', 'MULTI'],
      ['x', 'GET', 'foo'],
      ['x', 'EXEC'],
      ['x', 'MULTI'],
      ['x', 'MGET', k('s'), '{b}s'],
      ['x', 'EXEC'],
      ['x', 'MULTI'],
      ['x', 'SET', k('s'), 't2'],
      ['x', 'SET', '{b}s', 't2'],
      ['x', 'EXEC'],
      ['x', 'MULTI'],
      ['x', 'SET', k('s'), 't3'],
      ['x', 'GET', k('s')],
      ['x', 'EXEC'],
      ['x', 'MULTI'],
      ['x', 'SET', k('s'), 't4'],
      ['x', 'GET', k('m1')],
      ['x', 'EXEC'],
      ['x', 'GET', k('s')],
      ['x', 'WATCH', k('nx')],
      ['x', 'WATCH', k('s'), k('m1')],
      ['x', 'WATCH', k('s'), '{b}s'],
      ['x', 'WATCH', k('s')],
      ['x', 'MULTI'],
      ['x', 'SET', k('s'), 'w'],
      ['x', 'EXEC'],
      ['y', 'MULTI'],
      ['y', 'GET', k('m1')],
      ['y', 'EXEC'],
      ['y', 'ASKING'],
      ['y', 'MULTI'],
      ['y', 'GET', k('m1')],
      ['y', 'SET', k('m1'), 'viamulti'],
      ['y', 'EXEC'],
      ['y', 'GET', k('m1')],
      ['y', 'MULTI'],
      ['y', 'ASKING'],
      ['y', 'GET', k('m1')],
      ['y', 'EXEC'],
      ['y', 'MULTI'],
      ['y', 'PING'],
      ['y', 'DISCARD'],
      // A watched key that MIGRATE moves away fails the transaction; touching it inside MULTI
      // redirects and aborts it.
      ['x', 'WATCH', k('h')],
      ['x+', 'MIGRATE', '127.0.0.1', '@y', k('h'), '0', '5000'],
      ['x', 'MULTI'],
      ['x', 'PING'],
      ['x', 'EXEC'],
      ['x', 'WATCH', k('set')],
      ['x+', 'MIGRATE', '127.0.0.1', '@y', k('set'), '0', '5000'],
      ['x', 'MULTI'],
      ['x', 'GET', k('set')],
      ['x', 'EXEC'],
      ['y', 'ASKING'],
      ['y', 'MGET', k('h'), k('set')],
    ]);
  });

  it('pub/sub, server and key-less commands are not redirected; sharded channels are', async () => {
    await same([
      ['x', 'PUBLISH', k('s'), 'hi'],
      ['x', 'PUBLISH', 'foo', 'hi'],
      ['x', 'SPUBLISH', 'foo', 'hi'],
      ['z', 'SPUBLISH', 'foo', 'hi'],
      ['x', 'SPUBLISH', k('s'), 'hi'],
      ['y', 'SPUBLISH', k('s'), 'hi'],
      ['x+', 'SUBSCRIBE', 'foo'],
      ['x+', 'PSUBSCRIBE', 'f*'],
      ['x+', 'SSUBSCRIBE', 'foo'],
      ['z+', 'SSUBSCRIBE', 'foo'],
      ['z+', 'SSUBSCRIBE', 'foo', '{a}x'],
      ['x+', 'SSUBSCRIBE', 'foo', '{a}x'],
      ['x', 'PUBSUB', 'NUMSUB', 'foo'],
      ['x', 'PUBSUB', 'SHARDNUMSUB', 'foo'],
      ['x', 'PING'],
      ['x', 'ECHO', 'hi'],
      ['x', 'DBSIZE'],
      ['y', 'DBSIZE'],
      ['~x', 'KEYS', '*'],
      ['~y', 'KEYS', '*'],
      ['x', 'CLUSTER', 'KEYSLOT', k('s')],
      ['x', 'CLUSTER', 'COUNTKEYSINSLOT', SLOT],
      ['y', 'CLUSTER', 'COUNTKEYSINSLOT', SLOT],
      ['~x', 'CLUSTER', 'GETKEYSINSLOT', SLOT, '100'],
      ['~y', 'CLUSTER', 'GETKEYSINSLOT', SLOT, '100'],
      ['x', 'SELECT', '1'],
      ['x', 'FLUSHDB', 'x'],
      ['x', 'LASTSAVE', 'x'],
      ['x', 'TIME', 'x'],
      ['x', 'SELECT', '0'],
      // In the subscribe context, redirects come before the context check.
      ['x', 'SUBSCRIBE', 'c1'],
      ['x', 'GET', 'foo'],
      ['x', 'GET', k('nx')],
      ['x', 'GET', '{b}s'],
      ['x', 'PING'],
    ]);
  });

  it('every keyed command of the table routes like redis-server: ASK, MOVED, CROSSSLOT', async () => {
    type Info = [string, number, string[], number, number, number, ...unknown[]];
    const list = (p: ServerProcess): Info[] => JSON.parse(execFileSync('redis-cli', ['-h', p.host, '-p', String(p.port), '--json', 'command'], { encoding: 'latin1' })) as Info[];
    const ours = new Set(list(clusters.ours!.x).map((c) => c[0]));
    const steps: Step[] = [];
    let covered = 0;
    for (const [name, arity, flags, first, last, step] of list(clusters.redis!.x).sort((a, b) => a[0].localeCompare(b[0]))) {
      // Subscribing would change the connection's context for the rest of the table.
      if (!ours.has(name) || first <= 0 || flags.includes('movablekeys') || name.endsWith('subscribe')) continue;
      const argc = Math.abs(arity);
      const keyPos: number[] = [];
      for (let i = first; i <= (last < 0 ? argc + last : last); i += step) keyPos.push(i);
      // Routing happens before argument parsing, so non-key arguments can be anything.
      const argv = Array.from({ length: argc - 1 }, (_, i) => (keyPos.includes(i + 1) ? k('nx') : '1'));
      steps.push(['x', name, ...argv], ['z', name, ...argv]);
      if (keyPos.length > 1) steps.push(['x', name, ...argv.map((a, i) => (i + 1 === keyPos[1] ? '{b}nx' : a))]);
      covered++;
    }
    expect(covered).toBeGreaterThan(100);
    // Commands whose key positions depend on their arguments.
    const n = k('nx');
    const movable: string[][] = [
      ['BZMPOP', '1', '2', n, n, 'MIN'],
      ['ZMPOP', '2', n, n, 'MIN'],
      ['BLMPOP', '1', '2', n, n, 'LEFT'],
      ['LMPOP', '2', n, n, 'LEFT'],
      ['SINTERCARD', '2', n, n],
      ['ZDIFF', '2', n, n],
      ['ZDIFFSTORE', n, '2', n, n],
      ['ZINTER', '2', n, n],
      ['ZINTERCARD', '2', n, n],
      ['ZINTERSTORE', n, '2', n, n],
      ['ZUNION', '2', n, n],
      ['ZUNIONSTORE', n, '2', n, n],
      ['MIGRATE', '127.0.0.1', '1', n, '0', '1000'],
      ['MIGRATE', '127.0.0.1', '1', '', '0', '1000', 'KEYS', n, n],
    ];
    for (const cmd of movable) {
      const lastKey = cmd.lastIndexOf(n);
      steps.push(['x', ...cmd], ['z', ...cmd], ['x', ...cmd.map((a, i) => (i === lastKey ? '{b}nx' : a))]);
    }
    await same(steps);
  });

  it('CLUSTERDOWN: the cluster is down with full coverage required, hash slot not served without', async () => {
    for (const c of Object.values(clusters)) {
      expect(cli(c.z, 'cluster', 'delslots', '15495')).toBe('OK');
      await waitUntil('z down', () => cli(c.z, 'cluster', 'info').includes('cluster_state:fail'));
    }
    await same([
      ['z', 'GET', '{a}s'],
      ['z', 'GET', 'foo'],
      ['z', 'GET', k('s')],
      ['z', 'PING'],
      ['z', 'READONLY'],
      ['z', 'GET', 'foo'],
    ]);
    for (const c of Object.values(clusters)) {
      expect(cli(c.z, 'config', 'set', 'cluster-require-full-coverage', 'no')).toBe('OK');
      await waitUntil('z up', () => cli(c.z, 'cluster', 'info').includes('cluster_state:ok'));
    }
    await same([
      ['z', 'GET', '{a}s'],
      ['z', 'SET', '{a}s', 'v'],
      ['z', 'MGET', '{a}s', '{a}t'],
      ['z', 'GET', 'foo'],
      ['z', 'GET', k('s')],
      ['z', 'CLUSTER', 'COUNTKEYSINSLOT', '15495'],
    ]);
    for (const c of Object.values(clusters)) {
      expect(cli(c.z, 'config', 'set', 'cluster-allow-reads-when-down', 'yes')).toBe('OK');
      expect(cli(c.z, 'config', 'set', 'cluster-require-full-coverage', 'yes')).toBe('OK');
      // Redis re-evaluates the state only on a cluster event, not on CONFIG SET: give it one.
      expect(cli(c.z, 'cluster', 'delslots', '15496')).toBe('OK');
      await waitUntil('z down again', () => cli(c.z, 'cluster', 'info').includes('cluster_state:fail'));
    }
    await same([
      ['z', 'GET', 'foo'],
      ['z', 'SET', 'foo', 'v'],
      ['z', 'GET', '{a}s'],
    ]);
  });
});
