import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elementAppChecks } from './support/element-app-checks.js';
import { prepareFixture, runTool } from './support/fixture-app.js';

// test/fixtures/react-app: a fresh Vite React app (@vitejs/plugin-react) using
// `ai-stream-chat/react` from the packed package: the wrapper with props and a typed
// onDone, and the hook with the app's own markup. `tsc --noEmit` checks it against the
// packed types before `vite build`.
describe('React app with the wrapper and the hook, from the packed package', () => {
  const app = elementAppChecks('React', async () => {
    const appDir = await prepareFixture('react-app');
    await runTool(appDir, 'tsc', ['--noEmit', '-p', '.']);
    await runTool(appDir, 'vite', ['build', '--logLevel', 'warn']);
    return { appDir, staticDir: join(appDir, 'dist') };
  });

  it('React: useAIStream streams into the app’s own markup and reports the usage', async () => {
    const page = app.page();
    await page.click('#summarise');
    await expect.poll(() => page.locator('#summary-done').textContent(), { timeout: 15_000 }).toBe('30 tokens');
    expect((await page.locator('#summary').textContent())?.length).toBeGreaterThan(20);
  });
});
