import { beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../support/read-events.js';
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

  const app = serverMountChecks((env) => startApp(process.execPath, ['dist/server.js'], { cwd: dir, env: { ...env, PORT: '0' } }));

  it('a chat route mounted after express.json() answers 500 naming the cause, not a misleading 400', async () => {
    const response = await postChat(`${app.origin()}/api/late-chat`, { messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'internal_error', message: expect.stringContaining('express.json()') } });
  });
});
