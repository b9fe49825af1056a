import { beforeAll, describe } from 'vitest';
import { startApp } from './support/app-process.js';
import { prepareFixture, runTool } from './support/fixture-app.js';
import { serverMountChecks } from './support/server-mount-checks.js';

// test/fixtures/express-app: `ai-stream-chat/server` on Express 5 through `toNodeHandler`,
// compiled by tsc against the packed types, run by plain Node.
describe('Express mount, from the packed package', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await prepareFixture('express-app');
    await runTool(dir, 'tsc', ['-p', '.']);
  }, 120_000);

  serverMountChecks((env) => startApp(process.execPath, ['dist/server.js'], { cwd: dir, env: { ...env, PORT: '0' } }));
});
