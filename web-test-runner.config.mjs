// Component tests of the widget in a real Chromium, against the real stream handler and
// the local upstream (see test/support/wtr-real-server.ts). `npm run test:browser`.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { tsImport } from 'tsx/esm/api';

const { findBrowser, chromiumArgs } = await tsImport('./test/support/find-browser.ts', import.meta.url);
const { realServer } = await tsImport('./test/support/wtr-real-server.ts', import.meta.url);
const { reactAsEsm } = await tsImport('./test/support/wtr-react-esm.ts', import.meta.url);

const browser = findBrowser();
// Tests pick their own pace per prompt with [[pace:…]]; this is the default.
const server = realServer({ pace: { firstTokenMs: 30, tokensPerSecond: 200 } });

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  // One page at a time: the tests measure timing and share one upstream, and the
  // machine may have two busy cores.
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 180_000,
  // Lit's dev build catches mistakes; its one-line banner per page is noise.
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
  testFramework: { config: { timeout: 15_000 } },
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: browser.executablePath, args: [...chromiumArgs], headless: true },
    }),
  ],
  middleware: [server.middleware],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
    // The React tests import React, which ships only CommonJS.
    reactAsEsm(),
    server.plugin,
  ],
};
