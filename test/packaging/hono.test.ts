import { beforeAll, describe } from 'vitest';
import { startApp } from './support/app-process.js';
import { prepareFixture, runTool } from './support/fixture-app.js';
import { serverMountChecks } from './support/server-mount-checks.js';

// test/fixtures/hono-app: `ai-stream-chat/server` on Hono and @hono/node-server,
// compiled by tsc against the packed types, run by plain Node.
describe('Hono mount, from the packed package', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await prepareFixture('hono-app');
    await runTool(dir, 'tsc', ['-p', '.']);
  }, 120_000);

  serverMountChecks((env) => startApp(process.execPath, ['dist/server.js'], { cwd: dir, env: { ...env, PORT: '0' } }));
});
