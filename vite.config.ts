import { defineConfig } from 'vitest/config';

// One config for the widget build (the `build` section) and the Node-side test suites
// (the `test` section). Browser component tests run through @web/test-runner instead.
export default defineConfig({
  build: {
    // Filled in by the widget build: one self-contained ES module for the script tag.
  },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start real servers on 127.0.0.1; two cores, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
  },
});
