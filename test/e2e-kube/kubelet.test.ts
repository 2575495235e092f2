// The test kubelet's own behaviour on the real control plane: env from fieldRef/secretKeyRef with
// $(VAR) expansion, restarts after a crash, restartPolicy Never, PVCs bound to local volumes whose
// data outlives the pod, per-container log files.
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { type V1Pod } from '@kubernetes/client-node';
import { useKubeEnvironment } from './environment.js';
import { until } from '../helpers/until.js';

const kube = useKubeEnvironment({ nodes: ['node-a'], kubelet: { backoff: { initialMs: 200, maxMs: 1_000 } } });

const read = (name: string) => kube.core.readNamespacedPod({ namespace: 'default', name });
const sh = (name: string, script: string, extra: Partial<NonNullable<V1Pod['spec']>> = {}, env: NonNullable<V1Pod['spec']>['containers'][0]['env'] = []) =>
  kube.core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], env }], terminationGracePeriodSeconds: 1, ...extra } },
  });

test('env: fieldRef, secretKeyRef and $(VAR) expansion; logs per container', async () => {
  await kube.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'pw' }, stringData: { password: 's3cret' } } });
  await sh('env', 'echo "ip=$POD_IP pw=$PW arg=$(GREETING)"; sleep 30', {}, [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'PW', valueFrom: { secretKeyRef: { name: 'pw', key: 'password' } } },
    { name: 'GREETING', value: 'hello-$(PW)' },
  ]);
  const pod = await until('env pod Ready', async () => {
    const p = await read('env');
    return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  });
  const file = kube.kubelet.logFile('default', 'env', 'main')!;
  await until('log written', async () => readFileSync(file, 'utf8').includes('ip='));
  expect(readFileSync(file, 'utf8').trim()).toBe(`ip=${pod.status!.podIP} pw=s3cret arg=hello-s3cret`);
});

test('a crashed container restarts with restartCount and lastState', async () => {
  await sh('crashy', 'sleep 30');
  await until('crashy running', async () => (await read('crashy')).status?.containerStatuses?.[0]?.state?.running);
  expect(kube.kubelet.crashContainer('default', 'crashy')).toBe(true);
  const st = await until('restarted', async () => {
    const s = (await read('crashy')).status?.containerStatuses?.[0];
    return s?.restartCount === 1 && s.state?.running ? s : undefined;
  });
  expect(st.lastState?.terminated?.exitCode).toBe(137);
});

test('restartPolicy Never: the pod ends Failed or Succeeded', async () => {
  await sh('once-bad', 'exit 3', { restartPolicy: 'Never' });
  await sh('once-good', 'exit 0', { restartPolicy: 'Never' });
  const bad = await until('Failed', async () => ((await read('once-bad')).status?.phase === 'Failed' ? await read('once-bad') : undefined));
  expect(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
  await until('Succeeded', async () => (await read('once-good')).status?.phase === 'Succeeded');
});

test('a PVC is bound to a local volume whose data outlives the pod', async () => {
  await kube.core.createNamespacedPersistentVolumeClaim({
    namespace: 'default',
    body: { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  });
  const withVolume = (name: string, script: string) =>
    kube.core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], volumeMounts: [{ name: 'd', mountPath: '/data' }] }],
          volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    });
  await withVolume('writer', 'echo kept > /data/file');
  await until('writer Succeeded', async () => (await read('writer')).status?.phase === 'Succeeded', 30_000);
  expect((await kube.core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data' })).status?.phase).toBe('Bound');
  await withVolume('reader', 'cat /data/file');
  await until('reader Succeeded', async () => (await read('reader')).status?.phase === 'Succeeded', 30_000);
  expect(readFileSync(kube.kubelet.logFile('default', 'reader', 'main')!, 'utf8').trim()).toBe('kept');
});

test('deletion waits for the process, within the grace period', async () => {
  await sh('slow-stop', 'trap "echo term; exit 0" TERM; while true; do sleep 0.1; done');
  await until('slow-stop running', async () => (await read('slow-stop')).status?.containerStatuses?.[0]?.state?.running);
  await kube.core.deleteNamespacedPod({ namespace: 'default', name: 'slow-stop' });
  await until('gone', async () => {
    try {
      await read('slow-stop');
      return false;
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  });
  expect(readFileSync(kube.kubelet.logFile('default', 'slow-stop', 'main')!, 'utf8')).toContain('term');
});
