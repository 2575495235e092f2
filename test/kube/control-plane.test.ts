// The quick control-plane check run by `npm test`: a real apiserver, etcd, controller-manager and
// scheduler from the cached build, and the test kubelet running one pod (Debian's redis-server) on
// its own loopback address through to Ready, then graceful deletion.
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useKubeEnvironment } from '../e2e-kube/environment.js';
import { redisCli } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const env = useKubeEnvironment({ nodes: ['node-a'], kubelet: { commands: { 'redis-server': ['redis-server'] } } });

test('a pod runs on its own loopback address, becomes Ready, and is deleted gracefully', async () => {
  const { core, plane, kubelet } = env;
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
  const log = readFileSync(kubelet.logFile('default', 'kv', 'kv') ?? join(env.stateDir, 'missing'), 'utf8');
  expect(log).toMatch(/Ready to accept connections/);
});
