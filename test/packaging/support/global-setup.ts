import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { FIXTURES_DIR, REPO_ROOT } from './paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The kit as `npm pack` of the working tree makes it. */
    kitTarball: string;
    /** The paths inside that tarball, relative to the package root (`dist/client.js`). */
    kitFiles: string[];
  }
}

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

/**
 * Packs the working tree once per test run, as `npm publish` would, so every fixture
 * installs the same tarball a user would get: the exports map, `files`, the types and
 * `sideEffects` are what the fixtures test. Needs `npm run build` first (`npm test` runs it).
 */
export default async function packKit(project: TestProject): Promise<void> {
  if (!existsSync(join(REPO_ROOT, 'dist/ai-stream-chat.js'))) throw new Error('dist/ is missing: run `npm run build` before the packaging tests.');
  const destination = join(FIXTURES_DIR, 'kit');
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const { stdout } = await promisify(execFile)('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  const [packed] = JSON.parse(stdout) as PackResult[];
  if (!packed) throw new Error(`npm pack printed no result: ${stdout}`);
  project.provide('kitTarball', join(destination, packed.filename));
  project.provide('kitFiles', packed.files.map((file) => file.path));
}
