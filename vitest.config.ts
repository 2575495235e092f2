import { defineConfig } from 'vitest/config';

// Two projects: fast pure unit tests beside their modules, and tests that start real processes
// (our node, Debian's redis-server, redis-cli) under test/. Process tests run with limited
// parallelism because the machine has two cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['common/**/*.test.ts', 'node/**/*.test.ts', 'operator/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'process',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e-kube/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
