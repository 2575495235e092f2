import { defineConfig } from 'vitest/config';

// The operator's end-to-end suite on a real control plane (npm run e2e:kube). Kept out of the
// default projects: each file starts its own apiserver, etcd, controller-manager and scheduler.
export default defineConfig({
  test: {
    name: 'e2e-kube',
    // Against an existing cluster (REDSHARD_E2E_KUBECONFIG, e.g. kind) only the operator suite
    // applies; the other files test the local stand-in itself.
    include: process.env.REDSHARD_E2E_KUBECONFIG ? ['test/e2e-kube/cluster.test.ts'] : ['test/e2e-kube/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
