// The Helm chart on the real control plane: `helm template` rendered and applied with kubectl, the
// operator Deployment's pod run by the test kubelet (ServiceAccount credentials included, so the
// chart's RBAC is what the operator gets), probes on its metrics port, and a RedisShardCluster
// brought to Ready by the operator installed that way.
import { expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { GROUP, PLURAL } from '../../operator/api/v1alpha1.js';
import { BIN_DIR, ROOT } from './control-plane.js';
import { NODE_COMMANDS, useKubeEnvironment } from './environment.js';
import { isReady } from './resources.js';
import { crdEstablished } from './wait.js';
import { until } from '../helpers/until.js';

const env = useKubeEnvironment({
  podCredentials: true,
  kubelet: { commands: { ...NODE_COMMANDS, 'redshard-operator': [process.execPath, join(ROOT, 'bin', 'redshard-operator.js')] } },
});

test('helm template | kubectl apply: the operator pod runs with the chart RBAC and makes a cluster Ready', async () => {
  const rendered = execFileSync(join(BIN_DIR, 'helm'), [
    'template', 'rs', join(ROOT, 'charts', 'redshard'), '--namespace', 'redshard-system', '--include-crds', '--kube-version', '1.36.3',
    '--set', 'exampleCluster.enabled=false',
  ], { encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: join(env.stateDir, 'helm'), HELM_CONFIG_HOME: join(env.stateDir, 'helm') } });
  const { plane, kubelet, kc, core } = env;
  plane.kubectl(['create', 'namespace', 'redshard-system']);
  // ServiceMonitor is off by default; everything rendered is a built-in kind or the CRD.
  plane.kubectl(['apply', '--server-side', '-f', '-'], rendered);
  await crdEstablished(kc, `${PLURAL}.${GROUP}`);
  const apps = kc.makeApiClient(AppsV1Api);

  await until('operator Deployment available', async () => {
    const d = (await apps.listNamespacedDeployment({ namespace: 'redshard-system' })).items[0];
    return (d?.status?.availableReplicas ?? 0) >= 1;
  }, 60_000, 250);

  const clusters = env.clusters('default');
  await clusters.create('charted', { shards: 3, replicasPerShard: 0, image: 'redis:7.0', nodeTimeoutMs: 2000 });
  const t0 = Date.now();
  const status = await until('Ready', async () => {
    const s = await clusters.status('charted');
    return isReady(s) ? s : undefined;
  }, 120_000, 250).catch((err: Error) => {
    const op = kubelet.running().find((p) => p.namespace === 'redshard-system');
    const log = op ? kubelet.logFile(op.namespace, op.name, 'operator') : undefined;
    throw new Error(`${err.message}\n${log ? execFileSync('tail', ['-n', '20', log], { encoding: 'utf8' }) : 'no operator pod'}`);
  });
  console.log(`cluster Ready ${Date.now() - t0} ms after creation, operator installed from the chart`);
  expect(status?.shards).toHaveLength(3);
  const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'redshard.io/cluster=charted' })).items;
  expect(pods).toHaveLength(3);
});
