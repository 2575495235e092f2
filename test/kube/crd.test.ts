// The generated CRD on a real kube-apiserver: it installs (structural schema, CEL compiles),
// defaults are applied server-side, the cross-field CEL rule rejects an oversized spec, the status
// subresource works, and `redshard status --kube` reads it back.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { binariesPresent, startControlPlane, type ControlPlane } from '../e2e-kube/control-plane.js';
import { ROOT } from '../helpers/processes.js';

const run = promisify(execFile);
let plane: ControlPlane;

beforeAll(async () => {
  if (!binariesPresent()) return;
  plane = await startControlPlane();
  plane.kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds')]);
  plane.kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/redisshardclusters.redshard.io']);
});

afterAll(async () => {
  await plane?.stop();
});

const cr = (name: string, spec: object) => JSON.stringify({ apiVersion: 'redshard.io/v1alpha1', kind: 'RedisShardCluster', metadata: { name, namespace: 'default' }, spec });

test.skipIf(!binariesPresent())('the CRD installs, defaults the spec and enforces its rules', async () => {
  plane.kubectl(['apply', '-f', '-'], cr('good', { shards: 2 }));
  const got = JSON.parse(plane.kubectl(['get', 'rsc', 'good', '-o', 'json'])) as { spec: Record<string, unknown> };
  expect(got.spec).toMatchObject({ shards: 2, replicasPerShard: 1, nodeTimeoutMs: 5000, paused: false, migration: { batchKeys: 100 } });

  expect(() => plane.kubectl(['apply', '-f', '-'], cr('too-big', { shards: 101, replicasPerShard: 2 }))).toThrow(/shards x \(replicasPerShard \+ 1\) must be at most 300/);
  expect(() => plane.kubectl(['apply', '-f', '-'], cr('bad-type', { shards: 'three' }))).toThrow(/spec.shards/);
  // A directive the operator owns passes the CRD (the controller reports InvalidSpec instead).
  plane.kubectl(['apply', '-f', '-'], cr('owned-config', { config: { port: '7000' } }));

  const status = { phase: 'Ready', slotsAssigned: 16384, readyMembers: '4/4', shards: [{ index: 0, replicas: [], slots: '0-16383', slotCount: 16384, master: { name: 'good-0-0', id: 'a'.repeat(40), address: '10.0.0.1:6379' } }], conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  plane.kubectl(['patch', 'rsc', 'good', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  // Nothing the controller writes may be pruned as undeclared.
  const back = JSON.parse(plane.kubectl(['get', 'rsc', 'good', '-o', 'json'])) as { status: unknown };
  expect(back.status).toEqual(status);
  expect(plane.kubectl(['get', 'rsc', 'good'])).toMatch(/good\s+2\s+1\s+Ready\s+16384\s+4\/4/);

  const r = await run(process.execPath, [join(ROOT, 'bin', 'redshard.js'), 'status', '--kube', '--name', 'good', '--json'], { env: { ...process.env, KUBECONFIG: plane.kubeconfigPath } });
  expect(JSON.parse(r.stdout)).toMatchObject({ name: 'good', status: { phase: 'Ready', slotsAssigned: 16384 } });
});
