import { join } from 'node:path';
import { describe } from 'vitest';
import { elementAppChecks } from './support/element-app-checks.js';
import { prepareFixture, runTool } from './support/fixture-app.js';

// test/fixtures/svelte-app: a Svelte 5 app (Vite, runes) using <ai-stream-chat> from
// the packed package; its TypeScript is checked against the packed types, then built.
describe('Svelte 5 app with <ai-stream-chat>, from the packed package', () => {
  elementAppChecks('Svelte', async () => {
    const appDir = await prepareFixture('svelte-app');
    await runTool(appDir, 'tsc', ['--noEmit', '-p', '.']);
    await runTool(appDir, 'vite', ['build', '--logLevel', 'warn']);
    return { appDir, staticDir: join(appDir, 'dist') };
  });
});
