// Losing a Kubernetes node with the test kubelet: its processes die, heartbeats stop, the
// controller-manager marks it NotReady (grace period shortened to keep the test quick) and its
// pods not Ready; recovering the node brings it and fresh copies of its pods back.
import { expect, test } from 'vitest';
import { useKubeEnvironment } from './environment.js';
import { until } from '../helpers/until.js';

const env = useKubeEnvironment({
  plane: { extraArgs: { 'kube-controller-manager': ['--node-monitor-grace-period=6s', '--node-monitor-period=1s'] } },
  nodes: ['node-a', 'node-b'], kubelet: { heartbeatMs: 1_000 },
});

test('a lost node goes NotReady with its pods; recovery brings it back', async () => {
  const { core, kubelet } = env;
  await core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name: 'on-b' }, spec: { nodeName: 'node-b', containers: [{ name: 'main', image: 'busybox', command: ['sleep', '60'] }] } },
  });
  const ready = async (name: string) =>
    (await core.readNamespacedPod({ namespace: 'default', name })).status?.conditions?.find((c) => c.type === 'Ready')?.status;
  await until('pod Ready', async () => (await ready('on-b')) === 'True');
  const t0 = Date.now();
  await kubelet.loseNode('node-b');
  const nodeReady = async () => (await core.readNode({ name: 'node-b' })).status?.conditions?.find((c) => c.type === 'Ready')?.status;
  await until('node-b not Ready', async () => (await nodeReady()) === 'Unknown', 30_000, 250);
  await until('pod not Ready', async () => (await ready('on-b')) === 'False', 30_000, 250);
  console.log(`node loss noticed in ${Date.now() - t0} ms`);
  const taints = (await core.readNode({ name: 'node-b' })).spec?.taints?.map((t) => t.key) ?? [];
  expect(taints).toContain('node.kubernetes.io/unreachable');
  expect((await core.readNode({ name: 'node-a' })).status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

  await kubelet.recoverNode('node-b');
  await until('node-b Ready', async () => (await nodeReady()) === 'True', 30_000, 250);
  await until('pod Ready again', async () => (await ready('on-b')) === 'True', 30_000, 250);
});
