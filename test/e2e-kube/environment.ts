// The setup every kube e2e file shares: a real control plane, the test kubelet on a few nodes, the
// CRD, a namespace, and optionally the operator (kube mode, leader election) running in-process as
// a ServiceAccount or as the admin. Registers its own beforeAll/afterAll; stops what it started in
// reverse order. With `external` (a kubeconfig of an existing cluster, kind in CI) it starts nothing
// and only checks the CRD is there and the namespace exists.
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { GROUP, PLURAL } from '../../operator/api/v1alpha1.js';
import { Controller } from '../../operator/controller/controller.js';
import { runKube, type KubeOperator } from '../../operator/platform/kube/run.js';
import { ROOT, startControlPlane, type ControlPlane, type StartOptions } from './control-plane.js';
import { TestKubelet, type TestKubeletOptions } from './kubelet.js';
import { serviceAccountKubeConfig } from './operator-identity.js';
import { crdEstablished } from './wait.js';
import { shardClusters, type ShardClusters } from './resources.js';
import { until } from '../helpers/until.js';

/** Image name -> local program: redis images run Debian's redis-server, anything else our node. */
export const NODE_COMMANDS: Readonly<Record<string, string[]>> = {
  'redis-server': ['redis-server'],
  'redshard-node': [process.execPath, join(ROOT, 'bin', 'redshard-node.js')],
};

export interface KubeEnvironmentOptions {
  /** Control plane flags (e.g. a shorter node-monitor grace period). */
  plane?: StartOptions;
  /** Kubernetes node names; default node-a, node-b, node-c. */
  nodes?: string[];
  /** The test kubelet's settings besides kc, nodes and stateDir; commands default to NODE_COMMANDS. */
  kubelet?: Omit<TestKubeletOptions, 'kc' | 'nodes' | 'stateDir' | 'apiServer'>;
  /** Pods with a ServiceAccount get its credentials for this plane's apiserver (as a real kubelet mounts them). */
  podCredentials?: boolean;
  /** 'generated': the CRDs under crds/ (server-side apply); an object: that CRD; default none. */
  crd?: 'generated' | Record<string, unknown>;
  /** A namespace to create once the CRD is in. */
  namespace?: string;
  /** Runs the operator in-process and waits until it leads. */
  operator?: {
    identity: string;
    leaseNamespace: string;
    /** Run with the chart's RBAC through a ServiceAccount token instead of as the admin. */
    serviceAccount?: boolean;
  };
  /** Make a kubeconfig for the operator as it runs in a cluster (ServiceAccount with the chart's RBAC). */
  serviceAccount?: boolean;
  /** A kubeconfig of an existing cluster: nothing is started (operator installed from the chart). */
  external?: string;
  /** Keep the kubelet's state directory (pod logs, volumes) after the run. */
  keepStateDir?: boolean;
}

export interface KubeEnvironment {
  /** The local control plane; throws with `external`. */
  readonly plane: ControlPlane;
  /** The test kubelet; throws with `external`. */
  readonly kubelet: TestKubelet;
  /** Whether a local control plane and kubelet run (false with `external`). */
  readonly local: boolean;
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  /** The kubelet's state directory, for the test's own files too. */
  readonly stateDir: string;
  /** The operator's ServiceAccount kubeconfig (options.serviceAccount or operator.serviceAccount). */
  readonly operatorKubeConfig: KubeConfig;
  readonly log: Logger;
  /** The RedisShardCluster objects of a namespace (usable once the environment has started). */
  clusters(namespace: string): ShardClusters;
}

export function useKubeEnvironment(opts: KubeEnvironmentOptions = {}): KubeEnvironment {
  const log = pino({ level: process.env.REDSHARD_LOG_LEVEL ?? 'warn' });
  let plane: ControlPlane | undefined;
  let kubelet: TestKubelet | undefined;
  let operator: KubeOperator | undefined;
  let stateDir: string | undefined;
  let kc: KubeConfig | undefined;
  let operatorKc: KubeConfig | undefined;
  let core: CoreV1Api | undefined;
  let custom: CustomObjectsApi | undefined;

  beforeAll(async () => {
    const t0 = Date.now();
    if (opts.external) {
      kc = new KubeConfig();
      kc.loadFromFile(opts.external);
      core = kc.makeApiClient(CoreV1Api);
      custom = kc.makeApiClient(CustomObjectsApi);
      if (opts.crd) await crdEstablished(kc, `${PLURAL}.${GROUP}`);
      if (opts.namespace) {
        await core.createNamespace({ body: { metadata: { name: opts.namespace } } }).catch((err: { code?: number }) => {
          if (err.code !== 409) throw err;
        });
      }
      return;
    }
    plane = await startControlPlane(opts.plane);
    kc = plane.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    stateDir = mkdtempSync(join(tmpdir(), 'redshard-e2e-'));
    kubelet = new TestKubelet({
      commands: { ...NODE_COMMANDS }, ...opts.kubelet, kc, nodes: opts.nodes ?? ['node-a', 'node-b', 'node-c'], stateDir,
      apiServer: opts.podCredentials ? { server: plane.server, caPem: plane.caPem } : undefined,
    });
    await kubelet.start();
    if (opts.crd === 'generated') plane.kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds')]);
    else if (opts.crd) plane.kubectl(['apply', '-f', '-'], JSON.stringify(opts.crd));
    if (opts.crd) await crdEstablished(kc, `${PLURAL}.${GROUP}`);
    if (opts.namespace) plane.kubectl(['create', 'namespace', opts.namespace]);
    if (opts.serviceAccount || opts.operator?.serviceAccount) operatorKc = await serviceAccountKubeConfig(plane);
    if (opts.operator) {
      const { identity, leaseNamespace } = opts.operator;
      operator = await runKube({
        kc: opts.operator.serviceAccount ? operatorKc! : kc, log, leaseNamespace, identity,
        startController: async (platform) => {
          const controller = new Controller(platform, log.child({ component: 'controller' }));
          await controller.start();
          return () => controller.stop();
        },
      });
      const op = operator;
      await until('operator leads', async () => op.isLeader(), 20_000);
      console.log(`plane + kubelet + CRD + operator ready in ${Date.now() - t0} ms`);
    }
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await plane?.stop();
    if (stateDir && !opts.keepStateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`kube environment: no ${what} (not started yet, or external)`);
    return v;
  };
  return {
    get plane() { return need(plane, 'control plane'); },
    get kubelet() { return need(kubelet, 'test kubelet'); },
    get local() { return !opts.external; },
    get kc() { return need(kc, 'kubeconfig'); },
    get core() { return need(core, 'CoreV1Api'); },
    get custom() { return need(custom, 'CustomObjectsApi'); },
    get stateDir() { return need(stateDir, 'state directory'); },
    get operatorKubeConfig() { return need(operatorKc, 'operator kubeconfig'); },
    log,
    clusters: (namespace) => shardClusters(() => need(custom, 'CustomObjectsApi'), namespace),
  };
}
