import { join } from 'node:path';
import { describe } from 'vitest';
import { elementAppChecks } from './support/element-app-checks.js';
import { prepareFixture, runTool } from './support/fixture-app.js';

// test/fixtures/vue-app: a Vue 3 app (Vite, <script setup>) using <ai-stream-chat> from
// the packed package; its TypeScript is checked against the packed types, then built.
describe('Vue 3 app with <ai-stream-chat>, from the packed package', () => {
  elementAppChecks('Vue', async () => {
    const appDir = await prepareFixture('vue-app');
    await runTool(appDir, 'tsc', ['--noEmit', '-p', '.']);
    await runTool(appDir, 'vite', ['build', '--logLevel', 'warn']);
    return { appDir, staticDir: join(appDir, 'dist') };
  });
});
