// Two redshard-operator processes (kube mode, leader election) as a Deployment would run them: the
// leader is SIGKILLed in the middle of a scale-out; the standby takes the Lease once it expires and
// finishes the rebalance from what the nodes report, with writes running throughout.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { Cluster } from 'ioredis';
import { ROOT } from './control-plane.js';
import { useKubeEnvironment } from './environment.js';
import { isReady } from './resources.js';
import { Writer } from '../helpers/cluster-writer.js';
import { until } from '../helpers/until.js';

const IMAGE = process.env.REDSHARD_E2E_IMAGE ?? 'redshard:dev';
const NS = 'default';
const env = useKubeEnvironment({
  nodes: ['node-a', 'node-b', 'node-c', 'node-d'], crd: 'generated', serviceAccount: true,
  keepStateDir: Boolean(process.env.REDSHARD_E2E_KEEP),
});
let kubeconfig: string;
const operators: ChildProcess[] = [];

function startOperator(name: string): ChildProcess {
  const out = openSync(join(env.stateDir, `${name}.log`), 'a');
  const p = spawn(process.execPath, [join(ROOT, 'bin', 'redshard-operator.js'), 'kube', '--lease-namespace', 'redshard-system'], {
    env: { ...process.env, KUBECONFIG: kubeconfig, REDSHARD_LOG_LEVEL: 'info' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  operators.push(p);
  return p;
}

beforeAll(() => {
  kubeconfig = join(env.stateDir, 'operator.kubeconfig');
  writeFileSync(kubeconfig, env.operatorKubeConfig.exportConfig());
});

afterAll(() => {
  for (const p of operators) p.kill('SIGKILL');
});

test('the leader is killed mid-rebalance; the standby finishes it without losing a write', async () => {
  const { core } = env;
  const coord = env.kc.makeApiClient(CoordinationV1Api);
  const clusters = env.clusters(NS);
  const status = () => clusters.status('kv');
  const holder = async () => (await coord.readNamespacedLease({ name: 'redshard-operator', namespace: 'redshard-system' })).spec?.holderIdentity;

  const first = startOperator('operator-a');
  const leaderA = await until('operator-a leads', async () => holder(), 20_000);
  expect(leaderA).toMatch(new RegExp(`-${first.pid}$`));
  startOperator('operator-b');
  await clusters.create('kv', { shards: 3, replicasPerShard: 0, image: IMAGE, nodeTimeoutMs: 2000 });
  await until('Ready', async () => isReady(await status()), 120_000, 250);
  const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'redshard.io/cluster=kv' })).items;
  const client = new Cluster(pods.map((p) => ({ host: p.status!.podIP!, port: 6379 })), { redisOptions: { connectTimeout: 2000 } });
  try {
    // Enough keys that the rebalance takes a while.
    for (let i = 0; i < 20_000; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => client.set(`pre:${i + j}`, String(i + j))));
    const w = new Writer(client, 2000);
    w.start();
    await clusters.patchSpec('kv', { shards: 4 });
    const mid = await until('rebalance under way', async () => {
      const s = await status();
      return s?.operation?.type === 'ScaleOut' && (s.operation.slotsMoved ?? 0) > 0 ? s : undefined;
    }, 120_000, 50);
    first.kill('SIGKILL');
    const killedAt = Date.now();
    console.log(`killed the leader at ${mid.operation?.slotsMoved} of ${mid.operation?.slotsTotal} slots moved`);
    await until('operator-b leads', async () => { const h = await holder(); return h && h !== leaderA; }, 40_000, 250);
    const tookOver = Date.now() - killedAt;
    const done = await until('Ready with 4 shards', async () => {
      const s = await status();
      return isReady(s) && s?.shards?.length === 4 && s.shards.every((sh) => sh.slotCount === 4096) && !s.operation ? s : undefined;
    }, 240_000, 250);
    console.log(`standby took over after ${tookOver} ms; rebalance finished ${Date.now() - killedAt} ms after the kill`);
    await w.stop();
    expect(done.shards!.map((sh) => sh.slotCount)).toEqual([4096, 4096, 4096, 4096]);
    await w.expectNothingLost();
    for (let i = 0; i < 20_000; i += 1000) expect(await client.get(`pre:${i}`)).toBe(String(i));
  } catch (err) {
    const logB = readFileSync(join(env.stateDir, 'operator-b.log'), 'utf8').split('\n').slice(-20).join('\n');
    throw new Error(`${(err as Error).message}\noperator-b:\n${logB}`);
  } finally {
    client.disconnect();
  }
});
