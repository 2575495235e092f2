// The quick control-plane check run by `npm test`: a real apiserver, etcd, controller-manager and
// scheduler from the cached build, and the test kubelet running one pod (Debian's redis-server) on
// its own loopback address through to Ready, then graceful deletion.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../e2e-kube/control-plane.js';
import { TestKubelet } from '../e2e-kube/kubelet.js';
import { redisCli } from '../helpers/processes.js';

let plane: ControlPlane;
let kubelet: TestKubelet;
let stateDir: string;

beforeAll(async () => {
  const t = Date.now();
  plane = await startControlPlane();
  console.log(`control plane ready in ${Date.now() - t} ms`);
  stateDir = mkdtempSync(join(tmpdir(), 'redshard-kubelet-'));
  kubelet = new TestKubelet({ kc: plane.kubeConfig(), nodes: ['node-a'], stateDir, commands: { 'redis-server': ['redis-server'] } });
  await kubelet.start();
});

afterAll(async () => {
  await kubelet?.stop();
  await plane?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a pod runs on its own loopback address, becomes Ready, and is deleted gracefully', async () => {
  const core = plane.kubeConfig().makeApiClient(CoreV1Api);
  expect(plane.kubectl(['version', '-o', 'json'])).toContain('"gitVersion": "v1.36.3"');
  await until('node Ready', async () => {
    const n = await core.readNode({ name: 'node-a' });
    return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && !(n.spec?.taints ?? []).length;
  });
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name: 'kv', labels: { app: 'kv' } },
      spec: {
        containers: [{
          name: 'kv', image: 'redis:7.0', command: ['redis-server'],
          args: ['--port', '6379', '--bind', '$(POD_IP)', '--save', '', '--appendonly', 'no', '--loglevel', '$(LEVEL)'],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'LEVEL', value: 'notice' }],
          readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 1 },
        }],
        terminationGracePeriodSeconds: 5,
      },
    },
  });
  const pod = await until('pod Ready', async () => {
    const p = await core.readNamespacedPod({ namespace: 'default', name: 'kv' });
    return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
  });
  const ip = pod.status!.podIP!;
  expect(ip).toMatch(/^127\.0\.\d+\.\d+$/);
  expect(pod.spec?.nodeName).toBe('node-a');
  expect(pod.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
  expect(redisCli(6379, ['-h', ip, 'ping']).trim()).toBe('PONG');

  await core.deleteNamespacedPod({ namespace: 'default', name: 'kv' });
  await until('pod gone', async () => {
    try {
      await core.readNamespacedPod({ namespace: 'default', name: 'kv' });
      return false;
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  });
  const log = readFileSync(kubelet.logFile('default', 'kv', 'kv') ?? join(stateDir, 'missing'), 'utf8');
  expect(log).toMatch(/Ready to accept connections/);
});
