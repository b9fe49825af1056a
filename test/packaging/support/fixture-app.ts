import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { FIXTURE_SOURCES, FIXTURES_DIR, REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/**
 * Copies `test/fixtures/<name>` to a fresh build directory and installs the packed kit
 * into its `node_modules/ai-stream-chat`, as npm lays out a tarball dependency. The
 * kit's own dependencies (lit, zod, …) and the framework resolve from the root
 * `node_modules`, as hoisted dependencies do in an app. Returns the app's directory.
 */
export async function prepareFixture(name: string): Promise<string> {
  const dir = join(FIXTURES_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(FIXTURE_SOURCES, name), dir, { recursive: true });
  const kit = join(dir, 'node_modules', 'ai-stream-chat');
  mkdirSync(kit, { recursive: true });
  await run('tar', ['-xzf', inject('kitTarball'), '-C', kit, '--strip-components=1']);
  return dir;
}

/**
 * Runs a tool of the root `node_modules/.bin` (tsc, vite, next) in a fixture, and
 * fails with its output when it fails.
 */
export async function runTool(dir: string, tool: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run(join(REPO_ROOT, 'node_modules/.bin', tool), args, {
      cwd: dir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${tool} ${args.join(' ')} failed in ${dir}:\n${stdout}\n${stderr}`);
  }
}
