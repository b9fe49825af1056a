import { join } from 'node:path';
import { beforeAll, describe } from 'vitest';
import { startApp } from './support/app-process.js';
import { prepareFixture, runTool } from './support/fixture-app.js';
import { freePort } from './support/free-port.js';
import { REPO_ROOT } from './support/paths.js';
import { serverMountChecks } from './support/server-mount-checks.js';

// test/fixtures/next-app: the two documented lines in app/api/chat/stream/route.ts,
// built by `next build` (Turbopack, with Next's own type check) and served by
// `next start`, as a Next.js app on any Node host runs.
describe('Next.js App Router mount, from the packed package', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await prepareFixture('next-app');
    await runTool(dir, 'next', ['build']);
  }, 600_000);

  serverMountChecks(async (env) =>
    startApp(join(REPO_ROOT, 'node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(await freePort())], { cwd: dir, env, timeoutMs: 120_000 }),
  );
});
